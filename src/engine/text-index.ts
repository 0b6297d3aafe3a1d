// Text search over what tusou knows about each image (detected labels, category names in
// English and Chinese with synonyms, PicName, CustomContent, string attributes), ranked by
// MiniSearch's BM25. One in-memory index per instance, built on first use and kept current.

import MiniSearch from 'minisearch';
import { categoryWords, labelWords, type ImageRecord } from '../domain/index.js';

interface Doc {
  id: number;
  objects: string;
  category: string;
  name: string;
  content: string;
  attrs: string;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Split into lower-case words. CJK text has no spaces: for indexing, a run of CJK characters
 * becomes its characters and adjacent pairs (so a query "鞋" finds "运动鞋"); for queries
 * (`query`), runs of two or more become their pairs only, so "鞋子" does not match every "子".
 */
export function tokenize(text: string, query = false): string[] {
  const out: string[] = [];
  for (const part of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!part) continue;
    if (!CJK.test(part)) {
      out.push(part);
      continue;
    }
    let latin = '';
    const chars = [...part];
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i];
      if (!CJK.test(ch)) { latin += ch; continue; }
      if (latin) { out.push(latin); latin = ''; }
      const pair = i + 1 < chars.length && CJK.test(chars[i + 1]);
      const alone = !pair && (i === 0 || !CJK.test(chars[i - 1]));
      if (!query || alone) out.push(ch);
      if (pair) out.push(ch + chars[i + 1]);
    }
    if (latin) out.push(latin);
  }
  return out;
}

function docOf(r: ImageRecord): Doc {
  return {
    id: r.label,
    objects: [...new Set(r.regions.flatMap((g) => labelWords(g.label)))].join(' '),
    category: categoryWords(r.categoryId).join(' '),
    // File names: "red_shoe-01.jpg" → words
    name: r.picName.replace(/\.[a-z0-9]{2,5}$/i, '').replace(/[_\-.]+/g, ' '),
    content: r.customContent,
    attrs: [r.strAttr, r.strAttr2, r.strAttr3, r.strAttr4].join(' '),
  };
}

export interface TextHit {
  label: number;
  /** BM25 relevance (unbounded, higher is better). */
  relevance: number;
}

/** The text index of one instance. */
export class TextIndex {
  private readonly mini = new MiniSearch<Doc>({
    fields: ['objects', 'category', 'name', 'content', 'attrs'],
    tokenize: (text) => tokenize(text),
    searchOptions: {
      tokenize: (text) => tokenize(text, true),
      // What was seen in the picture and its category weigh more than free text.
      boost: { objects: 2, category: 2, name: 1.5, content: 1, attrs: 1 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 6 ? 0.15 : false),
      combineWith: 'OR',
    },
  });

  get size(): number {
    return this.mini.documentCount;
  }

  upsert(r: ImageRecord): void {
    if (this.mini.has(r.label)) this.mini.discard(r.label);
    this.mini.add(docOf(r));
  }

  remove(label: number): void {
    if (this.mini.has(label)) this.mini.discard(label);
  }

  /** Matching labels, most relevant first, among those `allowed` accepts. */
  search(text: string, allowed?: (label: number) => boolean): TextHit[] {
    return this.mini.search(text, allowed ? { filter: (r) => allowed(r.id as number) } : {})
      .map((r) => ({ label: r.id as number, relevance: r.score }));
  }
}
