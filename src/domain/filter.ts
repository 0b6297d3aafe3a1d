// The filter grammar of the cloud product (aliyun-imagesearch-api.md §2.9), parsed once into an
// AST that the in-memory matcher and the stores' SQL compilers share.

import { TusouError, shown } from './errors.js';
import type { ImageAttributes, IntAttrName, StrAttrName } from './types.js';

/** A filterable attribute. */
export type FilterField = IntAttrName | StrAttrName;
export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** Filter AST. `and`/`or` have at least two children; leaves compare one field. */
export type FilterNode =
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'cmp'; field: FilterField; op: CompareOp; value: number | string }
  | { kind: 'in'; field: FilterField; negate: boolean; values: (number | string)[] };

/** Limits that keep parsing cheap and bounded. */
export const FILTER_LIMITS = Object.freeze({ maxLength: 4096, maxDepth: 32, maxInValues: 1000 });

const FIELDS: Record<string, FilterField> = {
  int_attr: 'intAttr', int_attr1: 'intAttr', int_attr2: 'intAttr2', int_attr3: 'intAttr3', int_attr4: 'intAttr4',
  str_attr: 'strAttr', str_attr1: 'strAttr', str_attr2: 'strAttr2', str_attr3: 'strAttr3', str_attr4: 'strAttr4',
};

/** True for the integer-valued fields. */
export const isIntField = (f: FilterField): f is IntAttrName => f.startsWith('int');

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: CompareOp; pos: number }
  | { t: '(' | ')' | ',' | 'end'; pos: number };

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end': return 'end of filter';
    case 'str': return shown(tok.v, 30);
    case 'ident': case 'num': case 'op': return `'${tok.v}'`;
    default: return `'${tok.t}'`;
  }
}

