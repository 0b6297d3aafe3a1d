// Compile a filter AST and an image selection into a parameterised SQL WHERE clause. Values are
// always bound parameters, never spliced into the SQL text.

import type { FilterField, FilterNode } from '../../domain/index.js';
import type { ImageSelection } from '../store.js';

const COLUMN: Record<FilterField, string> = {
  intAttr: 'int_attr', intAttr2: 'int_attr2', intAttr3: 'int_attr3', intAttr4: 'int_attr4',
  strAttr: 'str_attr', strAttr2: 'str_attr2', strAttr3: 'str_attr3', strAttr4: 'str_attr4',
};

export interface SqlWhere {
  sql: string;
  params: (string | number)[];
}

/** SQL for one filter node (parenthesised). */
export function filterToSql(node: FilterNode, params: (string | number)[]): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.items.map((n) => filterToSql(n, params)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'in':
      params.push(...node.values);
      return `(${COLUMN[node.field]} ${node.negate ? 'NOT IN' : 'IN'} (${node.values.map(() => '?').join(',')}))`;
    case 'cmp':
      params.push(node.value);
      return `(${COLUMN[node.field]} ${node.op === '!=' ? '<>' : node.op} ?)`;
  }
}

/** WHERE clause (without the keyword) for an instance and a selection. */
export function selectionToSql(instance: string, sel: ImageSelection & { picName?: string }): SqlWhere {
  const params: (string | number)[] = [instance];
  const parts = ['instance = ?'];
  if (sel.productId !== undefined) { parts.push('product_id = ?'); params.push(sel.productId); }
  if (sel.picName !== undefined) { parts.push('pic_name = ?'); params.push(sel.picName); }
  if (sel.categoryId !== undefined) { parts.push('category_id = ?'); params.push(sel.categoryId); }
  if (sel.filter) parts.push(filterToSql(sel.filter, params));
  return { sql: parts.join(' AND '), params };
}
