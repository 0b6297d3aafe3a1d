// The change follower: the one writer of every in-memory index. It reads the store's change feed
// in commit order (woken by the store, polled as a fallback) and makes the vector and text
// indexes agree with the store for each changed label or instance. Local writes go through it
// too (the engine waits for its own change), so a write on one node and a write on another are
// applied the same way, in the same order, on every node.

import type { ImageRecord, Instance } from '../domain/index.js';
import type { Change, Store } from '../store/index.js';
import type { Collection } from '../index/index.js';
import { linkPending } from './neighbours.js';
import { IndexRegistry, sameIndexing, type OpenReport, type PreparedIndex } from './index-registry.js';
import { TextIndex } from './text-index.js';
import { TextIndexes } from './text-indexes.js';

export interface FollowerOptions {
  /** Poll the feed this often even without a wake-up (a lost NOTIFY costs at most this delay). */
  pollMs: number;
  /** Delete feed entries older than this (nodes further behind reconcile by label sets). */
  keepChangesS: number;
  /** Open the index of an instance that appears in the store at once (servers), or on first use (CLI). */
  eager: boolean;
  /** Reports what went wrong in the background (the follower retries on its own). */
  onError?: (err: unknown, what: string) => void;
  /** Called after an instance's index is installed (opened, reopened or adopted). */
  onInstalled?: (instance: Instance) => void;
}

const BATCH = 1000;
const TRIM_EVERY_MS = 3600_000;

export class ChangeFollower {
  /** Every change with seq ≤ position has been applied to every installed index. */
  private pos = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private pulling = false;
  private again = false;
  private stopped = false;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private readonly opening = new Map<string, Promise<OpenReport | undefined>>();
  /** Instances a local reindex will install itself, with the settings it switches to. */
  private readonly adopting = new Map<string, Instance>();
  private unwatch?: () => Promise<void>;
  private poll?: NodeJS.Timeout;
  private trim?: NodeJS.Timeout;
  readonly texts: TextIndexes;

  constructor(private readonly store: Store, readonly indexes: IndexRegistry, private readonly opts: FollowerOptions) {
    this.texts = new TextIndexes(store, (instance, build, from) => this.installText(instance, build, from), () => this.pos);
  }

  get position(): number {
    return this.pos;
  }

  /**
   * Start from the store's current position: open every instance (eager) or none (lazy), then
   * follow the feed.
   */
  async start(instances: Instance[], open: (i: Instance) => Promise<OpenReport | undefined>): Promise<OpenReport[]> {
    this.pos = await this.store.lastChange();
    const reports: OpenReport[] = [];
    if (this.opts.eager) {
      for (const i of instances) {
        const r = await open(i);
        if (r) reports.push(r);
      }
    }
    this.unwatch = await this.store.watchChanges(() => this.kick());
    this.poll = setInterval(() => this.kick(), this.opts.pollMs);
    this.poll.unref();
    this.trim = setInterval(() => void this.trimOld(), TRIM_EVERY_MS);
    this.trim.unref();
    void this.trimOld();
    this.kick();
    return reports;
  }

  /** Run `fn` when no other index change is being applied (and none starts until it ends). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Pull and apply new changes soon (coalesced). */
  kick(): void {
    if (this.stopped) return;
    if (this.pulling) { this.again = true; return; }
    this.pulling = true;
    void this.serial(() => this.pull()).finally(() => {
      this.pulling = false;
      if (this.again) { this.again = false; this.kick(); }
    });
  }

