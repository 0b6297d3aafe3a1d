// Add images: drop or choose pictures, give each its ProductId and PicName, set shared
// attributes, and upload with per-file progress and per-file errors.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, upload, urls, type Image, type Instance } from '../api/client';
import { AttributeFields, attributeBody, invalidFields, type AttrValues } from '../components/AttributeFields';
import { DropZone } from '../components/DropZone';
import { ErrorBox } from '../components/ErrorBox';
import { InstanceNav } from '../components/InstanceNav';
import { Layout } from '../components/Layout';
import { Link, paths } from '../router';
import { useApi } from '../use-api';

type Status = 'ready' | 'uploading' | 'added' | 'replaced' | 'error';

interface Item {
  id: number;
  file: File;
  preview: string;
  productId: string;
  picName: string;
  status: Status;
  progress: number;
  error?: ApiError;
}

/** Pictures in flight at once: enough to overlap network and server work on a 2-core box. */
const CONCURRENCY = 2;

let nextId = 1;
const stem = (name: string) => name.replace(/\.[^.]+$/, '') || name;

function StatusCell({ item }: { item: Item }) {
  switch (item.status) {
    case 'ready': return <span class="muted">ready</span>;
    case 'uploading': return <span><progress max={1} value={item.progress} aria-label={`Uploading ${item.picName}`} /> {Math.round(item.progress * 100)}%</span>;
    case 'added': return <span class="ok">added</span>;
    case 'replaced': return <span class="ok">replaced the image with this key</span>;
    case 'error': return (
      <span class="row-error">
        <strong>{item.error?.message}</strong>
        <code>{item.error?.code}</code>
      </span>
    );
  }
}

