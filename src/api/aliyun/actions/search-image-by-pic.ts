// SearchImageByPic (§3.2): rank the instance's images by similarity to a picture.

import { OK_MSG, headJson, param, picInfoJson, scoredAuctionJson, searchParams } from '../wire.js';
import { instanceOf, type Action } from './action.js';

export const searchImageByPic: Action = async (c) => {
  const p = c.params;
  const bytes = await c.picture('PicContent');
  const result = await c.engine.searchByPicture(p.InstanceName, { bytes, crop: param(p, 'Crop'), region: param(p, 'Region'), ...searchParams(p) });
  const instance = await instanceOf(c);
  return { ...OK_MSG, Head: headJson(result), Auctions: result.hits.map(scoredAuctionJson), PicInfo: picInfoJson(instance.serviceType, result.query) };
};
