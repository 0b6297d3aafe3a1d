// The filterable attributes of an instance's images, in memory and by column (about 40 bytes
// per image), so the planner can count and collect the images a filter selects in a few
// milliseconds for a million images — without a round trip to the store. Filters are compiled
// once per query into a loop over typed arrays; strings are interned to integers.

import type { FilterField, FilterNode, ImageAttributes } from '../domain/index.js';

type Columns = Pick<ImageAttributes, 'categoryId' | FilterField>;

const INT_COLUMNS = ['categoryId', 'intAttr', 'intAttr2', 'intAttr3', 'intAttr4'] as const;
const STR_COLUMNS = ['strAttr', 'strAttr2', 'strAttr3', 'strAttr4'] as const;
type IntColumn = (typeof INT_COLUMNS)[number];
type StrColumn = (typeof STR_COLUMNS)[number];

export class AttributeTable {
  private capacity: number;
  private count = 0;
  private labelAt: Float64Array;
  private readonly rowOf = new Map<number, number>();
  private readonly ints = {} as Record<IntColumn, Int32Array>;
  private readonly strs = {} as Record<StrColumn, Int32Array>;
  /** Reused output buffer of select(). */
  private scratch = new Float64Array(0);
  /** Interned strings: value → id. Ids are never reused, so a compiled filter stays valid. */
  private readonly intern = new Map<string, number>([['', 0]]);

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.labelAt = new Float64Array(initialCapacity);
    for (const c of INT_COLUMNS) this.ints[c] = new Int32Array(initialCapacity);
    for (const c of STR_COLUMNS) this.strs[c] = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(this.capacity);
      b.set(a);
      return b;
    };
    this.labelAt = grown(this.labelAt);
    for (const c of INT_COLUMNS) this.ints[c] = grown(this.ints[c]);
    for (const c of STR_COLUMNS) this.strs[c] = grown(this.strs[c]);
  }

  private idOf(s: string): number {
    let id = this.intern.get(s);
    if (id === undefined) {
      id = this.intern.size;
      this.intern.set(s, id);
    }
    return id;
  }

  /** Insert or update the attributes of a label. */
  set(label: number, a: Columns): void {
    let row = this.rowOf.get(label);
    if (row === undefined) {
      if (this.count === this.capacity) this.grow();
      row = this.count++;
      this.rowOf.set(label, row);
      this.labelAt[row] = label;
    }
    for (const c of INT_COLUMNS) this.ints[c][row] = a[c];
    for (const c of STR_COLUMNS) this.strs[c][row] = this.idOf(a[c]);
  }

  /** Remove a label (the last row moves into its place). */
  remove(label: number): boolean {
    const row = this.rowOf.get(label);
    if (row === undefined) return false;
    const last = --this.count;
    if (row !== last) {
      this.labelAt[row] = this.labelAt[last];
      this.rowOf.set(this.labelAt[row], row);
      for (const c of INT_COLUMNS) this.ints[c][row] = this.ints[c][last];
      for (const c of STR_COLUMNS) this.strs[c][row] = this.strs[c][last];
    }
    this.rowOf.delete(label);
    return true;
  }

  has(label: number): boolean {
    return this.rowOf.has(label);
  }

  /** Every label present. */
  labels(): Iterable<number> {
    return this.rowOf.keys();
  }

  /**
   * The labels a filter (and category) selects, in row order.
   * @example table.select(parseFilter('int_attr >= 10 AND str_attr = "red"'))
   */
  select(filter?: FilterNode, categoryId?: number): Float64Array {
    if (!filter && categoryId === undefined) return this.labelAt.slice(0, this.count);
    const sets: Set<number>[] = [];
    const parts: string[] = [];
    if (categoryId !== undefined) parts.push(`categoryId[r] === ${Number(categoryId) | 0}`);
    if (filter) parts.push(this.expression(filter, sets));
    // One loop over typed arrays with the whole condition inlined: ~10× faster than calling a
    // closure per node and row. Only integers and fixed column names reach the generated code.
    const columns = [...INT_COLUMNS, ...STR_COLUMNS];
    const scan = new Function('c', 'sets', 'labelAt', 'n', 'out', `
      const ${columns.map((col) => `${col} = c.${col}`).join(', ')};
      let k = 0;
      for (let r = 0; r < n; r++) if (${parts.join(' && ')}) out[k++] = labelAt[r];
      return k;`) as (c: Record<string, Int32Array>, sets: Set<number>[], labelAt: Float64Array, n: number, out: Float64Array) => number;
    if (this.scratch.length < this.count) this.scratch = new Float64Array(this.capacity);
    const n = scan({ ...this.ints, ...this.strs }, sets, this.labelAt, this.count, this.scratch);
    return this.scratch.slice(0, n);
  }

  /** JavaScript source of a filter over row `r` (columns are locals named after fields); large IN lists go through `sets`. */
  private expression(node: FilterNode, sets: Set<number>[]): string {
    switch (node.kind) {
      case 'and': return `(${node.items.map((n) => this.expression(n, sets)).join(' && ')})`;
      case 'or': return `(${node.items.map((n) => this.expression(n, sets)).join(' || ')})`;
      case 'in': {
        const { col, values } = this.operands(node.field, node.values);
        let test: string;
        if (values.length <= 8) test = `(${values.map((v) => `${col}[r] === ${v}`).join(' || ')})`;
        else {
          sets.push(new Set(values));
          test = `sets[${sets.length - 1}].has(${col}[r])`;
        }
        return node.negate ? `!${test}` : test;
      }
      case 'cmp': {
        const { col, values } = this.operands(node.field, [node.value]);
        const op = node.op === '=' ? '===' : node.op === '!=' ? '!==' : node.op;
        return `(${col}[r] ${op} ${values[0]})`;
      }
    }
  }

  /** The column of a field and its literals as integers (validated int32 or string ids). */
  private operands(field: FilterField, literals: (number | string)[]): { col: FilterField; values: number[] } {
    if (field.startsWith('int')) return { col: field, values: literals.map((v) => Number(v) | 0) };
    // A string never interned cannot be in any row: -1 matches nothing (and != it matches all).
    return { col: field, values: literals.map((s) => this.intern.get(s as string) ?? -1) };
  }
}
