// Access keys: the (id, secret) pairs that sign Alibaba-compatible requests.

/** A stored access key. The secret is needed in clear to verify HMAC signatures. */
export interface AccessKey {
  id: string;
  secret: string;
  description: string;
  createdAt: number;
  /** Set once the key is revoked; a revoked key never signs again. */
  revokedAt?: number;
}

/** What may be shown about a key: everything but the secret. */
export type AccessKeyInfo = Omit<AccessKey, 'secret'>;
