// Hostile and broken pictures for tests: decompression bombs, animation bombs, truncated and
// corrupted files of every format, and things that only pretend to be pictures. All are built
// here from a few bytes; none is stored in the repository.

import { deflateSync } from 'node:zlib';
import { scene, sceneSvg } from './images.js';

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A valid 1-bit greyscale PNG of `side`×`side` black pixels: ~50 KB that would decode to
 * side² bytes of pixels (20000² = 400 Mpx, 1.2 GB as RGB).
 */
export function pngBomb(side = 20000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(side / 8)); // filter byte 0 + zero bits
  const raw = Buffer.alloc(row.length * side);
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A valid animated GIF with `frames` frames on a `side`×`side` screen, each frame a 1×1 pixel
 * (a few bytes each): decoding every frame onto the screen would need frames × side² pixels.
 */
export function gifAnimationBomb(frames = 5000, side = 2000): Buffer {
  const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
  const parts: Buffer[] = [
    Buffer.from('GIF89a', 'latin1'), u16(side), u16(side),
    Buffer.from([0xf0, 0, 0]), // global colour table of 2 entries
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0]),
  ];
  for (let i = 0; i < frames; i++) {
    const x = i % side;
    parts.push(
      Buffer.from([0x21, 0xf9, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]), // graphic control: 10 ms
      Buffer.from([0x2c]), u16(x), u16(0), u16(1), u16(1), Buffer.from([0]),
      // LZW, minimum code size 2: clear (4), index 0, end (5) in 3-bit codes.
      Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00]),
    );
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

/** `bytes` with the middle third overwritten by a repeating junk pattern. */
export function corrupted(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = Math.floor(out.length / 3); i < Math.floor((2 * out.length) / 3); i++) out[i] = (i * 131) & 0xff;
  return out;
}

/** The first `fraction` of the bytes. */
export const truncated = (bytes: Buffer, fraction = 0.5) => bytes.subarray(0, Math.floor(bytes.length * fraction));

/** Broken pictures of every supported format, each with the catalogue code it must get. */
export async function brokenPictures(): Promise<{ name: string; bytes: Buffer; code: string }[]> {
  const out: { name: string; bytes: Buffer; code: string }[] = [];
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
    const good = await scene(40, { format, width: 200, height: 150 });
    out.push({ name: `truncated ${format}`, bytes: truncated(good), code: 'IMAGE_CORRUPT' });
    out.push({ name: `${format} with only its header`, bytes: good.subarray(0, 40), code: 'IMAGE_CORRUPT' });
  }
  out.push({ name: 'corrupted jpeg', bytes: corrupted(await scene(41, { width: 400, height: 300 })), code: 'IMAGE_CORRUPT' });
  out.push({ name: 'text posing as a jpeg', bytes: Buffer.from('this is not a picture, just some text\n'.repeat(20)), code: 'IMAGE_FORMAT_UNSUPPORTED' });
  out.push({ name: 'html', bytes: Buffer.from('<html><body><img src=x onerror=alert(1)></body></html>'), code: 'IMAGE_FORMAT_UNSUPPORTED' });
  out.push({ name: 'svg', bytes: Buffer.from(sceneSvg(1)), code: 'IMAGE_FORMAT_UNSUPPORTED' });
  out.push({ name: 'svg with an external reference', bytes: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd"/></svg>'), code: 'IMAGE_FORMAT_UNSUPPORTED' });
  out.push({ name: '20000×20000 png (decompression bomb)', bytes: pngBomb(20000), code: 'IMAGE_PIXELS_OUT_OF_RANGE' });
  return out;
}
