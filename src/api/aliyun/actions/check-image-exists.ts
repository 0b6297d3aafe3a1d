// CheckImageExists (§3.6): whether (ProductId, PicName) is indexed; Auctions is one object here.

import { OK_MSG, auctionJson } from '../wire.js';
import type { Action } from './action.js';

export const checkImageExists: Action = async (c) => {
  const p = c.params;
  const image = await c.engine.findImage(p.InstanceName, { productId: p.ProductId, picName: p.PicName });
  return image ? { ...OK_MSG, Exists: true, Auctions: auctionJson(image) } : { ...OK_MSG, Exists: false };
};
