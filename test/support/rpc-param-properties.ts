// Properties of the Alibaba API's parameter parser (query + form body, strict UTF-8, body wins)
// and of the typed readers behind it, shared by src/api/aliyun/params.fuzz.test.ts and bench/fuzz.ts.

import fc from 'fast-check';
import { percentEncode } from '../../src/api/aliyun/signature.js';
import { MAX_PARAMS, parseRpcParams, parseUrlEncoded } from '../../src/api/aliyun/params.js';
import {
  isTusouError, parseRegion, validateBool, validateCategory, validateIntAttr, validatePaging, validateScoreThreshold,
  type ErrorCode,
} from '../../src/domain/index.js';

/** Fails with a message (fast-check reports the counterexample). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** Run `fn`; it must succeed or throw a catalogue error with one of `codes`. */
function onlyCodes<T>(fn: () => T, ...codes: ErrorCode[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isTusouError(e, ...codes)) throw e;
    return undefined;
  }
}

/** Text that looks like form encoding: separators, escapes (valid, broken, non-UTF-8), any Unicode. */
const formish = fc.array(fc.oneof(
  fc.constantFrom('&', '=', '+', '%', '%2', '%zz', '%20', '%26', '%3D', '%2B', '%25', '%C3%A9', '%E4%B8%AD', '%FF', '%C3', '%80', '%ED%A0%80', '%F0%9F%98%80'),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
), { maxLength: 40 }).map((parts) => parts.join(''));

