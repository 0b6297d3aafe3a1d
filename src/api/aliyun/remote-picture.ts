// Fetching a picture from an http(s) URL a client named in PicContent (only when enabled): a 5 s
// budget for the whole transfer, a byte cap, at most 3 redirects, and no private, loopback or
// link-local addresses unless allowed, checked on the address actually connected to (no DNS rebinding).

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { TusouError, shown } from '../../domain/index.js';

export interface RemotePictureOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Allow private, loopback and link-local addresses (an intranet image server). */
  allowPrivate: boolean;
}

const MAX_REDIRECTS = 3;

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** True for addresses a server must not be tricked into calling (private, loopback, link-local, …). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

/** A DNS lookup that refuses private answers, so the check covers the address actually used. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const ok = addresses.filter((a) => allowPrivate || !isPrivateAddress(a.address));
      if (ok.length === 0) return callback(Object.assign(new Error('private address'), { code: 'EPRIVATE' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      return callback(null, ok[0].address, ok[0].family);
    });
  };
}

function once(url: URL, opts: RemotePictureOptions, signal: AbortSignal): Promise<{ redirect?: string; bytes?: Buffer }> {
  const shownUrl = shown(url.href, 120);
  const reject = (reason: string) => new TusouError('IMAGE_URL_REJECTED', { url: shownUrl, reason });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !opts.allowPrivate && isPrivateAddress(host)) return Promise.reject(reject('private, loopback and link-local addresses are not fetched'));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, fail) => {
    const req = client.get(url, { lookup: guardedLookup(opts.allowPrivate), signal, headers: { accept: 'image/*' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        return resolve({ redirect: new URL(res.headers.location, url).href });
      }
      if (status !== 200) {
        res.resume();
        return fail(reject(`the server answered HTTP ${status}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > opts.maxBytes) {
        res.destroy();
        return fail(new TusouError('IMAGE_TOO_LARGE', { bytes: declared, maxBytes: opts.maxBytes }));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          res.destroy();
          fail(new TusouError('IMAGE_TOO_LARGE', { bytes: size, maxBytes: opts.maxBytes }));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ bytes: Buffer.concat(chunks) }));
      res.on('error', (err) => fail(signal.aborted ? err : reject(`the transfer failed (${(err as NodeJS.ErrnoException).code ?? err.message})`)));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return fail(err);
      if (err.code === 'EPRIVATE') return fail(reject('private, loopback and link-local addresses are not fetched'));
      fail(reject(`the connection failed (${err.code ?? err.message})`));
    });
  });
}

/**
 * Download a picture. Only http and https; the whole transfer, redirects included, must end
 * within `timeoutMs`.
 * @throws IMAGE_URL_REJECTED, IMAGE_URL_TIMEOUT, IMAGE_TOO_LARGE
 */
export async function fetchRemotePicture(href: string, opts: RemotePictureOptions): Promise<Buffer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new TusouError('IMAGE_URL_REJECTED', { url: shown(href, 120), reason: 'it is not a valid URL' });
  }
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new TusouError('IMAGE_URL_REJECTED', { url: shown(url.href, 120), reason: 'only http and https URLs are fetched' });
      }
      const res = await once(url, opts, abort.signal);
      if (res.bytes) return res.bytes;
      if (hop >= MAX_REDIRECTS) throw new TusouError('IMAGE_URL_REJECTED', { url: shown(href, 120), reason: `more than ${MAX_REDIRECTS} redirects` });
      url = new URL(res.redirect as string);
    }
  } catch (err) {
    if (abort.signal.aborted) throw new TusouError('IMAGE_URL_TIMEOUT', { url: shown(href, 120), timeoutMs: opts.timeoutMs }, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
