// Search results as a gallery: thumbnail, ProductId, PicName, category and score per hit, in a
// chosen order; match geometry drawn on the result picture when the hit carries it.

import { useState } from 'preact/hooks';
import { urls, type Hit, type Instance } from '../api/client';
import { matchGeometryOf } from '../match-geometry';
import { Link, paths } from '../router';
import { ApiImage } from './ApiImage';

type SortKey = 'score' | 'productId' | 'picName';

/** `Name (id)` of a category of the instance, or the bare id when unknown. */
export function categoryName(instance: Instance | undefined, id: number): string {
  const c = instance?.categories.find((x) => x.id === id);
  return c ? `${c.name} (${id})` : String(id);
}

function MatchOverlay({ hit }: { hit: Hit }) {
  const m = matchGeometryOf(hit);
  if (!m) return null;
  return (
    // `meet`: the picture's coordinates fitted into the stage exactly as the <img> (object-fit: contain) is.
    <svg class="match-overlay" viewBox={`0 0 ${hit.width} ${hit.height}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
      {m.box && <rect x={m.box.x1} y={m.box.y1} width={m.box.x2 - m.box.x1} height={m.box.y2 - m.box.y1} />}
      {m.points.map((p, i) => <circle key={i} cx={p.x} cy={p.y} r={Math.max(hit.width, hit.height) / 100} />)}
    </svg>
  );
}

/** The hits of a search as cards, sortable by score, ProductId or PicName, each linking to its image page. */
export function Gallery({ instance, name, hits, label }: { instance?: Instance; name: string; hits: Hit[]; label: string }) {
  const [sort, setSort] = useState<SortKey>('score');
  const sorted = [...hits].sort((a, b) => (sort === 'score' ? b.score - a.score : a[sort].localeCompare(b[sort])));
  return (
    <section class="gallery" aria-label={label}>
      <div class="gallery-tools">
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
            <option value="score">score, best first</option>
            <option value="productId">ProductId</option>
            <option value="picName">PicName</option>
          </select>
        </label>
      </div>
      {sorted.length === 0 ? <p class="muted">No images matched.</p> : (
        <ol class="cards">
          {sorted.map((h) => {
            const m = matchGeometryOf(h);
            return (
              <li key={`${h.productId}\u0000${h.picName}`} class="card" data-product-id={h.productId} data-pic-name={h.picName} data-score={h.score}>
                <Link href={paths.image(name, h.productId, h.picName)} class="card-link">
                  <div class="thumb">
                    <div class="stage">
                      <ApiImage src={urls.thumbnail(name, h.productId, h.picName, 256)} alt={`${h.productId} / ${h.picName}`} width={h.width} height={h.height} loading="lazy" />
                      <MatchOverlay hit={h} />
                    </div>
                  </div>
                  <div class="card-text">
                    <span class="card-title">{h.productId}</span>
                    <span class="card-sub">{h.picName}</span>
                  </div>
                </Link>
                <div class="card-facts">
                  <div class="fact"><span class="muted">Score</span> <span class="score">{h.score.toFixed(4)}</span> <meter min={0} max={1} value={h.score} aria-hidden="true" /></div>
                  <div class="fact" title={categoryName(instance, h.categoryId)}><span class="muted">Category</span> {categoryName(instance, h.categoryId)}</div>
                  {m?.inliers !== undefined && <div class="fact"><span class="muted">Inliers</span> {m.inliers}</div>}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
