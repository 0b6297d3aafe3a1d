// One instance: its facts (size, capacity, descriptor, categories with counts), its images
// listed by filter, and deleting it.

import { useState } from 'preact/hooks';
import { call, urls, type Image, type Instance } from '../api/client';
import { ApiImage } from '../components/ApiImage';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBox } from '../components/ErrorBox';
import { categoryName } from '../components/Gallery';
import { InstanceNav } from '../components/InstanceNav';
import { JsonView } from '../components/JsonView';
import { Layout } from '../components/Layout';
import { Paging } from '../components/Paging';
import { Link, navigate, paths } from '../router';
import { useApi } from '../use-api';

const PAGE = 24;

function Facts({ instance }: { instance: Instance }) {
  const [allCategories, setAllCategories] = useState(false);
  const shown = allCategories ? instance.categories : instance.categories.filter((c) => c.imageCount > 0);
  return (
    <section class="panel" aria-labelledby="facts-title">
      <h2 id="facts-title">Details</h2>
      <dl class="facts">
        <dt>Images</dt>
        <dd>
          <span data-testid="image-count">{instance.imageCount.toLocaleString()}</span> of {instance.capacity.toLocaleString()} (capacity)
          <meter class="block" min={0} max={instance.capacity} value={instance.imageCount} aria-hidden="true" />
        </dd>
        <dt>Service type</dt><dd>{instance.serviceType}</dd>
        <dt>Descriptor</dt><dd><code>{instance.descriptor}</code> ({instance.vector.kind}, {instance.vector.dim}-d)</dd>
        <dt>Metric</dt><dd>{instance.metric}</dd>
        <dt>Index</dt><dd><code>{instance.index}</code></dd>
        <dt>Created</dt><dd><time dateTime={instance.createdAt}>{new Date(instance.createdAt).toLocaleString()}</time></dd>
      </dl>
      <h3>Categories</h3>
      {shown.length === 0 ? <p class="muted">No images yet.</p> : (
        <table class="categories">
          <thead><tr><th scope="col">Category</th><th scope="col">Id</th><th scope="col" class="num">Images</th></tr></thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.id}><td>{c.name} <span lang="zh" class="muted">{c.nameZh}</span></td><td>{c.id}</td><td class="num">{c.imageCount}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {instance.categories.length > 1 && (
        <button type="button" class="link-button" aria-expanded={allCategories} onClick={() => setAllCategories(!allCategories)}>
          {allCategories ? 'Show only categories with images' : `Show all ${instance.categories.length} categories`}
        </button>
      )}
    </section>
  );
}

function Browse({ instance }: { instance: Instance }) {
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [start, setStart] = useState(0);
  const q = new URLSearchParams({ num: String(PAGE), start: String(start) });
  if (applied) q.set('filter', applied);
  const images = useApi<{ docsFound: number; images: Image[] }>(`${urls.images(instance.name)}?${q}`);
  const list = images.data?.images ?? [];
  return (
    <section class="panel" aria-labelledby="browse-title">
      <h2 id="browse-title">Images</h2>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setStart(0); setApplied(filter.trim()); }}>
        <label for="browse-filter">Filter</label>
        <input id="browse-filter" type="text" placeholder='int_attr>=100 AND str_attr="red"' value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="submit">Apply</button>
      </form>
      <ErrorBox error={images.error} title="The images could not be listed" />
      {images.data && (
        <>
          <Paging label="Image pages" start={start} num={PAGE} shown={list.length} total={images.data.docsFound} onPage={setStart} busy={images.loading} />
          <ul class="cards compact">
            {list.map((im) => (
              <li key={`${im.productId}\u0000${im.picName}`} class="card">
                <Link href={paths.image(instance.name, im.productId, im.picName)} class="card-link">
                  <div class="thumb"><div class="stage">
                    <ApiImage src={urls.thumbnail(instance.name, im.productId, im.picName, 256)} alt={`${im.productId} / ${im.picName}`} width={im.width} height={im.height} loading="lazy" />
                  </div></div>
                  <div class="card-text">
                    <span class="card-title">{im.productId}</span>
                    <span class="card-sub">{im.picName}</span>
                    {instance.serviceType === 'product' && <span class="card-sub">{categoryName(instance, im.categoryId)}</span>}
                  </div>
                </Link>
              </li>
            ))}
          </ul>
          {list.length === 0 && <p class="muted">{applied ? 'No image matches this filter.' : <>No images yet: <Link href={paths.add(instance.name)}>add some</Link>.</>}</p>}
        </>
      )}
    </section>
  );
}

/** The overview page of instance `name`. */
export function InstancePage({ name }: { name: string }) {
  const instance = useApi<Instance>(urls.instance(name));
  const [deleteError, setDeleteError] = useState<unknown>();
  const [showJson, setShowJson] = useState(false);
  return (
    <Layout
      title={name}
      crumbs={[{ href: paths.instances, label: 'Instances' }, { label: name }]}
      actions={instance.data && (
        <ConfirmButton
          label="Delete instance…"
          question={`Delete ${name} and all its ${instance.data.imageCount} images?`}
          confirmLabel="Delete instance"
          onConfirm={async () => {
            try {
              await call('DELETE', urls.instance(name));
              navigate(paths.instances);
            } catch (err) {
              setDeleteError(err);
            }
          }}
        />
      )}
    >
      <InstanceNav name={name} current="overview" />
      <ErrorBox error={instance.error} title={`Instance ${name} could not be loaded`} />
      <ErrorBox error={deleteError} title="The instance was not deleted" />
      {instance.data && (
        <div class="two-col wide-right">
          <div>
            <Facts instance={instance.data} />
            <button type="button" class="link-button" aria-expanded={showJson} onClick={() => setShowJson(!showJson)}>{showJson ? 'Hide' : 'Show'} the instance as JSON</button>
            {showJson && <JsonView value={instance.data} label={`GET ${urls.instance(name)}`} />}
          </div>
          <Browse instance={instance.data} />
        </div>
      )}
    </Layout>
  );
}
