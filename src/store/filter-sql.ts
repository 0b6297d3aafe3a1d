// Compile a filter AST and an image selection into a parameterised SQL WHERE clause, for SQLite
// and PostgreSQL alike: one compiler, two placeholder styles. Values are always bound
// parameters, never spliced into the SQL text.

import type { FilterField, FilterNode } from '../domain/index.js';
import type { ImageSelection } from './store.js';

const COLUMN: Record<FilterField, string> = {
  intAttr: 'int_attr', intAttr2: 'int_attr2', intAttr3: 'int_attr3', intAttr4: 'int_attr4',
  strAttr: 'str_attr', strAttr2: 'str_attr2', strAttr3: 'str_attr3', strAttr4: 'str_attr4',
};

/** `sqlite` binds `?`; `postgres` binds `$1, $2, …` numbered by position in `params`. */
export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlWhere {
  sql: string;
  params: (string | number)[];
}

function bind(params: (string | number)[], value: string | number, dialect: SqlDialect): string {
  params.push(value);
  return dialect === 'sqlite' ? '?' : `$${params.length}`;
}

/**
 * SQL for one filter node (parenthesised), appending its values to `params`. Only `=`/`!=`/`IN`
 * reach string columns (the grammar forbids ordering on strings), so no collation can change a
 * result: equality is byte equality in both engines.
 */
export function filterToSql(node: FilterNode, params: (string | number)[], dialect: SqlDialect = 'sqlite', alias = ''): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.items.map((n) => filterToSql(n, params, dialect, alias)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'in':
      return `(${alias}${COLUMN[node.field]} ${node.negate ? 'NOT IN' : 'IN'} (${node.values.map((v) => bind(params, v, dialect)).join(',')}))`;
    case 'cmp':
      return `(${alias}${COLUMN[node.field]} ${node.op === '!=' ? '<>' : node.op} ${bind(params, node.value, dialect)})`;
  }
}

/**
 * WHERE clause (without the keyword) for an instance and a selection. `params` may already hold
 * values (PostgreSQL numbering continues after them); `alias` prefixes the columns (`i.`).
 */
export function selectionToSql(
  instance: string, sel: ImageSelection & { picName?: string }, dialect: SqlDialect = 'sqlite',
  opts: { params?: (string | number)[]; alias?: string } = {},
): SqlWhere {
  const params = opts.params ?? [];
  const a = opts.alias ?? '';
  const parts = [`${a}instance = ${bind(params, instance, dialect)}`];
  if (sel.productId !== undefined) parts.push(`${a}product_id = ${bind(params, sel.productId, dialect)}`);
  if (sel.picName !== undefined) parts.push(`${a}pic_name = ${bind(params, sel.picName, dialect)}`);
  if (sel.categoryId !== undefined) parts.push(`${a}category_id = ${bind(params, sel.categoryId, dialect)}`);
  if (sel.filter) parts.push(filterToSql(sel.filter, params, dialect, a));
  return { sql: parts.join(' AND '), params };
}
