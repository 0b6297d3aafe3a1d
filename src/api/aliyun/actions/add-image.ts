// AddImage (aliyun-imagesearch-api.md §3.1): index one picture under (ProductId, PicName).

import { OK_MESSAGE, attributeParams, param, picInfoJson } from '../wire.js';
import { instanceOf, type Action } from './action.js';

export const addImage: Action = async (c) => {
  const p = c.params;
  const bytes = await c.picture('PicContent');
  const { image } = await c.engine.addImage(p.InstanceName, {
    productId: p.ProductId, picName: p.PicName, bytes,
    crop: param(p, 'Crop'), region: param(p, 'Region'), categoryId: param(p, 'CategoryId'),
    ...attributeParams(p),
  });
  const instance = await instanceOf(c);
  return {
    ...OK_MESSAGE,
    PicInfo: picInfoJson(instance.serviceType, { categoryId: image.categoryId, region: image.region, regions: image.regions, width: image.width, height: image.height }),
  };
};
