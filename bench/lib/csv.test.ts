import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseCsv } from './csv.js';

it('parseCsv reads quoted fields with commas, doubled quotes and CRLF line ends', () => {
  const rows = parseCsv('file,group,name\r\na.jpg,g1,"Shoes, ""sport"""\r\nb.jpg,g2,plain\r\n');
  assert.deepEqual(rows, [
    { file: 'a.jpg', group: 'g1', name: 'Shoes, "sport"' },
    { file: 'b.jpg', group: 'g2', name: 'plain' },
  ]);
});
