// SearchImageByFilter (§3.5): images matching a filter, oldest first, without scores.

import { TusouError } from '../../../domain/index.js';
import { OK_MSG, auctionJson, param } from '../wire.js';
import type { Action } from './action.js';

export const searchImageByFilter: Action = async (c) => {
  const p = c.params;
  const filter = param(p, 'Filter');
  if (filter === undefined) throw new TusouError('FILTER_INVALID', { reason: 'Filter is required' });
  const { images } = await c.engine.searchByFilter(p.InstanceName, { filter, num: param(p, 'Num'), start: param(p, 'Start') });
  return { ...OK_MSG, Auctions: images.map(auctionJson) };
};
