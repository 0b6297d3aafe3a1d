// The kept-originals contract: content-addressed bytes by SHA-256. Implementations: a folder
// (folder-blob-store.ts, one node) and PostgreSQL (postgres/pg-blob-store.ts, shared by nodes).

/** Kept originals. The same bytes are stored once; a put resolves when durable. */
export interface BlobStore {
  /** Store bytes durably; returns their SHA-256. @throws STORE_UNAVAILABLE */
  put(bytes: Buffer, sha256?: string): Promise<string>;
  has(sha256: string): Promise<boolean>;
  /** The bytes of an original, or undefined when it is missing. */
  get(sha256: string): Promise<Buffer | undefined>;
  /**
   * Protect an original from deletion while an add that will reference it is in flight (pin
   * before `put`, release after the image is stored). Returns the release function.
   */
  pin(sha256: string): Promise<() => Promise<void>>;
  /** True while some add holds a pin on it. */
  isPinned(sha256: string): Promise<boolean>;
  /**
   * Delete an original the store reported unreferenced, unless it is pinned (or, where originals
   * are shared, referenced again meanwhile). Returns whether it was deleted.
   */
  delete(sha256: string): Promise<boolean>;
  /** Every stored SHA-256 (for consistency checks). */
  list(): AsyncIterable<string>;
  /**
   * Check that originals can be written and removed now (before a change that will need it).
   * @throws STORE_UNAVAILABLE when they cannot
   */
  assertWritable(): Promise<void>;
  /** Delete temporary files of writes a crash interrupted; returns how many. */
  removeLeftovers(): Promise<number>;
}
