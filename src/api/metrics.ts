// Prometheus metrics (prom-client): requests and latencies per route, errors by catalogue code,
// requests in flight, the vision queue, index sizes, process figures. Served at /metrics.

import type { MiddlewareHandler } from 'hono';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../engine/index.js';

export interface Metrics {
  registry: Registry;
  middleware: MiddlewareHandler;
}

export interface MetricSources {
  /** Requests being handled now. */
  inFlight(): number;
}

/** A registry with tusou's metrics; `engine` and `sources` feed the gauges at scrape time. */
export function createMetrics(engine: Engine, sources: MetricSources = { inFlight: () => 0 }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tusou_' });
  const requests = new Counter({
    name: 'tusou_http_requests_total', help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'], registers: [registry],
  });
  const latency = new Histogram({
    name: 'tusou_http_request_duration_seconds', help: 'HTTP request latency by route pattern',
    labelNames: ['route', 'method'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const errors = new Counter({
    name: 'tusou_errors_total', help: 'requests answered with an error, by catalogue code (docs/errors.md) and API',
    labelNames: ['code', 'api'], registers: [registry],
  });
  new Gauge({
    name: 'tusou_http_requests_in_flight', help: 'requests being handled now (TUSOU_MAX_IN_FLIGHT bounds it)', registers: [registry],
    collect() { this.set(sources.inFlight()); },
  });
  const stats = () => engine.stats();
  new Gauge({
    name: 'tusou_vision_queue_depth', help: 'vision tasks waiting for a worker (TUSOU_VISION_QUEUE_MAX bounds it)', registers: [registry],
    collect() { this.set(stats().vision.queued); },
  });
  new Gauge({
    name: 'tusou_vision_workers_busy', help: 'vision workers running a task', registers: [registry],
    collect() { this.set(stats().vision.busy); },
  });
  new Counter({
    name: 'tusou_vision_rejected_total', help: 'vision tasks refused because the queue was full or waited too long', registers: [registry],
    collect() { this.reset(); this.inc(stats().vision.rejected); },
  });
  new Gauge({
    name: 'tusou_index_vectors', help: 'vectors in each instance\'s open index', labelNames: ['instance'], registers: [registry],
    collect() {
      this.reset();
      for (const { instance, size } of stats().indexes) this.set({ instance }, size);
    },
  });
  new Gauge({
    name: 'tusou_instance_images', help: 'images stored per instance', labelNames: ['instance'], registers: [registry],
    async collect() {
      this.reset();
      for (const i of await engine.listInstances()) this.set({ instance: i.name }, i.imageCount);
    },
  });
  return {
    registry,
    middleware: async (c, next) => {
      const t0 = performance.now();
      await next();
      // The matched route pattern keeps label cardinality bounded (never the raw path).
      const route = c.req.routePath || 'unmatched';
      requests.inc({ route, method: c.req.method, status: String(c.res.status) });
      const code = c.get('errorCode') as string | undefined;
      if (code) errors.inc({ code, api: c.req.path.startsWith('/api/') || c.req.path === '/metrics' ? 'rest' : 'aliyun' });
      latency.observe({ route, method: c.req.method }, (performance.now() - t0) / 1000);
    },
  };
}
