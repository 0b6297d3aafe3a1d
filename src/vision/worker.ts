// Entry point of a vision worker thread (started by VisionPool).

import { parentPort, workerData } from 'node:worker_threads';
import { addExtractorSource } from './registry.js';
import { UserModels } from './user-models.js';
import { serve } from './worker-tasks.js';

if (!parentPort) throw new Error('the vision worker must run in a worker thread');
// Registered user models (CLIP-style ONNX) are descriptors here too, loaded on first use.
const modelsDir = (workerData as { modelsDir?: string } | undefined)?.modelsDir;
if (modelsDir) addExtractorSource(new UserModels(modelsDir));
serve(parentPort);