/** Parameter names and values: ordinary ones, names that mean something to JavaScript objects, any Unicode. */
const name = fc.oneof(
  fc.constantFrom('InstanceName', 'PicContent', 'Num', 'Filter', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('', '=', '&', '+', '%', 'a b', '1=1', "' OR 1=1 --"));
const pairs = fc.array(fc.tuple(name, value), { maxLength: 12 });

const encode = (ps: readonly (readonly [string, string])[], how: 'sdk' | 'whatwg') =>
  (how === 'whatwg' ? new URLSearchParams(ps as [string, string][]).toString() : ps.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'));

/** A digit-heavy string, the kind typed parameters receive (numbers, signs, blanks, junk). */
const numberish = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.double().map(String),
  fc.stringMatching(/^[ +\-0-9.eE,x]{0,14}$/),
  fc.string({ maxLength: 8 }),
);

/**
 * The WHATWG application/x-www-form-urlencoded parser written another way (string operations on a
 * Latin-1 view of the bytes), with fatal UTF-8 decoding: throws where tusou must refuse.
 */
function referenceDecode(text: string): [string, string][] {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const decode = (s: string) => strict.decode(Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
  return Buffer.from(text, 'utf8').toString('latin1').split('&').filter((seq) => seq !== '').map((seq) => {
    const eq = seq.indexOf('=');
    return eq < 0 ? [decode(seq), ''] : [decode(seq.slice(0, eq)), decode(seq.slice(eq + 1))];
  });
}

/** A property of any argument types, as fc.assert and fc.check take it. */
export type AnyProperty = fc.IRawProperty<unknown[]>;
const erase = <T extends unknown[]>(p: fc.IPropertyWithHooks<T>): AnyProperty => p as unknown as AnyProperty;

/** Every property: its name and how to build it (bench/fuzz.ts and the tests choose the run count). */
export const RPC_PARAM_PROPERTIES: { name: string; property: () => AnyProperty }[] = [
  {
    name: 'form decoding follows the WHATWG algorithm (checked against an independent decoder and URLSearchParams), refusing text that is not UTF-8',
    property: () => erase(fc.property(formish, (text) => {
      let want: [string, string][] | 'refused';
      try {
        want = referenceDecode(text);
      } catch {
        want = 'refused';
      }
      let got: [string, string][] | 'refused';
      try {
        got = parseUrlEncoded(Buffer.from(text, 'utf8'), 'body');
      } catch (e) {
        check(isTusouError(e, 'PARAM_INVALID'), `unexpected error ${String(e)}`);
        got = 'refused';
      }
      check(JSON.stringify(got) === JSON.stringify(want), `decoded ${JSON.stringify(got)}, the reference ${JSON.stringify(want)}`);
      // (A leading ? is stripped by URLSearchParams, hence the added one.) Node's URLSearchParams mishandles a literal % next to escapes and non-ASCII text, so it is a
      // reference only for text without a literal %.
      if (!/%(?![0-9A-Fa-f]{2})/.test(text) && got !== 'refused') {
        check(JSON.stringify(got) === JSON.stringify([...new URLSearchParams(`?${text}`)]), 'differs from URLSearchParams');
      }
    })),
  },
  {
    name: 'pairs encoded as the SDK or a browser does decode back to the same pairs, in order',
    property: () => erase(fc.property(pairs, fc.constantFrom('sdk' as const, 'whatwg' as const), (ps, how) => {
      const got = parseUrlEncoded(encode(ps, how), 'query');
      check(JSON.stringify(got) === JSON.stringify(ps), `${JSON.stringify(ps)} came back as ${JSON.stringify(got)}`);
    })),
  },
  {
    name: 'any bytes as a body give pairs or PARAM_INVALID, nothing else',
    property: () => erase(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const got = onlyCodes(() => parseUrlEncoded(Buffer.from(bytes), 'body'), 'PARAM_INVALID');
      if (got) check(got.every(([k, v]) => typeof k === 'string' && typeof v === 'string'), 'non-string pair');
    })),
  },
  {
    name: 'query and form merge with the body winning; names are plain data (no prototype)',
    property: () => erase(fc.property(pairs, pairs, (q, f) => {
      const r = parseRpcParams(`?${encode(q, 'sdk')}`, 'application/x-www-form-urlencoded; charset=UTF-8', Buffer.from(encode(f, 'whatwg')));
      check(Object.getPrototypeOf(r.params) === null, 'params has a prototype');
      const want = new Map<string, string>();
      for (const [k, v] of [...q, ...f]) want.set(k, v);
      check(Object.keys(r.params).length === want.size, 'wrong set of names');
      for (const [k, v] of want) check(Object.hasOwn(r.params, k) && r.params[k] === v, `${k}: ${r.params[k]} instead of ${v}`);
      check(JSON.stringify(r.query) === JSON.stringify(q) && JSON.stringify(r.form) === JSON.stringify(f), 'signed pairs differ from what was sent');
      check(({} as Record<string, unknown>).polluted === undefined && Object.getPrototypeOf({}) === Object.prototype, 'Object.prototype changed');
    })),
  },
  {
    name: 'a body that is not form-urlencoded is refused with BODY_INVALID, an empty one is fine',
    property: () => erase(fc.property(fc.constantFrom(undefined, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedx'), fc.uint8Array({ maxLength: 50 }), (type, bytes) => {
      const got = onlyCodes(() => parseRpcParams('', type, Buffer.from(bytes)), 'BODY_INVALID');
      check((got === undefined) === (bytes.length > 0), 'a body was taken without parameters, or an empty one refused');
    })),
  },
  {
    name: 'typed parameters: Num/Start, IntAttr, ScoreThreshold, Crop, CategoryId, Region give a value in range or their own code',
    property: () => erase(fc.property(numberish, numberish, (a, b) => {
      const paging = onlyCodes(() => validatePaging(a, b), 'NUM_INVALID', 'START_INVALID', 'RESULT_WINDOW_EXCEEDED');
      if (paging) check(Number.isInteger(paging.num) && paging.num >= 1 && paging.num <= 100 && paging.start >= 0 && paging.start + paging.num <= 500, `paging ${JSON.stringify(paging)}`);
      const int = onlyCodes(() => validateIntAttr('intAttr', a), 'ATTR_INT_INVALID');
      if (int !== undefined) check(Number.isInteger(int) && int >= -(2 ** 31) && int < 2 ** 31 && int === Number(a.trim()), `IntAttr ${a} -> ${int}`);
      const score = onlyCodes(() => validateScoreThreshold(a), 'SCORE_THRESHOLD_INVALID');
      if (score !== undefined) check(score >= 0 && score <= 1, `ScoreThreshold ${a} -> ${score}`);
      const crop = onlyCodes(() => validateBool('Crop', a, true), 'PARAM_INVALID');
      if (crop !== undefined) check(a === '' ? crop : crop === (a === 'true'), `Crop ${a} -> ${crop}`);
      const cat = onlyCodes(() => validateCategory('product', a), 'CATEGORY_INVALID');
      if (cat !== undefined) check(Number.isInteger(cat) && cat >= 0, `CategoryId ${a} -> ${cat}`);
      const region = onlyCodes(() => parseRegion(`${a},${b},${b},${a}`, 640, 480), 'REGION_INVALID');
      if (region) check(region.x1 < region.x2 && region.y1 < region.y2 && region.x2 <= 640 && region.y2 <= 480, `Region -> ${JSON.stringify(region)}`);
    })),
  },
];
