import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OTHER_CATEGORY, PRODUCT_CATEGORIES, isProductCategory } from '../domain/index.js';
import { COCO_LABELS, COCO_TO_PRODUCT_CATEGORY, categoryOfLabel } from './categories.js';

describe('COCO labels → product categories', () => {
  test('there are the 80 COCO labels, each once', () => {
    assert.equal(COCO_LABELS.length, 80);
    assert.equal(new Set(COCO_LABELS).size, 80);
  });

  test('every label except person maps to a category of the product table', () => {
    for (const label of COCO_LABELS) {
      const id = categoryOfLabel(label);
      if (label === 'person') assert.equal(id, undefined);
      else assert.ok(id !== undefined && isProductCategory(id), `${label} → ${id}`);
    }
    assert.deepEqual(Object.keys(COCO_TO_PRODUCT_CATEGORY).filter((l) => !COCO_LABELS.includes(l)), []);
  });

  test('products map to their category and non-products to Other', () => {
    assert.equal(categoryOfLabel('handbag'), 3);
    assert.equal(categoryOfLabel('tie'), 5);
    assert.equal(categoryOfLabel('donut'), 6);
    assert.equal(categoryOfLabel('bottle'), 8);
    assert.equal(categoryOfLabel('couch'), 9);
    assert.equal(categoryOfLabel('teddy bear'), 20);
    assert.equal(categoryOfLabel('cell phone'), 22);
    assert.equal(categoryOfLabel('dog'), OTHER_CATEGORY);
    assert.equal(categoryOfLabel('salient'), undefined);
    assert.equal(categoryOfLabel('toString'), undefined);
  });

  test('docs/categories.md shows exactly this table', () => {
    const doc = readFileSync(new URL('../../docs/categories.md', import.meta.url), 'utf8');
    for (const c of PRODUCT_CATEGORIES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${c.id} | ${c.name} |`));
      assert.ok(row, `docs/categories.md has no row for ${c.id} ${c.name}`);
      const listed = row.split('|')[4].trim();
      const expected = COCO_LABELS.filter((l) => categoryOfLabel(l) === c.id);
      assert.deepEqual(listed === '—' ? [] : listed.split(', '), expected, `row ${c.id}`);
    }
  });
});
