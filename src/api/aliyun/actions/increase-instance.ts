// IncreaseInstance (§3.13): start applying BucketName + Path + /increment.meta; when it ends, POST
// the task (as an IncreaseList item, plus InstanceName) to CallbackAddress if one was given.

import type { Task } from '../../../domain/index.js';
import { incrementTaskJson, param } from '../wire.js';
import type { Action, ActionContext } from './action.js';

const CALLBACK_TIMEOUT_MS = 5000;

async function notify(c: ActionContext, task: Task): Promise<void> {
  const url = task.source?.callbackAddress;
  if (!url) return;
  const body = { InstanceName: task.instance, ...incrementTaskJson(task, task.files.errors ? c.links.url(c.baseUrl, task.id, 'errors') : '') };
  const res = await fetch(url, {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`callback answered HTTP ${res.status}`);
}

export const increaseInstance: Action = async (c) => {
  const p = c.params;
  const task = await c.engine.startIncrement(p.InstanceName, { bucketName: p.BucketName, path: p.Path, callbackAddress: param(p, 'CallbackAddress') }, {
    onFinish: (t, unexpected) => {
      if (unexpected) c.log.error({ err: unexpected, requestId: c.requestId, taskId: t.id }, 'increment task failed');
      // The callback is a best-effort notification (the task's outcome is in IncreaseList either way):
      // a failure is logged, not retried.
      notify(c, t).catch((err: unknown) => c.log.warn({ taskId: t.id, reason: (err as Error).message }, 'increment callback failed'));
    },
  });
  return { Success: true, Data: { Id: String(task.id), IncrementStatus: task.status } };
};
