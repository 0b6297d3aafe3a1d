// One stored image: the picture with its regions, its attributes and custom content (editable),
// similar images, deleting it, and the record as JSON.

import { useEffect, useState } from 'preact/hooks';
import { call, sameBox, urls, type Image, type Instance, type SearchResult } from '../api/client';
import { useApiUrl } from '../components/ApiImage';
import { AttributeFields, INT_ATTRS, STR_ATTRS, attributeBody, invalidFields, type AttrName, type AttrValues } from '../components/AttributeFields';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBox } from '../components/ErrorBox';
import { Gallery, categoryName } from '../components/Gallery';
import { JsonView } from '../components/JsonView';
import { Layout } from '../components/Layout';
import { RegionCanvas, tagText, type CanvasBox } from '../components/RegionCanvas';
import { ViewSwitch, type ViewMode } from '../components/ViewSwitch';
import { navigate, paths } from '../router';
import { useApi } from '../use-api';

const FIELDS: AttrName[] = ['categoryId', ...INT_ATTRS, ...STR_ATTRS, 'customContent'];

function valuesOf(image: Image): AttrValues {
  return Object.fromEntries(FIELDS.map((k) => [k, String(image[k as keyof Image] ?? '')])) as AttrValues;
}

function EditForm({ name, instance, image, onSaved }: { name: string; instance?: Instance; image: Image; onSaved: (i: Image) => void }) {
  const [values, setValues] = useState<AttrValues>(() => valuesOf(image));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  useEffect(() => setValues(valuesOf(image)), [image]);
  const original = valuesOf(image);
  const changed = FIELDS.filter((k) => (values[k] ?? '') !== (original[k] ?? ''));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved('');
    const patch: AttrValues = Object.fromEntries(changed.map((k) => [k, values[k] ?? '']));
    try {
      // Emptied text fields are sent as "" (clearing them); emptied numbers are left unchanged.
      const updated = await call<Image>('PATCH', urls.image(name, image.productId, image.picName), attributeBody(patch, [...STR_ATTRS, 'customContent']));
      onSaved(updated);
      setSaved(`Saved ${changed.length} field${changed.length === 1 ? '' : 's'}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" aria-labelledby="edit-title" onSubmit={save}>
      <h2 id="edit-title">Attributes</h2>
      <AttributeFields idPrefix="edit" instance={instance} values={values} onChange={(v) => { setValues(v); setSaved(''); }} invalid={invalidFields(error)} disabled={busy} />
      <ErrorBox error={error} title="The changes were not saved" />
      <div class="button-row">
        <button type="submit" class="primary" disabled={busy || changed.length === 0}>{busy ? 'Saving…' : 'Save changes'}</button>
        <button type="button" disabled={busy || changed.length === 0} onClick={() => { setValues(original); setError(undefined); }}>Undo changes</button>
        <span role="status" class="ok">{saved}</span>
      </div>
    </form>
  );
}

function Similar({ name, image, instance }: { name: string; image: Image; instance?: Instance }) {
  const [result, setResult] = useState<SearchResult>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const find = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await call<SearchResult>('POST', urls.searchByImage(name), { productId: image.productId, picName: image.picName, num: 12 }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="similar-title">
      <h2 id="similar-title">Similar images</h2>
      <button type="button" onClick={find} disabled={busy}>{busy ? 'Searching…' : result ? 'Search again' : 'Find similar images'}</button>
      <ErrorBox error={error} title="The search failed" />
      {result && <Gallery instance={instance} name={name} hits={result.hits} label="Similar images" />}
    </section>
  );
}

/** The page of one stored image. */
export function ImagePage({ name, productId, picName }: { name: string; productId: string; picName: string }) {
  const instance = useApi<Instance>(urls.instance(name));
  const loaded = useApi<Image>(urls.image(name, productId, picName));
  const [image, setImage] = useState<Image>();
  const [deleteError, setDeleteError] = useState<unknown>();
  const [view, setView] = useState<ViewMode>('visual');
  useEffect(() => setImage(loaded.data), [loaded.data]);
  const src = useApiUrl(urls.original(name, productId, picName));
  const annotated = useApiUrl(urls.annotated(name, productId, picName));

  const boxes: CanvasBox[] = [];
  if (image) {
    image.regions.forEach((r, i) => boxes.push({ id: `d${i}`, box: r.box, label: r.label, score: r.score, kind: 'detected', active: sameBox(r.box, image.region) }));
    if (!boxes.some((b) => b.active)) boxes.push({ id: 'main', box: image.region, label: 'described region', kind: 'query', active: true });
  }
  const title = `${productId} / ${picName}`;
  return (
    <Layout
      title={title}
      crumbs={[{ href: paths.instances, label: 'Instances' }, { href: paths.instance(name), label: name }, { label: title }]}
      actions={image && (
        <ConfirmButton
          label="Delete image…"
          question={`Delete ${title}?`}
          confirmLabel="Delete image"
          onConfirm={async () => {
            try {
              await call('DELETE', urls.image(name, productId, picName));
              navigate(paths.instance(name));
            } catch (err) {
              setDeleteError(err);
            }
          }}
        />
      )}
    >
      <ErrorBox error={loaded.error} title="The image could not be loaded" />
      <ErrorBox error={deleteError} title="The image was not deleted" />
      {image && (
        <>
          <div class="results-head">
            <span />
            <ViewSwitch mode={view} onChange={setView} controls="image-views" />
          </div>
          <div id="image-views" role="tabpanel" aria-labelledby={`image-views-tab-${view}`} class={`result-views ${view}`}>
            {view !== 'json' && (
              <div class="two-col wide-left">
                <section class="panel" aria-labelledby="picture-title">
                  <h2 id="picture-title">Picture</h2>
                  {src && <RegionCanvas src={src} alt={title} width={image.width} height={image.height} boxes={boxes} />}
                  <ul class="region-list" aria-label="Regions">
                    {boxes.map((b) => (
                      <li key={b.id}>
                        <span class={`swatch ${b.active ? 'active' : b.kind}`} aria-hidden="true" />
                        {tagText(b)} <span class="muted">({b.box.x1},{b.box.y1})–({b.box.x2},{b.box.y2})</span>{b.active && <strong> described</strong>}
                      </li>
                    ))}
                  </ul>
                  <dl class="facts">
                    <dt>Size</dt><dd>{image.width}×{image.height} px, {image.format}, {(image.bytes / 1024).toFixed(1)} KiB</dd>
                    <dt>Category</dt><dd>{categoryName(instance.data, image.categoryId)}</dd>
                    <dt>Added</dt><dd><time dateTime={image.createdAt}>{new Date(image.createdAt).toLocaleString()}</time></dd>
                    <dt>Updated</dt><dd><time dateTime={image.updatedAt}>{new Date(image.updatedAt).toLocaleString()}</time></dd>
                  </dl>
                  <p class="button-row">
                    {src && <a class="button" href={src} target="_blank" rel="noopener">Open the original</a>}
                    {annotated && <a class="button" href={annotated} target="_blank" rel="noopener">Server-drawn PNG</a>}
                  </p>
                  {image.customContent && (
                    <>
                      <h3>CustomContent</h3>
                      <p class="custom-content">{image.customContent}</p>
                    </>
                  )}
                </section>
                <EditForm name={name} instance={instance.data} image={image} onSaved={setImage} />
              </div>
            )}
            {view !== 'visual' && <JsonView value={image} label={`GET ${urls.image(name, productId, picName)}`} />}
          </div>
          <Similar name={name} image={image} instance={instance.data} />
        </>
      )}
    </Layout>
  );
}
