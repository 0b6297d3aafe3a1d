// A vision worker that runs the real task code but dies (the thread exits) on a task for the
// descriptor `crash-now` and never answers one for `hang-now`, so tests can watch the pool
// replace a crashed or stuck worker.

import { parentPort } from 'node:worker_threads';
import { runTasks, serve } from '../../src/vision/worker-tasks.js';

serve(parentPort!, async (tasks) => {
  if (tasks.some((t) => t.op === 'extract' && t.descriptor === 'crash-now')) process.exit(70);
  if (tasks.some((t) => t.op === 'extract' && t.descriptor === 'hang-now')) return new Promise(() => {});
  return runTasks(tasks);
});
