// The filterable attributes of an image as form fields (used when adding and when editing).

import type { Instance } from '../api/client';

export const INT_ATTRS = ['intAttr', 'intAttr2', 'intAttr3', 'intAttr4'] as const;
export const STR_ATTRS = ['strAttr', 'strAttr2', 'strAttr3', 'strAttr4'] as const;
export type AttrName = 'categoryId' | (typeof INT_ATTRS)[number] | (typeof STR_ATTRS)[number] | 'customContent';
export type AttrValues = Partial<Record<AttrName, string>>;

/** The attribute values as an API body: integers as numbers, empty fields left out unless `keepEmpty`. */
export function attributeBody(values: AttrValues, keepEmpty: readonly AttrName[] = []): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(values) as [AttrName, string | undefined][]) {
    if (v === undefined) continue;
    if (v === '' && !keepEmpty.includes(k)) continue;
    out[k] = k === 'categoryId' || k.startsWith('intAttr') ? (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v) : v;
  }
  return out;
}

interface Props {
  idPrefix: string;
  instance?: Instance;
  values: AttrValues;
  onChange: (values: AttrValues) => void;
  /** Fields the server rejected, marked invalid. */
  invalid?: string[];
  disabled?: boolean;
}

/** Category (product instances), IntAttr..4, StrAttr..4 and CustomContent as labelled fields. */
export function AttributeFields({ idPrefix, instance, values, onChange, invalid = [], disabled }: Props) {
  const set = (k: AttrName, v: string) => onChange({ ...values, [k]: v });
  const field = (k: AttrName, label: string, type: 'int' | 'text') => {
    const common = {
      id: `${idPrefix}-${k}`,
      name: k,
      value: values[k] ?? '',
      'aria-invalid': invalid.includes(k) || undefined,
      disabled,
      onInput: (e: { currentTarget: HTMLInputElement }) => set(k, e.currentTarget.value),
    };
    return (
      <div class="field" key={k}>
        <label for={common.id}>{label}</label>
        {type === 'int' ? <input type="number" inputMode="numeric" step={1} {...common} /> : <input type="text" {...common} />}
      </div>
    );
  };
  return (
    <div class="attribute-fields">
      {instance?.serviceType === 'product' && (
        <div class="field">
          <label for={`${idPrefix}-categoryId`}>Category</label>
          <select id={`${idPrefix}-categoryId`} name="categoryId" value={values.categoryId ?? ''} disabled={disabled} aria-invalid={invalid.includes('categoryId') || undefined} onChange={(e) => set('categoryId', e.currentTarget.value)}>
            <option value="">predict from the picture</option>
            {instance.categories.map((c) => <option key={c.id} value={String(c.id)}>{c.name} · {c.nameZh} ({c.id})</option>)}
          </select>
        </div>
      )}
      <div class="field-grid">
        {INT_ATTRS.map((k, i) => field(k, `IntAttr${i ? i + 1 : ''}`, 'int'))}
        {STR_ATTRS.map((k, i) => field(k, `StrAttr${i ? i + 1 : ''}`, 'text'))}
      </div>
      <div class="field">
        <label for={`${idPrefix}-customContent`}>CustomContent</label>
        <textarea id={`${idPrefix}-customContent`} name="customContent" rows={3} value={values.customContent ?? ''} disabled={disabled} aria-invalid={invalid.includes('customContent') || undefined} onInput={(e) => set('customContent', e.currentTarget.value)} />
      </div>
    </div>
  );
}

/** The fields an API error points at (from its details or its code). */
export function invalidFields(err: unknown): string[] {
  const e = err as { code?: string; details?: Record<string, unknown> } | undefined;
  if (!e?.code) return [];
  const field = typeof e.details?.field === 'string' ? e.details.field : '';
  const lower = field.charAt(0).toLowerCase() + field.slice(1);
  if (e.code === 'CATEGORY_INVALID') return ['categoryId'];
  if (e.code === 'CUSTOM_CONTENT_INVALID') return ['customContent'];
  if (e.code === 'PRODUCT_ID_INVALID' || e.code === 'PRODUCT_ID_MISSING') return ['productId'];
  if (e.code === 'PIC_NAME_INVALID' || e.code === 'PIC_NAME_MISSING') return ['picName'];
  return lower ? [lower] : [];
}
