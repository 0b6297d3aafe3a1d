// Detail (§3.10): the instance's settings and image count.

import { instanceJson } from '../wire.js';
import type { Action } from './action.js';

export const detail: Action = async (c) => {
  const d = await c.engine.getInstance(c.params.InstanceName);
  return { Success: true, Instance: { ...instanceJson(d, c.region), Qps: c.instanceQps(d.name) } };
};
