// A vision worker that runs the real task code but dies (the thread exits) on a task for the
// descriptor `crash-now`, so tests can watch the pool replace a crashed worker.

import { parentPort } from 'node:worker_threads';
import { runTasks, serve } from '../../src/vision/worker-tasks.js';

serve(parentPort!, async (tasks) => {
  if (tasks.some((t) => t.op === 'extract' && t.descriptor === 'crash-now')) process.exit(70);
  return runTasks(tasks);
});
