// Prometheus metrics (prom-client): requests and latencies per route, index sizes, process
// figures. Served at /metrics.

import type { MiddlewareHandler } from 'hono';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../engine/index.js';

export interface Metrics {
  registry: Registry;
  middleware: MiddlewareHandler;
}

/** A registry with tusou's metrics; `engine` feeds the index-size gauge at scrape time. */
export function createMetrics(engine: Engine): Metrics {
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
      latency.observe({ route, method: c.req.method }, (performance.now() - t0) / 1000);
    },
  };
}
