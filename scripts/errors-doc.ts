// Prints docs/errors.md from the error catalogue: `tsx scripts/errors-doc.ts > docs/errors.md`.
// A test checks the file is current, so the docs cannot drift from the code.

import { ERRORS } from '../src/domain/errors.js';

const placeholders = new Proxy({}, { get: (_t, key) => `{${String(key)}}` }) as never;

export function errorsMarkdown(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => {
    const entry = e as { status: number; aliyun: string | ((p: never) => string); aliyunStatus?: number; message: (p: never) => string };
    const aliyun = typeof entry.aliyun === 'function' ? entry.aliyun(placeholders) : entry.aliyun;
    return `| \`${code}\` | ${entry.status} | \`${aliyun}\` | ${entry.aliyunStatus ?? entry.status} | ${entry.message(placeholders).replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Errors',
    '',
    'Every failure has a stable code from one catalogue (`src/domain/errors.ts`). The REST API answers',
    '`{ "error": { "code", "message", "details", "requestId" } }` with the REST status; the',
    'Alibaba-compatible API answers `{ "RequestId", "Code", "Message" }` with the Alibaba code and',
    'status (a few actions override a code, as the cloud product does; see `src/api/aliyun/errors.ts`).',
    '`{name}` in a message stands for a detail of that request, also given in `details`.',
    'Codes are never renamed or reused.',
    '',
    'This file is generated: `npx tsx scripts/errors-doc.ts > docs/errors.md`.',
    '',
    '| code | REST status | Alibaba code | Alibaba status | message |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(errorsMarkdown());
