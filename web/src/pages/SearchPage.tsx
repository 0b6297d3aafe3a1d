// Search by picture: upload or paste a picture, see every detected region on it with its label
// and confidence, pick another region or draw one to search that part, set filters and paging,
// and read the results as a gallery (or as the raw JSON next to it).

import { useEffect, useRef, useState } from 'preact/hooks';
import {
  call, formatRegion, postForBlob, sameBox, urls, type Box, type Instance, type Region, type SearchResult,
} from '../api/client';
import { DropZone } from '../components/DropZone';
import { ErrorBox } from '../components/ErrorBox';
import { Gallery } from '../components/Gallery';
import { InstanceNav } from '../components/InstanceNav';
import { JsonView } from '../components/JsonView';
import { Layout } from '../components/Layout';
import { Paging } from '../components/Paging';
import { RegionCanvas, tagText, type CanvasBox } from '../components/RegionCanvas';
import { ViewSwitch, type ViewMode } from '../components/ViewSwitch';
import { paths } from '../router';
import { useApi } from '../use-api';

interface Options {
  filter: string;
  categoryId: string;
  num: number;
  scoreThreshold: string;
  distinctProductId: boolean;
  crop: boolean;
}

/** What to search in the picture: let the server choose (detection), or a given box. */
type RegionChoice = { auto: true } | { auto: false; box: Box };

const NUMS = [5, 10, 20, 50, 100];

function RegionEditor({ width, height, current, onSearch, busy }: { width: number; height: number; current?: Box; onSearch: (b: Box) => void; busy: boolean }) {
  const [v, setV] = useState({ x1: '', y1: '', x2: '', y2: '' });
  useEffect(() => {
    if (current) setV({ x1: String(current.x1), y1: String(current.y1), x2: String(current.x2), y2: String(current.y2) });
  }, [current?.x1, current?.y1, current?.x2, current?.y2]);
  const num = (k: keyof typeof v, label: string, max: number) => (
    <div class="field">
      <label for={`region-${k}`}>{label}</label>
      <input id={`region-${k}`} type="number" min={0} max={max} step={1} inputMode="numeric" value={v[k]} onInput={(e) => setV({ ...v, [k]: e.currentTarget.value })} />
    </div>
  );
  return (
    <details class="region-editor">
      <summary>Enter a region by numbers</summary>
      <form onSubmit={(e) => {
        e.preventDefault();
        onSearch({ x1: Number(v.x1), y1: Number(v.y1), x2: Number(v.x2), y2: Number(v.y2) });
      }}>
        <p class="hint">Pixels of the picture ({width}×{height}); top-left x1,y1, bottom-right x2,y2.</p>
        <div class="field-grid four">
          {num('x1', 'x1 (left)', width)}
          {num('y1', 'y1 (top)', height)}
          {num('x2', 'x2 (right)', width)}
          {num('y2', 'y2 (bottom)', height)}
        </div>
        <button type="submit" disabled={busy}>Search this region</button>
      </form>
    </details>
  );
}

