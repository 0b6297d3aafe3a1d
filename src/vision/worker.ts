// Entry point of a vision worker thread (started by VisionPool).

import { parentPort } from 'node:worker_threads';
import { serve } from './worker-tasks.js';

if (!parentPort) throw new Error('the vision worker must run in a worker thread');
serve(parentPort);
