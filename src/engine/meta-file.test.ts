import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTusouError } from '../domain/index.js';
import { exportLine, parseMetaLine } from './meta-file.js';

describe('the increment.meta line format', () => {
  test('reads the documented ADD line; numbers become strings for validation; OperationType defaults to ADD', () => {
    const item = parseMetaLine('{"OperationType":"ADD","ProductId":123,"PicName":"girlCloth/girl_cloth8.jpg","CategoryId":0,"IntAttr":5,"StrAttr":"s","CustomContent":"k:v","Region":"280,486,232,351"}', 1);
    assert.deepEqual(item, { operation: 'ADD', productId: '123', picName: 'girlCloth/girl_cloth8.jpg', categoryId: '0', intAttr: '5', strAttr: 's', customContent: 'k:v', region: '280,486,232,351' });
    assert.equal(parseMetaLine('{"ProductId":"p","PicName":"a.jpg"}', 1).operation, 'ADD');
    assert.equal(parseMetaLine('{"OperationType":"delete","ProductId":"p"}', 1).operation, 'DELETE');
  });

  test('anything but exactly one object with a known operation is INCREMENT_LINE_INVALID naming the line', () => {
    for (const bad of ['{"a":1} {"b":2}', '[1,2]', '"text"', 'not json', '{"OperationType":"UPSERT"}', 'x'.repeat(70_000)]) {
      assert.throws(() => parseMetaLine(bad, 7), (e: unknown) => isTusouError(e, 'INCREMENT_LINE_INVALID') && /line 7/.test(e.message));
    }
  });

  test('an export line parses back to the same image', () => {
    const line = exportLine({
      label: 1, productId: 'p', picName: 'a.jpg', categoryId: 3, intAttr: 1, intAttr2: 2, intAttr3: 3, intAttr4: -4,
      strAttr: 'a', strAttr2: 'b', strAttr3: 'c', strAttr4: 'd', customContent: 'cc', region: { x1: 1, x2: 5, y1: 2, y2: 6 }, regions: [],
      width: 10, height: 10, format: 'png', sha256: 'x', bytes: 1, createdAt: 0, updatedAt: 0,
    });
    const back = parseMetaLine(line, 1);
    assert.deepEqual([back.productId, back.categoryId, back.intAttr4, back.strAttr4, back.region], ['p', '3', '-4', 'd', '1,5,2,6']);
  });
});