  /**
   * Resolves once every change up to `seq` is applied here (true), or after `timeoutMs` (false):
   * a durable write is acknowledged even if its index update is late; the follower catches up.
   */
  reach(seq: number, timeoutMs = 30_000): Promise<boolean> {
    if (this.pos >= seq || this.stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const waiter = { seq, resolve: () => { clearTimeout(timer); resolve(true); } };
      this.waiters.push(waiter);
      this.kick();
    });
  }

  /** Wait until everything committed so far (by any node) is applied here. */
  async settle(timeoutMs?: number): Promise<boolean> {
    return this.reach(await this.store.lastChange(), timeoutMs);
  }

  private advance(seq: number): void {
    this.pos = seq;
    const done = this.waiters.filter((w) => w.seq <= seq);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const page = await this.store.changesSince(this.pos, BATCH);
        if (page.trimmed) {
          // This node fell further behind than the feed keeps: reopen everything by label sets.
          const last = await this.store.lastChange();
          this.opts.onError?.(new Error('the change feed was trimmed past this node; reconciling every index'), 'follow');
          for (const name of this.indexes.names()) {
            const instance = await this.store.getInstance(name);
            this.indexes.drop(name);
            this.texts.drop(name);
            if (instance && this.opts.eager) void this.open(instance);
          }
          this.advance(last);
          continue;
        }
        if (page.changes.length === 0) return;
        await this.apply(page.changes);
        this.advance(page.changes[page.changes.length - 1].seq);
      }
    } catch (err) {
      // The store is unreachable or failing: keep the position, try again on the next poll.
      this.opts.onError?.(err, 'follow');
    }
  }

  /** Apply a page of changes in order; consecutive image changes are batched per instance. */
  private async apply(changes: Change[]): Promise<void> {
    let pending = new Map<string, Set<number>>();
    const flush = async () => {
      for (const [name, labels] of pending) await this.syncLabels(name, [...labels]);
      pending = new Map();
    };
    for (const c of changes) {
      if (c.kind === 'instance') {
        await flush();
        await this.instanceChanged(c.instance);
        continue;
      }
      let set = pending.get(c.instance);
      if (!set) { set = new Set(); pending.set(c.instance, set); }
      for (const l of c.labels) set.add(l);
    }
    await flush();
  }

  /** Make the installed vector and text indexes of `name` agree with the store for `labels`. */
  private async syncLabels(name: string, labels: number[]): Promise<void> {
    const text = this.texts.get(name);
    if (!this.indexes.has(name) && !text) return;
    const records = await this.store.getImagesByLabel(name, labels);
    if (this.indexes.has(name)) {
      const index = this.indexes.get(name);
      const n = await this.syncVectors(index, this.indexes.descriptorOf(name)!, labels, records);
      this.indexes.touched(name, n.added + n.removed);
    }
    if (text) TextIndexes.sync(text, labels, records);
  }

  /**
   * Add the labels that exist (with a vector of `descriptor`) and refresh their attributes, remove
   * the others; link what augmentation needs linked.
   */
  private async syncVectors(c: Collection, descriptor: string, labels: readonly number[], records: ReadonlyMap<number, ImageRecord>): Promise<{ added: number; removed: number }> {
    const vectors = await this.store.getVectors(descriptor, labels.filter((l) => records.has(l) && !c.has(l)));
    const n = { added: 0, removed: 0 };
    for (const l of labels) {
      const record = records.get(l);
      if (record && c.has(l)) {
        c.setAttributes(l, record);
        continue;
      }
      const v = record && vectors.get(l);
      if (v) {
        c.add(l, v, record);
        n.added++;
      } else if (c.remove(l)) {
        n.removed++;
      } else {
        continue;
      }
      // Augmented indexes: the new image's neighbour list, or the lists that lost a neighbour,
      // after each change, so that every node, whatever batches it applies the feed in, links
      // in the same order and keeps the same lists.
      await linkPending(this.store, descriptor, c);
    }
    return n;
  }

  /** An instance was created, changed or deleted: drop, keep, or (re)open its index. */
  private async instanceChanged(name: string): Promise<void> {
    const instance = await this.store.getInstance(name);
    if (!instance) {
      this.indexes.drop(name);
      this.texts.drop(name);
      return;
    }
    const current = this.indexes.instanceOf(name);
    if (current && sameIndexing(current, instance)) return;
    const adopting = this.adopting.get(name);
    if (adopting && sameIndexing(adopting, instance)) return;
    if (current && current.createdAt !== instance.createdAt) this.texts.drop(name);
    // Built outside the chain (it can take long), finished inside it: never awaited here.
    if (current || this.opts.eager) void this.open(instance);
  }

  /** Open an instance's index now unless it is open for these settings; resolves when installed. */
  async ensureOpen(instance: Instance): Promise<void> {
    const current = this.indexes.instanceOf(instance.name);
    if (current && sameIndexing(current, instance)) return;
    await this.open(instance);
  }

  /** Prepare the index (snapshot or build) outside the chain, then replay and install it inside. */
  open(instance: Instance): Promise<OpenReport | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const running = this.opening.get(instance.name);
    if (running) return running;
    const p = (async () => {
      const prepared = await this.indexes.prepare(instance);
      return this.serial(() => this.finishOpen(prepared));
    })().finally(() => this.opening.delete(instance.name));
    this.opening.set(instance.name, p);
    p.catch((err: unknown) => this.opts.onError?.(err, `open ${instance.name}`));
    return p;
  }

  /** Replay what changed since `prepared` was taken, then install it (inside the chain). */
  private async finishOpen(prepared: PreparedIndex): Promise<OpenReport | undefined> {
    if (this.stopped) return undefined;
    const name = prepared.instance.name;
    const now = await this.store.getInstance(name);
    if (!now || !sameIndexing(now, prepared.instance)) {
      // Changed or deleted while it was being built: the feed entry for that change reopens it.
      if (now && (this.opts.eager || this.indexes.has(name))) queueMicrotask(() => void this.open(now));
      return undefined;
    }
    const { added, removed } = await this.replay(name, prepared.collection, prepared.instance.descriptor, prepared.watermark);
    this.indexes.install(prepared.instance, prepared.collection, prepared.report.added + prepared.report.removed + added + removed);
    this.opts.onInstalled?.(prepared.instance);
    const r = prepared.report;
    return { ...r, size: prepared.collection.size, added: r.added + added, removed: r.removed + removed, ms: Math.round(performance.now() - prepared.startedAt) };
  }

  /** Apply to `index` every change of `name` in (from, position]. */
  private async replay(name: string, index: Collection, descriptor: string, from: number): Promise<{ added: number; removed: number }> {
    let after = from;
    const total = { added: 0, removed: 0 };
    while (after < this.pos) {
      const page = await this.store.changesSince(after, BATCH, name);
      const changes = page.changes.filter((c) => c.seq <= this.pos);
      if (changes.length === 0) break;
      const labels = [...new Set(changes.flatMap((c) => c.labels))];
      const n = await this.syncVectors(index, descriptor, labels, await this.store.getImagesByLabel(name, labels));
      total.added += n.added;
      total.removed += n.removed;
      after = changes[changes.length - 1].seq;
      if (changes.length < page.changes.length) break;
    }
    return total;
  }

  /** A text index built from the store since `from`: replay what changed meanwhile and install it. */
  private installText(name: string, build: TextIndex, from: number): Promise<TextIndex> {
    return this.serial(async () => {
      let after = from;
      while (after < this.pos) {
        const page = await this.store.changesSince(after, BATCH, name);
        const changes = page.changes.filter((c) => c.seq <= this.pos);
        if (changes.length === 0) break;
        const labels = [...new Set(changes.flatMap((c) => c.labels))];
        TextIndexes.sync(build, labels, await this.store.getImagesByLabel(name, labels));
        after = changes[changes.length - 1].seq;
        if (changes.length < page.changes.length) break;
      }
      this.texts.set(name, build);
      return build;
    });
  }

  /**
   * A local reindex will install `index` for `instance` (built from the store at `watermark`):
   * call before the store switches the instance, so the follower does not rebuild it too.
   */
  expectAdoption(instance: Instance): () => void {
    this.adopting.set(instance.name, instance);
    return () => { if (this.adopting.get(instance.name) === instance) this.adopting.delete(instance.name); };
  }

  /** Install a locally built index (reindex), after replaying what changed since `watermark`. */
  adopt(instance: Instance, index: Collection, watermark: number): Promise<void> {
    return this.serial(async () => {
      await this.replay(instance.name, index, instance.descriptor, watermark);
      this.indexes.install(instance, index, index.size + 1);
      this.opts.onInstalled?.(instance);
    });
  }

  private async trimOld(): Promise<void> {
    try {
      await this.store.trimChanges(Date.now() - this.opts.keepChangesS * 1000);
    } catch (err) {
      this.opts.onError?.(err, 'trim the change feed');
    }
  }

  /** Stop following; waits for the change being applied. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.trim) clearInterval(this.trim);
    await this.unwatch?.();
    await this.chain;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
