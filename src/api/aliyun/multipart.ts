// A lenient multipart/form-data parser for the SDK's OSS PostObject body. The SDK writes a file
// part's bytes and then the next `--boundary` line without the CRLF RFC 2046 requires, so strict
// parsers (delimiter `\r\n--boundary`) glue the next field onto the file (aliyun-imagesearch-api.md §7).
// Here the body is split on `--boundary` and a CRLF before it is removed only when present.

import { TusouError } from '../../domain/index.js';

export interface FormPart {
  name: string;
  /** Set for file parts (possibly empty). */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_PARTS = 32;

/** The boundary of a multipart content type. @throws BODY_INVALID */
export function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/form-data\s*;.*?\bboundary=(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(contentType ?? '');
  if (!m) throw new TusouError('BODY_INVALID', { reason: 'Content-Type must be multipart/form-data with a boundary' });
  return m[1] ?? m[2];
}

function headerValue(head: string, re: RegExp): string | undefined {
  return re.exec(head)?.[1];
}

/**
 * Split a multipart body into parts. Text parts lose any trailing CRLFs (the SDK's last text part
 * carries an extra one); file parts lose exactly one CRLF before the next delimiter, if present.
 * @throws BODY_INVALID when there is no delimiter, a part has no header block, or no name
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new TusouError('BODY_INVALID', { reason: 'the multipart body has no boundary delimiter' });
  for (;;) {
    let start = pos + delim.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing delimiter "--boundary--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delim, start);
    if (next < 0) break; // no closing delimiter: what came before is complete parts
    const part = body.subarray(start, next);
    const sep = part.indexOf(HEADER_END);
    if (sep < 0) throw new TusouError('BODY_INVALID', { reason: `multipart part ${parts.length + 1} has no header block` });
    const head = part.subarray(0, sep).toString('utf8');
    let data = part.subarray(sep + HEADER_END.length);
    const name = headerValue(head, /content-disposition:[^\r\n]*?\bname="([^"]*)"/i);
    if (name === undefined) throw new TusouError('BODY_INVALID', { reason: `multipart part ${parts.length + 1} has no name` });
    const filename = headerValue(head, /content-disposition:[^\r\n]*?\bfilename="([^"]*)"/i);
    const contentType = headerValue(head, /content-type:[ \t]*([^\r\n]*)/i)?.trim();
    if (filename === undefined) {
      while (data.length >= 2 && data.subarray(data.length - 2).equals(CRLF)) data = data.subarray(0, data.length - 2);
    } else if (data.length >= 2 && data.subarray(data.length - 2).equals(CRLF)) {
      data = data.subarray(0, data.length - 2);
    }
    parts.push({ name, filename, contentType, data });
    if (parts.length > MAX_PARTS) throw new TusouError('BODY_INVALID', { reason: `the multipart body has more than ${MAX_PARTS} parts` });
    pos = next;
  }
  return parts;
}
