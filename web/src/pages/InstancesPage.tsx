// Instances: every instance with its size, and a form to create one.

import { useState } from 'preact/hooks';
import { call, urls, type CreateInstance, type Descriptor, type Instance } from '../api/client';
import { ErrorBox } from '../components/ErrorBox';
import { Layout } from '../components/Layout';
import { Link, navigate, paths } from '../router';
import { useApi } from '../use-api';

const METRICS = ['cosine', 'l2', 'l1', 'hamming', 'jaccard'] as const;

function CreateForm({ onCreated }: { onCreated: (i: Instance) => void }) {
  const descriptors = useApi<{ descriptors: Descriptor[] }>(urls.descriptors);
  const [name, setName] = useState('');
  const [serviceType, setServiceType] = useState<'generic' | 'product' | 'face'>('generic');
  const [descriptor, setDescriptor] = useState('');
  const [metric, setMetric] = useState('');
  const [capacity, setCapacity] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const list = descriptors.data?.descriptors ?? [];
  const chosen = list.find((d) => d.id === descriptor) ?? list[0];
  const code = (error as { code?: string } | undefined)?.code ?? '';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: CreateInstance = { name: name.trim(), serviceType };
    if (descriptor) body.descriptor = descriptor;
    if (metric) body.metric = metric as CreateInstance['metric'];
    if (capacity.trim()) body.capacity = Number(capacity);
    try {
      onCreated(await call<Instance>('POST', urls.instances, body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel create-form" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">Create an instance</h2>
      <div class="field-grid">
        <div class="field">
          <label for="new-name">Name</label>
          <input id="new-name" name="name" required maxLength={20} pattern="[A-Za-z0-9_\-]{1,20}" autoComplete="off" value={name}
            aria-describedby="new-name-hint" aria-invalid={code.startsWith('INSTANCE_NAME') || code === 'INSTANCE_EXISTS' || undefined}
            onInput={(e) => setName(e.currentTarget.value)} />
          <span id="new-name-hint" class="hint">1–20 of A–Z a–z 0–9 _ -</span>
        </div>
        <div class="field">
          <label for="new-service">Service type</label>
          <select id="new-service" name="serviceType" value={serviceType} onChange={(e) => setServiceType(e.currentTarget.value as 'generic' | 'product' | 'face')}>
            <option value="generic">generic image search</option>
            <option value="product">product search (categories)</option>
            <option value="face">face search (every face indexed)</option>
          </select>
        </div>
        <div class="field">
          <label for="new-descriptor">Descriptor</label>
          <select id="new-descriptor" name="descriptor" value={descriptor} aria-invalid={code === 'DESCRIPTOR_UNKNOWN' || undefined} onChange={(e) => { setDescriptor(e.currentTarget.value); setMetric(''); }}>
            <option value="">default for the service type</option>
            {list.map((d) => <option key={d.id} value={d.id}>{d.id} ({d.kind}, {d.dim}-d)</option>)}
          </select>
          {chosen && descriptor && <span class="hint">{chosen.description}</span>}
        </div>
        <div class="field">
          <label for="new-metric">Metric</label>
          <select id="new-metric" name="metric" value={metric} aria-invalid={code === 'METRIC_INVALID' || undefined} onChange={(e) => setMetric(e.currentTarget.value)}>
            <option value="">the descriptor's ({descriptor ? chosen?.metric : 'default'})</option>
            {METRICS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="new-capacity">Capacity (images)</label>
          <input id="new-capacity" name="capacity" type="number" min={1} step={1} inputMode="numeric" placeholder="server default" value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
        </div>
      </div>
      <ErrorBox error={error} title="The instance was not created" />
      <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create instance'}</button>
    </form>
  );
}

/** The home page: every instance, and creating one. */
export function InstancesPage() {
  const instances = useApi<{ instances: Instance[] }>(urls.instances);
  const list = instances.data?.instances ?? [];
  return (
    <Layout title="Instances">
      <div class="two-col">
        <section class="panel" aria-labelledby="list-title">
          <h2 id="list-title">Your instances</h2>
          <ErrorBox error={instances.error} title="The instances could not be loaded" />
          {instances.loading && !instances.data && <p class="muted">Loading…</p>}
          {instances.data && list.length === 0 && <p class="muted">No instances yet. Create one to add pictures and search.</p>}
          {list.length > 0 && (
            <ul class="instance-list">
              {list.map((i) => (
                <li key={i.name} class="instance-row">
                  <div>
                    <Link href={paths.instance(i.name)} class="instance-name">{i.name}</Link>
                    <span class="muted"> {i.serviceType} · {i.descriptor} · {i.metric}</span>
                  </div>
                  <div class="instance-count">
                    <meter min={0} max={i.capacity} value={i.imageCount} aria-label={`${i.imageCount} of ${i.capacity} images`} />
                    <span>{i.imageCount.toLocaleString()} / {i.capacity.toLocaleString()} images</span>
                  </div>
                  <div class="row-actions">
                    <Link href={paths.search(i.name)} class="button small">Search</Link>
                    <Link href={paths.add(i.name)} class="button small">Add images</Link>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <CreateForm onCreated={(i) => navigate(paths.instance(i.name))} />
      </div>
    </Layout>
  );
}
