// CompareSimilarByImage (§3.9): the similarity score (0..1, 1 = identical) of two pictures.

import { TusouError } from '../../../domain/index.js';
import { OK_MSG } from '../wire.js';
import type { Action } from './action.js';

export const compareSimilarByImage: Action = async (c) => {
  const p = c.params;
  const primary = await c.picture('PrimaryPicContent');
  if (!primary) throw new TusouError('PARAM_MISSING', { field: 'PrimaryPicContent' });
  const secondary = await c.picture('SecondaryPicContent');
  if (!secondary) throw new TusouError('PARAM_MISSING', { field: 'SecondaryPicContent' });
  const { score } = await c.engine.compare(p.InstanceName, { bytes: primary }, { bytes: secondary });
  return { ...OK_MSG, Score: score };
};
