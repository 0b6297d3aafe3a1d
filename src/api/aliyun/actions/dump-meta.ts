// DumpMeta (§3.11): start exporting the instance's metadata; DumpMetaList gives the file's link.

import type { Action } from './action.js';

export const dumpMeta: Action = async (c) => {
  const task = await c.engine.startExport(c.params.InstanceName, {
    onFinish: (t, unexpected) => {
      if (unexpected) c.log.error({ err: unexpected, requestId: c.requestId, taskId: t.id }, 'export task failed');
    },
  });
  return { Success: true, Data: { Id: String(task.id), DumpMetaStatus: task.status } };
};
