// The Alibaba-compatible front-end: RPC-style `POST /` (and GET) with the action and version in
// x-acs-action / x-acs-version (or the legacy Action / Version query parameters), parameters
// merged from the query and an urlencoded body (the body wins), every request signature-checked.
// The same route takes the SDK's OSS PostObject uploads (multipart, no action), and task files are
// served from signed links.

import type { Context, Hono, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { TusouError, authorize, isTusouError, type Clock, type Principal } from '../../domain/index.js';
import type { Engine, TaskFileRole } from '../../engine/index.js';
import { withTimeout, type QpsLimits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { Env } from '../rest/rest-env.js';
import { ACTIONS, ACTION_ACCESS, type ActionContext } from './actions/index.js';
import { INTERNAL_ERROR, aliyunError, errorBody, ossErrorXml, type AliyunError } from './errors.js';
import { LinkSigner, TASK_FILE_NAMES, TASK_FILE_PATH } from './links.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { resolvePicture } from './pictures.js';
import type { RemotePictureOptions } from './remote-picture.js';
import { parseRpcParams } from './params.js';
import { NonceCache, verifyRequest, type KeyLookup } from './signature.js';
import { UploadStore } from './uploads.js';
import type { Params } from './wire.js';

export interface AliyunApiOptions {
  log: Logger;
  /** Secret lookup for access key ids (the bootstrap key and the stored keys). */
  keys: KeyLookup;
  /** The scope of a key whose signature was verified. */
  principalOf(accessKeyId: string): Promise<Principal>;
  /** QPS limits per key and per instance; undefined = unlimited. */
  qps?: QpsLimits;
  /** Time budget of an action once its request is read and verified; 0 = none. */
  requestTimeoutMs?: number;
  signatureWindowS: number;
  nonceCacheMax: number;
  /** Key for upload policies and download links (kept in the data directory). */
  serverKey: Buffer;
  /** Where temporary uploads live. */
  uploadDir: string;
  uploadTtlS: number;
  uploadHost?: string;
  /** Largest picture, in bytes. */
  maxPictureBytes: number;
  /** Largest request body, in bytes. */
  bodyMaxBytes: number;
  /** Fetching of PicContent URLs tusou did not issue; undefined when disabled. */
  remote?: RemotePictureOptions;
  region: string;
  now: Clock;
}

const JSON_TYPE = 'application/json;charset=utf-8';
const SUPPORTED_VERSIONS = Object.keys(ACTIONS).join(', ');

/** The Alibaba front-end: owns the nonce cache, the temporary uploads and the link signer. */
export class AliyunApi {
  private readonly nonces: NonceCache;
  private readonly links: LinkSigner;
  readonly uploads: UploadStore;

  constructor(private readonly engine: Engine, private readonly opts: AliyunApiOptions) {
    this.nonces = new NonceCache(opts.nonceCacheMax);
    this.links = new LinkSigner(opts.serverKey, opts.now);
    this.uploads = new UploadStore({
      dir: opts.uploadDir, secret: opts.serverKey, ttlS: opts.uploadTtlS, maxBytes: opts.maxPictureBytes,
      uploadHost: opts.uploadHost, now: opts.now,
      onError: (err) => opts.log.error({ err }, 'expiring temporary uploads failed'),
    });
  }

  /** Prepare the upload directory; call before serving. */
  async open(): Promise<void> {
    await this.uploads.open();
  }

  async close(): Promise<void> {
    await this.uploads.close();
  }

  /** Register the routes on the root app (before anything else answers `/`). */
  mount(app: Hono<Env>): void {
    const limit = bodyLimit({
      maxSize: this.opts.bodyMaxBytes,
      onError: (c) => {
        // The rest of the body is still on the wire: the connection cannot carry another request.
        c.header('connection', 'close');
        return this.fail(c, new TusouError('BODY_TOO_LARGE', { bytes: this.opts.bodyMaxBytes + 1, maxBytes: this.opts.bodyMaxBytes }), c.req.header('x-acs-action'));
      },
    });
    app.on(['GET', 'POST'], '/', limit, (c, next) => this.handle(c, next));
    app.get(`${TASK_FILE_PATH}/:id/:file`, (c) => this.taskFile(c));
  }

  private async handle(c: Context<Env>, next: Next): Promise<Response | void> {
    const action = c.req.header('x-acs-action') ?? c.req.query('Action');
    if (!action) {
      const type = c.req.header('content-type') ?? '';
      if (c.req.method === 'POST' && /^multipart\/form-data/i.test(type)) return this.postObject(c);
      // GET / without an action belongs to whatever else serves the root.
      if (c.req.method === 'GET') return next();
      return this.fail(c, new TusouError('PARAM_MISSING', { field: 'Action' }), undefined);
    }
    try {
      // The budget covers reading the body too: a slow upload must not hold a slot forever.
      return await withTimeout(this.run(c, action), this.opts.requestTimeoutMs ?? 0);
    } catch (err) {
      return this.fail(c, err, action);
    }
  }

  /** Verify, authorize and run one action. */
  private async run(c: Context<Env>, action: string): Promise<Response> {
    const url = new URL(c.req.url);
    const body = Buffer.from(await c.req.arrayBuffer());
    const { query, form, params } = parseRpcParams(url.search, c.req.header('content-type'), body);
    const { accessKeyId } = await verifyRequest(
      { method: c.req.method, path: url.pathname, query, form, body, header: (name) => c.req.header(name) },
      { lookup: this.opts.keys, nonces: this.nonces, windowS: this.opts.signatureWindowS, now: this.opts.now },
    );
    const version = c.req.header('x-acs-version') ?? url.searchParams.get('Version') ?? '';
    const actions = ACTIONS[version];
    if (!actions) throw new TusouError('API_VERSION_INVALID', { version: version || '(missing)', supported: SUPPORTED_VERSIONS });
    const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!run) throw new TusouError('API_ACTION_UNKNOWN', { action });
    const principal = await this.opts.principalOf(accessKeyId);
    c.set('principal', principal);
    const instance = params.InstanceName || undefined;
    authorize(principal, Object.hasOwn(ACTION_ACCESS, action) ? ACTION_ACCESS[action] : 'write', instance);
    this.opts.qps?.admit(principal, instance);
    const host = c.req.header('host') ?? url.host;
    const ctx: ActionContext = {
      engine: this.engine, params, requestId: c.get('requestId'), host, baseUrl: `${url.protocol}//${host}`,
      picture: (name) => resolvePicture(params[name], { uploads: this.uploads, remote: this.opts.remote }),
      links: this.links, uploads: this.uploads, region: this.opts.region, log: this.opts.log,
      instanceQps: (name) => this.opts.qps?.instanceQps(name) ?? 0,
    };
    const result = await run(ctx);
    return c.body(JSON.stringify({ RequestId: ctx.requestId, ...result }), 200, { 'content-type': JSON_TYPE });
  }

  /** The OSS PostObject receiver of the *Advance uploads (XML answers, as OSS). */
  private async postObject(c: Context<Env>): Promise<Response> {
    const requestId = c.get('requestId');
    try {
      const body = Buffer.from(await c.req.arrayBuffer());
      const parts = parseMultipart(body, boundaryOf(c.req.header('content-type')));
      const { bucket, key } = await this.uploads.receive(parts);
      const status = parts.find((p) => p.name === 'success_action_status')?.data.toString('utf8');
      if (status !== '200' && status !== '201') return c.body(null, 204);
      const x = (s: string) => s.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>${x(bucket)}</Bucket><Key>${x(key)}</Key></PostResponse>`;
      return c.body(status === '201' ? xml : '', status === '201' ? 201 : 200, { 'content-type': 'application/xml' });
    } catch (err) {
      const e = this.describe(c, err, 'PostObject');
      return c.body(ossErrorXml(e, requestId, c.req.header('host') ?? ''), e.status as 400, { 'content-type': 'application/xml' });
    }
  }

  /** A task's file, behind a signed expiring link. */
  private async taskFile(c: Context<Env>): Promise<Response> {
    try {
      const id = Number(c.req.param('id'));
      const file = c.req.param('file') ?? '';
      const role = (Object.keys(TASK_FILE_NAMES) as TaskFileRole[]).find((r) => TASK_FILE_NAMES[r] === file);
      if (!Number.isSafeInteger(id) || id < 1 || !role) throw new TusouError('ROUTE_NOT_FOUND', { method: 'GET', path: c.req.path });
      this.links.verify(id, file, c.req.query('Expires'), c.req.query('Signature'));
      const found = await this.engine.getTaskFile(id, role);
      if (!found) throw new TusouError('TASK_NOT_FOUND', { id });
      const stream = Readable.toWeb(createReadStream(found.path)) as ReadableStream;
      return c.body(stream, 200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${found.task.instance}-${id}-${file}"`,
      });
    } catch (err) {
      return this.fail(c, err, 'TaskFile');
    }
  }

  private describe(c: Context<Env>, err: unknown, action: string | undefined): AliyunError {
    if (isTusouError(err)) return aliyunError(err, action);
    this.opts.log.error({ err, requestId: c.get('requestId'), action }, 'unexpected error');
    return INTERNAL_ERROR;
  }

  /** Answer an error in the Alibaba envelope (also used by the server for admission failures). */
  fail(c: Context<Env>, err: unknown, action: string | undefined): Response {
    const e = this.describe(c, err, action);
    c.set('errorCode', isTusouError(err) ? err.code : 'INTERNAL');
    const retryAfterS = isTusouError(err) ? (err.details as { retryAfterS?: unknown }).retryAfterS : undefined;
    if (typeof retryAfterS === 'number') c.header('retry-after', String(retryAfterS));
    if (isTusouError(err, 'REQUEST_TIMEOUT')) c.header('connection', 'close');
    return c.body(JSON.stringify(errorBody(e, c.get('requestId'), c.req.header('host') ?? '')), e.status as 400, { 'content-type': JSON_TYPE });
  }
}