function syntax(pos: number, expected: string, got: string): TusouError {
  return new TusouError('FILTER_SYNTAX', { position: pos + 1, expected, got });
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c, pos: i }); i++; continue; }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw syntax(i, `a closing ${c}`, 'end of filter');
      out.push({ t: 'str', v: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '>=' || two === '<=' || two === '!=' || two === '<>' || two === '==') {
      out.push({ t: 'op', v: two === '<>' ? '!=' : two === '==' ? '=' : two, pos: i });
      i += 2;
      continue;
    }
    if (c === '>' || c === '<' || c === '=') { out.push({ t: 'op', v: c, pos: i }); i++; continue; }
    const num = /^[-+]?\d+/.exec(src.slice(i, i + 24));
    if (num) { out.push({ t: 'num', v: num[0], pos: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 64));
    if (id) { out.push({ t: 'ident', v: id[0], pos: i }); i += id[0].length; continue; }
    throw syntax(i, 'a field, value, operator or parenthesis', shown(c));
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

/** Map the spellings the cloud docs use (`int_attr2`, `IntAttr2`, `intAttr2`) to a field. */
function fieldOf(name: string): FilterField | undefined {
  const snake = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return FIELDS[snake];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Parse a filter expression. AND binds tighter than OR; keywords are case-insensitive.
 * @throws FILTER_SYNTAX with the 1-based position, what was expected and what was found.
 * @throws FILTER_INVALID for type errors (ordering on strings, non-integer values) and limits.
 * @example parseFilter('int_attr>=100 AND (str_attr="a" OR str_attr2 in ("x","y"))')
 */
export function parseFilter(src: string): FilterNode {
  if (src.length > FILTER_LIMITS.maxLength) {
    throw new TusouError('FILTER_INVALID', { reason: `it is ${src.length} characters; the limit is ${FILTER_LIMITS.maxLength}` });
  }
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k];
  const next = () => toks[k++];
  const isKw = (tok: Token, kw: string) => tok.t === 'ident' && tok.v.toUpperCase() === kw;

  const expect = (t: Token['t'], what: string): Token => {
    const tok = next();
    if (tok.t !== t) throw syntax(tok.pos, what, describe(tok));
    return tok;
  };

  const literal = (field: FilterField): number | string => {
    const tok = next();
    if (isIntField(field)) {
      if (tok.t !== 'num') throw syntax(tok.pos, `an integer for ${fieldName(field)}`, describe(tok));
      const n = Number(tok.v);
      if (!Number.isSafeInteger(n) || n < INT32_MIN || n > INT32_MAX) {
        throw new TusouError('FILTER_INVALID', { reason: `${tok.v} is outside the 32-bit integer range of ${fieldName(field)}` });
      }
      return n;
    }
    if (tok.t !== 'str') throw syntax(tok.pos, `a double-quoted string for ${fieldName(field)}`, describe(tok));
    return tok.v;
  };

  const literalList = (field: FilterField): (number | string)[] => {
    expect('(', "'(' after IN");
    const values = [literal(field)];
    while (peek().t === ',') { next(); values.push(literal(field)); }
    expect(')', "',' or ')'");
    if (values.length > FILTER_LIMITS.maxInValues) {
      throw new TusouError('FILTER_INVALID', { reason: `an IN list has ${values.length} values; the limit is ${FILTER_LIMITS.maxInValues}` });
    }
    return values;
  };

  const fieldAt = (tok: Token): FilterField => {
    const f = tok.t === 'ident' ? fieldOf(tok.v) : undefined;
    if (!f) throw syntax(tok.pos, 'a field (int_attr, int_attr2..4, str_attr, str_attr2..4)', describe(tok));
    return f;
  };

  // HA3/OpenSearch spelling: in(field, "v1|v2") / notin(field, "v1|v2")
  const functionIn = (negate: boolean): FilterNode => {
    expect('(', "'(' after in");
    const field = fieldAt(next());
    expect(',', "','");
    const s = expect('str', 'a double-quoted list of values separated by |') as { v: string; pos: number };
    expect(')', "')'");
    const parts = s.v.split('|');
    const values = parts.map((p) => {
      if (!isIntField(field)) return p;
      const n = Number(p.trim());
      if (!/^\s*[-+]?\d+\s*$/.test(p) || n < INT32_MIN || n > INT32_MAX) throw syntax(s.pos, `integers for ${fieldName(field)}`, shown(p));
      return n;
    });
    return { kind: 'in', field, negate, values };
  };

  const predicate = (): FilterNode => {
    const tok = next();
    if (tok.t === 'ident' && (tok.v.toLowerCase() === 'in' || tok.v.toLowerCase() === 'notin') && peek().t === '(') {
      return functionIn(tok.v.toLowerCase() === 'notin');
    }
    const field = fieldAt(tok);
    const op = peek();
    if (isKw(op, 'NOT')) {
      next();
      if (!isKw(next(), 'IN')) throw syntax(toks[k - 1].pos, "'in' after 'not'", describe(toks[k - 1]));
      return { kind: 'in', field, negate: true, values: literalList(field) };
    }
    if (isKw(op, 'IN')) { next(); return { kind: 'in', field, negate: false, values: literalList(field) }; }
    if (op.t !== 'op') throw syntax(op.pos, 'an operator (= != > >= < <= in, not in)', describe(op));
    next();
    if (!isIntField(field) && op.v !== '=' && op.v !== '!=') {
      throw new TusouError('FILTER_INVALID', { reason: `${fieldName(field)} is a string field; only =, !=, in and not in apply to it (got ${op.v})` });
    }
    return { kind: 'cmp', field, op: op.v, value: literal(field) };
  };

  const unary = (depth: number): FilterNode => {
    if (peek().t === '(') {
      if (depth >= FILTER_LIMITS.maxDepth) {
        throw new TusouError('FILTER_INVALID', { reason: `parentheses nest deeper than ${FILTER_LIMITS.maxDepth} levels` });
      }
      next();
      const inner = orExpr(depth + 1);
      expect(')', "')' or AND/OR");
      return inner;
    }
    return predicate();
  };

  const andExpr = (depth: number): FilterNode => {
    const items = [unary(depth)];
    while (isKw(peek(), 'AND')) { next(); items.push(unary(depth)); }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };

  const orExpr = (depth: number): FilterNode => {
    const items = [andExpr(depth)];
    while (isKw(peek(), 'OR')) { next(); items.push(andExpr(depth)); }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };

  if (toks.length === 1) throw syntax(0, 'a condition', 'an empty filter');
  const ast = orExpr(0);
  const rest = peek();
  if (rest.t !== 'end') throw syntax(rest.pos, 'AND, OR or the end of the filter', describe(rest));
  return ast;
}

/** The cloud product's spelling of a field, for messages. */
export function fieldName(f: FilterField): string {
  return f.replace(/^(int|str)Attr(\d?)$/, (_, t: string, n: string) => `${t}_attr${n}`);
}

/** Evaluate a filter against attributes (unset attributes are 0 / ""). */
export function matchesFilter(node: FilterNode, a: Pick<ImageAttributes, FilterField>): boolean {
  switch (node.kind) {
    case 'and': return node.items.every((n) => matchesFilter(n, a));
    case 'or': return node.items.some((n) => matchesFilter(n, a));
    case 'in': return node.values.includes(a[node.field]) !== node.negate;
    case 'cmp': {
      const v = a[node.field];
      switch (node.op) {
        case '=': return v === node.value;
        case '!=': return v !== node.value;
        case '>': return v > node.value;
        case '>=': return v >= node.value;
        case '<': return v < node.value;
        case '<=': return v <= node.value;
      }
    }
  }
}
