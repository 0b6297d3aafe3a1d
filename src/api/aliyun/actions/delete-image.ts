// DeleteImage (§3.7): one image, every image of a product, or every image matching a filter.
// Deleting what does not exist succeeds with no names.

import { TusouError, validateBool } from '../../../domain/index.js';
import { OK_MESSAGE, param } from '../wire.js';
import type { Action } from './action.js';

export const deleteImage: Action = async (c) => {
  const p = c.params;
  const byFilter = validateBool('IsDeleteByFilter', param(p, 'IsDeleteByFilter'), false);
  if (byFilter && param(p, 'Filter') === undefined) throw new TusouError('FILTER_INVALID', { reason: 'Filter is required when IsDeleteByFilter is true' });
  const deleted = await c.engine.deleteImages(p.InstanceName, byFilter ? { filter: p.Filter } : { productId: p.ProductId, picName: param(p, 'PicName') });
  return { ...OK_MESSAGE, Data: { PicNames: deleted.map((d) => d.picName) } };
};
