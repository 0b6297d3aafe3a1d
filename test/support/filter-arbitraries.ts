// fast-check generators for the filter grammar: random ASTs, their text, and attribute sets.

import fc from 'fast-check';
import type { FilterField, FilterNode } from '../../src/domain/index.js';
import { DEFAULT_ATTRIBUTES, type ImageAttributes } from '../../src/domain/index.js';

export const INT_FIELDS = ['intAttr', 'intAttr2', 'intAttr3', 'intAttr4'] as const;
export const STR_FIELDS = ['strAttr', 'strAttr2', 'strAttr3', 'strAttr4'] as const;

/** Small value domains so that random filters and random attributes actually meet. */
const intValue = fc.integer({ min: -3, max: 3 });
const strValue = fc.constantFrom('', 'a', 'b', 'Red', 'x y', "it's", 'OR', 'AND 1=1; --');

const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.record({ kind: fc.constant('cmp' as const), field: fc.constantFrom(...INT_FIELDS) as fc.Arbitrary<FilterField>, op: fc.constantFrom('=', '!=', '>', '>=', '<', '<=' as const), value: intValue }),
  fc.record({ kind: fc.constant('cmp' as const), field: fc.constantFrom(...STR_FIELDS) as fc.Arbitrary<FilterField>, op: fc.constantFrom('=', '!=' as const), value: strValue.filter((s) => !s.includes('"')) }),
  fc.record({ kind: fc.constant('in' as const), field: fc.constantFrom(...INT_FIELDS) as fc.Arbitrary<FilterField>, negate: fc.boolean(), values: fc.array(intValue, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('in' as const), field: fc.constantFrom(...STR_FIELDS) as fc.Arbitrary<FilterField>, negate: fc.boolean(), values: fc.array(strValue, { minLength: 1, maxLength: 3 }) }),
);

/** Random filter ASTs up to a small depth. */
export const filterAst: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
  ),
})).node;

const SNAKE: Record<FilterField, string> = {
  intAttr: 'int_attr', intAttr2: 'int_attr2', intAttr3: 'int_attr3', intAttr4: 'int_attr4',
  strAttr: 'str_attr', strAttr2: 'str_attr2', strAttr3: 'str_attr3', strAttr4: 'str_attr4',
};

const lit = (v: number | string) => (typeof v === 'number' ? String(v) : v.includes('"') ? `'${v}'` : `"${v}"`);

/** Print an AST as filter text, parenthesising every compound node. */
export function printFilter(n: FilterNode): string {
  switch (n.kind) {
    case 'and': case 'or': return `(${n.items.map(printFilter).join(n.kind === 'and' ? ' AND ' : ' or ')})`;
    case 'cmp': return `${SNAKE[n.field]} ${n.op} ${lit(n.value)}`;
    case 'in': return `${SNAKE[n.field]} ${n.negate ? 'not in' : 'IN'} (${n.values.map(lit).join(', ')})`;
  }
}

/** Reference semantics, written independently of src/domain/filter.ts. */
export function evaluate(n: FilterNode, a: ImageAttributes): boolean {
  if (n.kind === 'and') return n.items.every((x) => evaluate(x, a));
  if (n.kind === 'or') return n.items.some((x) => evaluate(x, a));
  const v = a[n.field];
  if (n.kind === 'in') return n.values.some((x) => x === v) ? !n.negate : n.negate;
  const w = n.value;
  return n.op === '=' ? v === w : n.op === '!=' ? v !== w : n.op === '>' ? v > w : n.op === '>=' ? v >= w : n.op === '<' ? v < w : v <= w;
}

export const attributes: fc.Arbitrary<ImageAttributes> = fc.record({
  intAttr: intValue, intAttr2: intValue, intAttr3: intValue, intAttr4: intValue,
  strAttr: strValue, strAttr2: strValue, strAttr3: strValue, strAttr4: strValue,
}).map((a) => ({ ...DEFAULT_ATTRIBUTES, categoryId: 0, ...a }));

/** Strings made of grammar tokens and junk: closer to real mistakes than random text. */
export const filterLikeText = fc.array(fc.constantFrom(
  'int_attr', 'str_attr2', 'IntAttr3', 'AND', 'or', 'not', 'in', 'notin', '(', ')', ',', '=', '!=', '>=', '<', '<>',
  '"a"', "'b'", '"', '1', '-7', '99999999999', ' ', '|', ';', '--', '\u0000', '中文', 'DROP TABLE images',
), { maxLength: 24 }).map((parts) => parts.join(' '));
