// What every Alibaba action receives, and what it returns: the success body without RequestId.

import type { Instance } from '../../../domain/index.js';
import type { Engine } from '../../../engine/index.js';
import type { Logger } from '../../logger.js';
import type { LinkSigner } from '../links.js';
import type { UploadStore } from '../uploads.js';
import type { Params } from '../wire.js';

export interface ActionContext {
  engine: Engine;
  params: Params;
  requestId: string;
  /** The Host header the client used (signed, so it is what the client addressed). */
  host: string;
  /** `http(s)://host` as the client reached this server, for links in answers. */
  baseUrl: string;
  /** The bytes of a picture parameter (upload URL, fetched URL or base64); undefined when absent. */
  picture(name: string): Promise<Buffer | undefined>;
  links: LinkSigner;
  uploads: UploadStore;
  /** Detail.Instance.Region. */
  region: string;
  /** The QPS limit of an instance (0 = unlimited), reported by Detail. */
  instanceQps(name: string): number;
  log: Logger;
}

/** An action: validates through the engine and answers the wire body (RequestId is added by the router). */
export type Action = (c: ActionContext) => Promise<Record<string, unknown>>;

/** The instance an action names (InstanceName); INSTANCE_NAME_MISSING / INSTANCE_NOT_FOUND otherwise. */
export function instanceOf(c: ActionContext): Promise<Instance> {
  return c.engine.instanceInfo(c.params.InstanceName);
}
