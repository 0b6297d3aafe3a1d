// SearchImageByText (§3.4): only the cloud's multimodal service type has it, and tusou has no
// text search yet, so every instance answers UnsupportedInstanceType (after the usual checks).

import { TusouError } from '../../../domain/index.js';
import { param } from '../wire.js';
import { instanceOf, type Action } from './action.js';

export const searchImageByText: Action = async (c) => {
  const instance = await instanceOf(c);
  const text = param(c.params, 'Text');
  if (text === undefined) throw new TusouError('TEXT_INVALID', { reason: 'Text is required' });
  if (text.length > 512) throw new TusouError('TEXT_INVALID', { reason: `it is ${text.length} characters; the limit is 512` });
  throw new TusouError('INSTANCE_OPERATION_UNSUPPORTED', { name: instance.name, serviceType: instance.serviceType, operation: 'SearchImageByText' });
};
