// Secrets the server keeps in its data directory: a random key (signing upload policies and download
// links, so links survive restarts) and the TLS certificate of the HTTPS side, self-signed on first
// start with a SAN for every name the server can be reached by. Files are owner-only.

import { X509Certificate, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** The server key (32 random bytes) in `<dir>/server.key`, created on first use. */
export async function loadOrCreateServerKey(dir: string): Promise<Buffer> {
  const file = join(dir, 'server.key');
  const existing = await readIfExists(file);
  if (existing && existing.length === 32) return existing;
  await privateDir(dir);
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

/**
 * The names a certificate must cover: loopback, the listening address (every interface address
 * when it is a wildcard) and extra names from configuration.
 */
export function certificateNames(host: string, extra: readonly string[]): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...extra]);
  if (host === '0.0.0.0' || host === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.replace(/%.*$/, ''));
  } else {
    names.add(host);
  }
  return [...names];
}

function covers(cert: X509Certificate, names: readonly string[], nowMs: number): boolean {
  // Renew a month ahead, so a long-running client never sees it expire.
  if (Date.parse(cert.validTo) - nowMs < 30 * 86_400_000) return false;
  return names.every((n) => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n)) !== undefined);
}

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Where the certificate is, for clients to trust (Config.ca in the SDK). */
  certFile: string;
}

/**
 * The certificate and key in `<dir>/cert.pem` + `<dir>/key.pem`: reused while they cover `names`
 * and are valid for 30 more days; otherwise a new self-signed one (EC P-256, CA:TRUE so clients
 * can trust it directly, 10 years) replaces them.
 */
export async function loadOrCreateCertificate(dir: string, names: readonly string[], nowMs = Date.now()): Promise<TlsMaterial> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert && key && covers(new X509Certificate(cert), names, nowMs)) return { cert: cert.toString(), key: key.toString(), certFile };
  const pems = await generate([{ name: 'commonName', value: 'tusou' }, { name: 'organizationName', value: 'tusou self-signed' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: new Date(nowMs - 86_400_000), notAfterDate: new Date(nowMs + 10 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  await privateDir(dir);
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, certFile };
}

/** A certificate and key from configured PEM files. */
export async function loadCertificateFiles(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key, certFile };
}