function OptionsForm({ instance, options, onChange, onSubmit, busy, hasPicture }: {
  instance?: Instance; options: Options; onChange: (o: Options) => void; onSubmit: () => void; busy: boolean; hasPicture: boolean;
}) {
  const set = <K extends keyof Options>(k: K, v: Options[K]) => onChange({ ...options, [k]: v });
  return (
    <form class="panel search-options" aria-labelledby="options-title" onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h2 id="options-title">Options</h2>
      <div class="field">
        <label for="search-filter">Filter</label>
        <input id="search-filter" type="text" placeholder='int_attr>=100 AND str_attr in ("a","b")' value={options.filter} onInput={(e) => set('filter', e.currentTarget.value)} />
      </div>
      {instance?.serviceType === 'product' && (
        <div class="field">
          <label for="search-category">Category</label>
          <select id="search-category" value={options.categoryId} onChange={(e) => set('categoryId', e.currentTarget.value)}>
            <option value="">predicted from the picture</option>
            {instance.categories.map((c) => <option key={c.id} value={String(c.id)}>{c.name} · {c.nameZh} ({c.id})</option>)}
          </select>
        </div>
      )}
      <div class="field-grid">
        <div class="field">
          <label for="search-num">Results per page (Num)</label>
          <select id="search-num" value={String(options.num)} onChange={(e) => set('num', Number(e.currentTarget.value))}>
            {NUMS.map((n) => <option key={n} value={String(n)}>{n}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="search-threshold">Score threshold</label>
          <input id="search-threshold" type="number" min={0} max={1} step={0.01} inputMode="decimal" placeholder="0" value={options.scoreThreshold} onInput={(e) => set('scoreThreshold', e.currentTarget.value)} />
        </div>
      </div>
      <div class="field checkbox">
        <input id="search-distinct" type="checkbox" checked={options.distinctProductId} onChange={(e) => set('distinctProductId', e.currentTarget.checked)} />
        <label for="search-distinct">At most one result per ProductId</label>
      </div>
      <div class="field checkbox">
        <input id="search-crop" type="checkbox" checked={options.crop} onChange={(e) => set('crop', e.currentTarget.checked)} />
        <label for="search-crop">Detect the subject (otherwise the whole picture)</label>
      </div>
      <button type="submit" class="primary" disabled={busy || !hasPicture}>{busy ? 'Searching…' : 'Search'}</button>
      {!hasPicture && <p class="hint">Choose or paste a picture first.</p>}
    </form>
  );
}

/** The search-by-picture page of instance `name`. */
export function SearchPage({ name }: { name: string }) {
  const instance = useApi<Instance>(urls.instance(name));
  const [picture, setPicture] = useState<{ file: File; url: string }>();
  const [options, setOptions] = useState<Options>({ filter: '', categoryId: '', num: 10, scoreThreshold: '', distinctProductId: false, crop: true });
  const [choice, setChoice] = useState<RegionChoice>({ auto: true });
  const [start, setStart] = useState(0);
  const [result, setResult] = useState<SearchResult>();
  const [detected, setDetected] = useState<Region[]>([]);
  const [custom, setCustom] = useState<Box[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [view, setView] = useState<ViewMode>('visual');
  const [pngBusy, setPngBusy] = useState(false);

  const form = (file: File, c: RegionChoice, s: number, annotate = false) => {
    const f = new FormData();
    f.set('picture', file, file.name || 'pasted.png');
    f.set('num', String(options.num));
    f.set('start', String(s));
    f.set('crop', String(options.crop));
    f.set('distinctProductId', String(options.distinctProductId));
    if (options.filter.trim()) f.set('filter', options.filter.trim());
    if (options.categoryId) f.set('categoryId', options.categoryId);
    if (options.scoreThreshold.trim()) f.set('scoreThreshold', options.scoreThreshold.trim());
    if (!c.auto) f.set('region', formatRegion(c.box));
    if (annotate) f.set('annotate', 'true');
    return f;
  };

  const run = async (file: File, c: RegionChoice, s: number) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await call<SearchResult>('POST', urls.search(name), form(file, c, s));
      setResult(res);
      setChoice(c);
      setStart(s);
      // Detections come back only when the server chose the region; keep them while the user
      // searches boxes of the same picture.
      if (c.auto) setDetected(res.query.regions);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const choose = (file: File) => {
    if (picture) URL.revokeObjectURL(picture.url);
    setPicture({ file, url: URL.createObjectURL(file) });
    setResult(undefined);
    setDetected([]);
    setCustom([]);
    void run(file, { auto: true }, 0);
  };

  // The paste listener calls the latest `choose` (today's options), not the one of the render that
  // registered it: effects run after the next frame, and a paste can come before that.
  const latestChoose = useRef(choose);
  latestChoose.current = choose;
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      if (!file) return;
      e.preventDefault();
      latestChoose.current(file);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);

  const searchBox = (box: Box) => {
    if (!picture) return;
    if (!detected.some((r) => sameBox(r.box, box)) && !custom.some((b) => sameBox(b, box))) setCustom((list) => [...list, box]);
    void run(picture.file, { auto: false, box }, 0);
  };

  const downloadPng = async () => {
    if (!picture) return;
    setPngBusy(true);
    try {
      const blob = await postForBlob(urls.search(name), form(picture.file, choice, start, true));
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'query-annotated.png';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(err);
    } finally {
      setPngBusy(false);
    }
  };

  const q = result?.query;
  const boxes: CanvasBox[] = [];
  if (q) {
    detected.forEach((r, i) => boxes.push({ id: `d${i}`, box: r.box, label: r.label, score: r.score, kind: 'detected', active: sameBox(r.box, q.region) }));
    custom.forEach((b, i) => boxes.push({ id: `c${i}`, box: b, label: `box ${i + 1}`, kind: 'custom', active: sameBox(b, q.region) }));
    if (!boxes.some((b) => b.active)) boxes.push({ id: 'q', box: q.region, label: choice.auto ? 'searched region' : 'your region', kind: 'query', active: true });
  }
  const category = q && instance.data?.categories.find((c) => c.id === q.categoryId);

  return (
    <Layout title={`Search ${name} by picture`} crumbs={[{ href: paths.instances, label: 'Instances' }, { href: paths.instance(name), label: name }, { label: 'Search' }]}>
      <InstanceNav name={name} current="search" />
      <ErrorBox error={instance.error} title={`Instance ${name} could not be loaded`} />
      <div class="two-col wide-left">
        <section class="panel" aria-labelledby="query-title">
          <h2 id="query-title">Picture</h2>
          <DropZone id="search-file" label={picture ? 'Search with another picture' : 'Drop a picture here, or choose one'} hint="You can also paste a picture (Ctrl+V)." onFiles={(f) => choose(f[0])} />
          {picture && q && (
            <>
              <p class="hint" id="canvas-hint">Pick a box (its label, or click inside it) to search that region, or drag on the picture to draw a new box.</p>
              <RegionCanvas src={picture.url} alt="The query picture" width={q.width} height={q.height} boxes={boxes} busy={busy}
                onSelect={(b) => searchBox(b.box)} onDraw={searchBox} />
              <ul class="region-list" aria-label="Regions">
                {boxes.map((b) => (
                  <li key={b.id} class={b.active ? 'active' : undefined}>
                    <span class={`swatch ${b.active ? 'active' : b.kind}`} aria-hidden="true" />
                    {tagText(b)} <span class="muted">({b.box.x1},{b.box.y1})–({b.box.x2},{b.box.y2})</span>{b.active && <strong> searched</strong>}
                  </li>
                ))}
              </ul>
              <p class="muted">
                {q.width}×{q.height} px{category ? ` · category ${category.name} (${category.id})` : ''}
                {detected.length === 0 ? ' · no objects detected' : ` · ${detected.length} detected`}
              </p>
              <div class="button-row">
                <button type="button" disabled={busy || choice.auto} onClick={() => run(picture.file, { auto: true }, 0)}>Let the server choose</button>
                <button type="button" disabled={busy} onClick={() => searchBox({ x1: 0, y1: 0, x2: q.width, y2: q.height })}>Whole picture</button>
                <button type="button" disabled={pngBusy} onClick={downloadPng}>{pngBusy ? 'Drawing…' : 'Server-drawn PNG'}</button>
              </div>
              <RegionEditor width={q.width} height={q.height} current={q.region} onSearch={searchBox} busy={busy} />
            </>
          )}
          {picture && !q && !error && <p class="muted">Searching…</p>}
        </section>
        <OptionsForm instance={instance.data} options={options} onChange={setOptions} busy={busy} hasPicture={Boolean(picture)}
          onSubmit={() => picture && run(picture.file, choice, 0)} />
      </div>
      <ErrorBox error={error} title="The search failed" />
      {result && (
        <section class="panel results" aria-labelledby="results-title" aria-busy={busy}>
          <div class="results-head">
            <h2 id="results-title">Results</h2>
            <ViewSwitch mode={view} onChange={setView} controls="search-results" />
          </div>
          <p class="muted" role="status">
            {result.docsFound} candidates · {result.docsReturned} shown · {result.timingsMs.total?.toFixed(1) ?? '?'} ms
          </p>
          <Paging label="Result pages" start={start} num={options.num} shown={result.hits.length} total={result.docsFound} busy={busy}
            onPage={(s) => picture && run(picture.file, choice, s)} />
          <div id="search-results" role="tabpanel" aria-labelledby={`search-results-tab-${view}`} class={`result-views ${view}`}>
            {view !== 'json' && <Gallery instance={instance.data} name={name} hits={result.hits} label="Result gallery" />}
            {view !== 'visual' && <JsonView value={result} label={`POST ${urls.search(name)}`} />}
          </div>
        </section>
      )}
    </Layout>
  );
}
