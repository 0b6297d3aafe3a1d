// A search as one self-contained HTML page: the query with its regions drawn, and every hit's
// thumbnail, key, category and score. Pictures are inlined as data URLs, so the file works
// offline and can be mailed around.

import type { Box } from '../domain/index.js';

/** One result on the sheet, its thumbnail already encoded. */
/** Everything a contact sheet shows. */
export interface ContactSheetHit {
  productId: string;
  picName: string;
  categoryId: number;
  score: number;
  customContent?: string;
  thumbnail: { bytes: Buffer; contentType: string };
}

/** Everything a contact sheet shows. */
export interface ContactSheet {
  instance: string;
  /** What the query was (a file name). */
  queryName: string;
  /** The query as PNG with its regions drawn. */
  queryPng: Buffer;
  region: Box;
  categoryId: number;
  docsFound: number;
  hits: ContactSheetHit[];
  createdAt: Date;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
const dataUrl = (bytes: Buffer, type: string) => `data:${type};base64,${bytes.toString('base64')}`;

const STYLE = `
body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:1.5rem;color:#1b2230;background:#f5f6f8}
h1{font-size:1.4rem;margin:0 0 .25rem}p.meta{color:#5b6474;margin:0 0 1rem}
.query{background:#fff;border:1px solid #d9dde4;border-radius:8px;padding:1rem;margin-bottom:1rem}
.query img{max-width:100%;height:auto;display:block}
ol{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.75rem}
li{background:#fff;border:1px solid #d9dde4;border-radius:8px;overflow:hidden}
li .t{height:160px;display:flex;align-items:center;justify-content:center;background:#eef0f3}
li .t img{max-width:100%;max-height:160px}
li div.k{padding:.5rem .6rem;font-size:.9rem;overflow-wrap:anywhere}
.rank{color:#5b6474}.score{font-weight:700;font-variant-numeric:tabular-nums}
`;

/** The HTML of a contact sheet. Text from records is escaped; nothing is loaded from elsewhere. */
export function contactSheetHtml(sheet: ContactSheet): string {
  const r = sheet.region;
  const cards = sheet.hits.map((h, i) => `<li data-product-id="${escapeHtml(h.productId)}" data-pic-name="${escapeHtml(h.picName)}" data-score="${h.score}">
<div class="t"><img alt="${escapeHtml(`${h.productId} / ${h.picName}`)}" src="${dataUrl(h.thumbnail.bytes, h.thumbnail.contentType)}"></div>
<div class="k"><span class="rank">#${i + 1}</span> <strong>${escapeHtml(h.productId)}</strong><br>${escapeHtml(h.picName)}<br>
score <span class="score">${h.score.toFixed(4)}</span> · category ${h.categoryId}${h.customContent ? `<br><small>${escapeHtml(h.customContent.slice(0, 200))}</small>` : ''}</div></li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tusou search: ${escapeHtml(sheet.queryName)} in ${escapeHtml(sheet.instance)}</title><style>${STYLE}</style></head>
<body>
<h1>Search of ${escapeHtml(sheet.instance)} with ${escapeHtml(sheet.queryName)}</h1>
<p class="meta">${sheet.docsFound} candidates · ${sheet.hits.length} shown · searched region ${r.x1},${r.y1} to ${r.x2},${r.y2} · category ${sheet.categoryId} · ${escapeHtml(sheet.createdAt.toISOString())}</p>
<section class="query"><img alt="The query with its regions drawn" src="${dataUrl(sheet.queryPng, 'image/png')}"></section>
<ol>
${cards}
</ol>
</body></html>
`;
}
