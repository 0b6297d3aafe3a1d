// OpenPlatform AuthorizeFileUpload (2019-12-19), the first step of every *Advance method (§7):
// a one-picture POST policy for this server's upload receiver. Bucket + "." + Endpoint is the
// host the client used, split so no DNS is needed.

import type { Action } from './action.js';

export const authorizeFileUpload: Action = async (c) => {
  const g = c.uploads.authorize(c.host);
  return {
    AccessKeyId: g.accessKeyId, Bucket: g.bucket, Endpoint: g.endpoint, ObjectKey: g.objectKey,
    EncodedPolicy: g.encodedPolicy, Signature: g.signature,
    // JSON false: the SDK reads this with Boolean(), so the string "false" would mean true.
    UseAccelerate: false,
  };
};
