// IncreaseList (§3.14): the instance's increment tasks, newest first; note the nesting
// Data.Increments.Instance[] the SDK model expects.

import { incrementTaskJson, param } from '../wire.js';
import type { Action } from './action.js';

export const increaseList: Action = async (c) => {
  const p = c.params;
  const page = await c.engine.listTasks(p.InstanceName, 'increment', {
    id: param(p, 'Id'), bucketName: param(p, 'BucketName'), path: param(p, 'Path'), pageNumber: param(p, 'PageNumber'), pageSize: param(p, 'PageSize'),
  });
  return {
    Data: {
      PageNumber: page.pageNumber, PageSize: page.pageSize, TotalCount: page.total,
      Increments: { Instance: page.tasks.map((t) => incrementTaskJson(t, t.files.errors ? c.links.url(c.baseUrl, t.id, 'errors') : '')) },
    },
  };
};