/** The page that adds pictures to instance `name`. */
export function AddImagesPage({ name }: { name: string }) {
  const instance = useApi<Instance>(urls.instance(name));
  const [items, setItems] = useState<Item[]>([]);
  const [attrs, setAttrs] = useState<AttrValues>({});
  const [crop, setCrop] = useState(true);
  const [running, setRunning] = useState(false);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  useEffect(() => () => { for (const i of itemsRef.current) URL.revokeObjectURL(i.preview); }, []);

  const update = (id: number, patch: Partial<Item>) => setItems((list) => list.map((i) => (i.id === id ? { ...i, ...patch } : i)));
  const addFiles = (files: File[]) => setItems((list) => [
    ...list,
    ...files.map((file) => ({ id: nextId++, file, preview: URL.createObjectURL(file), productId: stem(file.name), picName: file.name, status: 'ready' as Status, progress: 0 })),
  ]);

  const send = async (item: Item) => {
    update(item.id, { status: 'uploading', progress: 0, error: undefined });
    const form = new FormData();
    form.set('productId', item.productId);
    form.set('picName', item.picName);
    form.set('crop', String(crop));
    for (const [k, v] of Object.entries(attributeBody(attrs))) form.set(k, String(v));
    form.set('picture', item.file, item.file.name);
    try {
      const res = await upload<{ image: Image; replaced: boolean }>(urls.images(name), form, (p) => update(item.id, { progress: p }));
      update(item.id, { status: res.body.replaced ? 'replaced' : 'added', progress: 1 });
    } catch (err) {
      update(item.id, { status: 'error', error: err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)) });
    }
  };

  const uploadAll = async () => {
    setRunning(true);
    const queue = itemsRef.current.filter((i) => i.status === 'ready' || i.status === 'error');
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const latest = itemsRef.current.find((i) => i.id === item!.id);
        if (latest) await send(latest);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    setRunning(false);
    instance.reload();
  };

  const pending = items.filter((i) => i.status === 'ready' || i.status === 'error').length;
  const done = items.filter((i) => i.status === 'added' || i.status === 'replaced').length;
  const failed = items.filter((i) => i.status === 'error').length;
  const sending = items.filter((i) => i.status === 'uploading').length;
  const attrErrors = items.flatMap((i) => (i.error ? invalidFields(i.error) : []));

  return (
    <Layout title={`Add images to ${name}`} crumbs={[{ href: paths.instances, label: 'Instances' }, { href: paths.instance(name), label: name }, { label: 'Add images' }]}>
      <InstanceNav name={name} current="add" />
      <ErrorBox error={instance.error} title={`Instance ${name} could not be loaded`} />
      <div class="two-col wide-left">
        <section class="panel" aria-labelledby="files-title">
          <h2 id="files-title">Pictures</h2>
          <DropZone id="add-files" label="Drop pictures here, or choose files" hint="JPEG, PNG, WebP, GIF, TIFF; each is one image (ProductId + PicName)" multiple onFiles={addFiles} />
          {items.length > 0 && (
            <table class="upload-table">
              <caption class="visually-hidden">Pictures to upload, with their keys and status</caption>
              <thead>
                <tr><th scope="col">Picture</th><th scope="col">ProductId</th><th scope="col">PicName</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr>
              </thead>
              <tbody>
                {items.map((i, n) => (
                  <tr key={i.id} data-file={i.file.name} data-status={i.status} class={i.status === 'error' ? 'has-error' : undefined}>
                    <td data-label="Picture"><img class="preview" src={i.preview} alt="" width={56} height={56} onError={(e) => { e.currentTarget.style.visibility = 'hidden'; }} /></td>
                    <td data-label="ProductId">
                      <input aria-label={`ProductId of picture ${n + 1} (${i.file.name})`} value={i.productId} disabled={i.status === 'uploading'}
                        aria-invalid={(i.error && invalidFields(i.error).includes('productId')) || undefined}
                        onInput={(e) => update(i.id, { productId: e.currentTarget.value, status: i.status === 'error' ? 'ready' : i.status })} />
                    </td>
                    <td data-label="PicName">
                      <input aria-label={`PicName of picture ${n + 1} (${i.file.name})`} value={i.picName} disabled={i.status === 'uploading'}
                        aria-invalid={(i.error && invalidFields(i.error).includes('picName')) || undefined}
                        onInput={(e) => update(i.id, { picName: e.currentTarget.value, status: i.status === 'error' ? 'ready' : i.status })} />
                    </td>
                    <td data-label="Status" class="status-cell"><StatusCell item={i} /></td>
                    <td>
                      <button type="button" class="small" disabled={i.status === 'uploading'} aria-label={`Remove ${i.file.name}`}
                        onClick={() => { URL.revokeObjectURL(i.preview); setItems((list) => list.filter((x) => x.id !== i.id)); }}>Remove</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="upload-summary" role="status" aria-live="polite">
            {items.length === 0 ? 'No pictures chosen.' : `${items.length} picture${items.length === 1 ? '' : 's'}: ${done} uploaded, ${failed} failed${sending ? `, ${sending} uploading` : ''}, ${pending - failed} waiting.`}
          </p>
          <div class="button-row">
            <button type="button" class="primary" disabled={running || pending === 0} onClick={uploadAll}>
              {running ? 'Uploading…' : failed > 0 && pending === failed ? `Retry ${failed} failed` : `Upload ${pending} picture${pending === 1 ? '' : 's'}`}
            </button>
            {done > 0 && !running && <Link href={paths.instance(name)} class="button">See the images</Link>}
            {items.length > 0 && !running && <button type="button" onClick={() => { for (const i of items) URL.revokeObjectURL(i.preview); setItems([]); }}>Clear list</button>}
          </div>
        </section>
        <section class="panel" aria-labelledby="attrs-title">
          <h2 id="attrs-title">Attributes for every picture</h2>
          <p class="hint">Filterable in searches (e.g. <code>int_attr&gt;=100</code>); CustomContent comes back with every result.</p>
          <AttributeFields idPrefix="add" instance={instance.data} values={attrs} onChange={setAttrs} invalid={attrErrors} disabled={running} />
          <div class="field checkbox">
            <input id="add-crop" type="checkbox" checked={crop} onChange={(e) => setCrop(e.currentTarget.checked)} />
            <label for="add-crop">Detect the main subject and describe it (Crop)</label>
          </div>
        </section>
      </div>
    </Layout>
  );
}
