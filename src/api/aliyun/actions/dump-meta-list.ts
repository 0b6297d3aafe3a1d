// DumpMetaList (§3.12): the instance's export tasks, newest first, with signed download links.

import { dumpTaskJson, param } from '../wire.js';
import type { Action } from './action.js';

export const dumpMetaList: Action = async (c) => {
  const p = c.params;
  const page = await c.engine.listTasks(p.InstanceName, 'export', { id: param(p, 'Id'), pageNumber: param(p, 'PageNumber'), pageSize: param(p, 'PageSize') });
  return {
    Data: {
      PageNumber: page.pageNumber, PageSize: page.pageSize, TotalCount: page.total,
      DumpMetaList: page.tasks.map((t) => dumpTaskJson(t, t.files.output ? c.links.url(c.baseUrl, t.id, 'output') : '')),
    },
  };
};
