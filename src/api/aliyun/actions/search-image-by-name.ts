// SearchImageByName (§3.3): an indexed image is the query; it comes back first with Score 1 (below
// 1 on an index that expands queries, docs/indexing.md).

import { OK_MSG, headJson, picInfoJson, scoredAuctionJson, searchParams } from '../wire.js';
import { instanceOf, type Action } from './action.js';

export const searchImageByName: Action = async (c) => {
  const p = c.params;
  const result = await c.engine.searchByImage(p.InstanceName, { productId: p.ProductId, picName: p.PicName }, searchParams(p));
  const instance = await instanceOf(c);
  return { ...OK_MSG, Head: headJson(result), Auctions: result.hits.map(scoredAuctionJson), PicInfo: picInfoJson(instance.serviceType, result.query) };
};
