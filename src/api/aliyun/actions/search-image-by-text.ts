// SearchImageByText (§3.4). The cloud offers it only on its multimodal service type; tusou
// answers it on every instance from its text index (docs/aliyun.md). Auctions carry no
// SortExprValues (not in the SDK model); PicInfo holds only AllCategories.

import { TusouError } from '../../../domain/index.js';
import { OK_MSG, allCategoriesJson, param, scoredAuctionJson, searchParams } from '../wire.js';
import { instanceOf, type Action } from './action.js';

export const searchImageByText: Action = async (c) => {
  const t0 = performance.now();
  const instance = await instanceOf(c);
  const text = param(c.params, 'Text');
  if (text === undefined) throw new TusouError('TEXT_INVALID', { reason: 'Text is required' });
  const result = await c.engine.searchByText(instance.name, { text, ...searchParams(c.params) });
  return {
    ...OK_MSG,
    Head: { DocsReturn: result.hits.length, DocsFound: result.docsFound, SearchTime: Math.round(performance.now() - t0) },
    Auctions: result.hits.map((h) => {
      const { SortExprValues: _omitted, ...auction } = scoredAuctionJson(h);
      return auction;
    }),
    PicInfo: { AllCategories: allCategoriesJson(instance.serviceType) },
  };
};
