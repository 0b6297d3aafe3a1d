// UpdateImage (§3.8): change the attributes given (IntAttr3/4 and StrAttr3/4 arrive in the query).

import { OK_MESSAGE, attributeParams } from '../wire.js';
import type { Action } from './action.js';

export const updateImage: Action = async (c) => {
  const p = c.params;
  await c.engine.updateImage(p.InstanceName, { productId: p.ProductId, picName: p.PicName }, attributeParams(p));
  return { ...OK_MESSAGE };
};
