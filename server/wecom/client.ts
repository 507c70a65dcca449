/**
 * HTTP client for the WeCom server API (qyapi, or the emulator at the same paths).
 *
 * It owns the access token (shared cache, one refresh in flight), turns `errcode != 0` into WecomApiError, retries
 * what is transient (system busy, rate limits, network) a few times with backoff, and refreshes the token once on
 * token errors. Anything still failing is thrown with `retryable` set, for the durable job queue to decide.
 * The secret, the access_token and webhook keys never appear in errors or logs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, FormData as PoolFormData, request } from 'undici';
import { BACKOFF_ERRCODES, TOKEN_ERRCODES, WecomApiError, WecomNetworkError } from './errors.js';
import { TokenCache, type FetchedToken } from './token-cache.js';
import type { WecomResponse } from './types.js';

export type QueryParams = Record<string, string | number | undefined>;

export interface UploadFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface WecomClientOptions {
  /** `https://qyapi.weixin.qq.com`, or a function when the address is known only later (emulator port). */
  baseUrl: string | (() => string);
  corpId: string;
  secret: string;
  /** Per HTTP attempt. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts for transient failures. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 200. */
  retryBaseMs?: number;
  /** Share one cache between clients of the same process. */
  tokenCache?: TokenCache;
  /** A fetch-compatible function in place of the client's own transport (unit tests script WeCom with it). */
  fetch?: typeof fetch;
  now?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

export interface CallOptions {
  /**
   * False for a call that creates or sends something (a contact way, a tag, a message): after a timeout or another
   * failure with an unknown outcome it is neither retried here nor marked retryable, so it can never happen twice.
   * Failures that certainly did nothing (connection refused, 429, WeCom's "busy" errcodes) are still retried.
   * Default true: reads, and writes that set a state (mark_tag, remark, update_contact_way …).
   */
  idempotent?: boolean;
  /**
   * The caller checks WeCom's state before it tries again (e.g. the mark_tag job reads the follow's tags first): a
   * failure with an unknown outcome is not repeated here, but stays retryable for the caller's next attempt.
   */
  callerChecks?: boolean;
}

type Payload = { kind: 'json'; value: unknown } | { kind: 'file'; file: UploadFile } | undefined;
/** Whether a failed request may be sent again here: always, never after an unknown outcome, or by the caller. */
type Repeat = 'yes' | 'never' | 'caller';
type Json = WecomResponse & Record<string, unknown>;
type Exchange = (
  url: string,
  /** A JSON body, or a file sent as multipart/form-data in field `media`. */
  init: { method: string; body?: string; file?: UploadFile; headers?: Record<string, string> },
) => Promise<{ status: number; text: string | null }>;

/** The multipart body of an upload, in the transport's own FormData class. */
function mediaForm<F extends { append(name: string, value: Blob, filename: string): void }>(
  form: F,
  file: UploadFile,
): F {
  form.append('media', new Blob([new Uint8Array(file.data)], { type: file.contentType }), file.filename);
  return form;
}

/**
 * One connection pool for every client of the process (keep-alive to qyapi). undici's `request` rather than `fetch`:
 * fetch's WHATWG streams, AbortSignal and Response objects cost ~0.47 ms of CPU per call against ~0.07 ms here
 * (20,000 small POSTs to a local server on this machine), and each add makes three calls. Connecting gives up after
 * 5 s; waiting for the headers and between body chunks after the client's own timeout.
 */
const pool = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 5_000 } });
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const GETTOKEN_PATH = '/cgi-bin/gettoken';
const WEBHOOK_PATH = '/cgi-bin/webhook/send';
// Query parameters whose values are credentials, scrubbed from any text that could end up in an error.
const SECRET_PARAMS = /\b(access_token|corpsecret|key)=[^&\s"']*/g;

export class WecomClient {
  readonly corpId: string;
  private readonly secret: string;
  private readonly baseUrl: string | (() => string);
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly tokens: TokenCache;
  private readonly tokenKey: string;
  private readonly exchange: Exchange;
  private readonly log: { warn(obj: object, msg: string): void } | undefined;

  constructor(options: WecomClientOptions) {
    this.corpId = options.corpId;
    this.secret = options.secret;
    this.baseUrl = options.baseUrl;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryBaseMs = Math.max(0, options.retryBaseMs ?? 200);
    this.tokens = options.tokenCache ?? new TokenCache({ now: options.now });
    this.tokenKey = TokenCache.keyOf(options.corpId, options.secret);
    this.exchange = options.fetch ? this.viaFetch(options.fetch) : this.viaPool();
    this.log = options.log;
  }

  get<T>(path: string, query: QueryParams = {}): Promise<T> {
    return this.call<T>(path, query, undefined, 'yes');
  }

  post<T>(path: string, body: unknown, query: QueryParams = {}, options: CallOptions = {}): Promise<T> {
    const repeat = options.callerChecks ? 'caller' : options.idempotent === false ? 'never' : 'yes';
    return this.call<T>(path, query, { kind: 'json', value: body }, repeat);
  }

  /** multipart/form-data upload, the file in field `media` (media/upload; a repeat only makes an unused copy). */
  upload<T>(path: string, query: QueryParams, file: UploadFile): Promise<T> {
    return this.call<T>(path, query, { kind: 'file', file }, 'yes');
  }

  /** A call that authenticates otherwise than with access_token (gettoken itself). GET, or POST when body is given. */
  async callWithoutToken<T>(path: string, query: QueryParams = {}, body?: unknown): Promise<T> {
    const payload: Payload = body === undefined ? undefined : { kind: 'json', value: body };
    const json = await this.withRetries(path, 'yes', () => this.send(path, query, payload));
    return this.unwrap<T>(path, json, []);
  }

  /**
   * Group robot (消息推送) webhook: `POST /cgi-bin/webhook/send?key=KEY`, no access_token. Never sent twice.
   * `retryBusy: false` hands "too fast" (45009) straight back: a robot's limit is per minute, so the caller's send
   * budget waits a minute instead of the client retrying within milliseconds.
   */
  async webhookSend<T = WecomResponse>(key: string, body: unknown, options: { retryBusy?: boolean } = {}): Promise<T> {
    const json = await this.withRetries(
      WEBHOOK_PATH,
      'never',
      () => this.send(WEBHOOK_PATH, { key }, { kind: 'json', value: body }),
      options.retryBusy ?? true,
    );
    return this.unwrap<T>(WEBHOOK_PATH, json, [key]);
  }

  private async call<T>(path: string, query: QueryParams, payload: Payload, repeat: Repeat): Promise<T> {
    // A token error means WeCom refused the call, so the retry with a fresh token is safe even when not idempotent.
    const attempt = (token: string) =>
      this.withRetries(path, repeat, () => this.send(path, { ...query, access_token: token }, payload));
    let token = await this.accessToken();
    let json = await attempt(token);
    const errcode = errcodeOf(json);
    if (TOKEN_ERRCODES.has(errcode)) {
      // WeCom may revoke a token before expires_in: fetch a new one and try once more, never in a loop.
      this.log?.warn({ path: pathOnly(path), errcode }, 'WeCom rejected the access token; refreshing it once');
      this.tokens.invalidate(this.tokenKey, token);
      token = await this.accessToken();
      json = await attempt(token);
    }
    return this.unwrap<T>(path, json, [token]);
  }

  private accessToken(): Promise<string> {
    return this.tokens.get(this.tokenKey, () => this.fetchToken());
  }

  private async fetchToken(): Promise<FetchedToken> {
    const json = await this.withRetries(GETTOKEN_PATH, 'yes', () =>
      this.send(GETTOKEN_PATH, { corpid: this.corpId, corpsecret: this.secret }, undefined),
    );
    const errcode = errcodeOf(json);
    if (errcode !== 0) {
      // At gettoken, 40001 means a wrong secret and 40013 a wrong corpid: no retry will fix those.
      const final = errcode === 40001 || errcode === 40013;
      throw new WecomApiError(
        GETTOKEN_PATH,
        errcode,
        this.redact(String(json.errmsg ?? ''), []),
        final ? false : undefined,
      );
    }
    const token = json['access_token'];
    const expiresIn = Number(json['expires_in'] ?? 7200);
    if (typeof token !== 'string' || token === '') {
      throw new WecomNetworkError(GETTOKEN_PATH, 'INVALID_RESPONSE', 'gettoken answered without an access_token');
    }
    return { token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 7200 };
  }

  private unwrap<T>(path: string, json: Json, credentials: string[]): T {
    const errcode = errcodeOf(json);
    if (errcode !== 0)
      throw new WecomApiError(pathOnly(path), errcode, this.redact(String(json.errmsg ?? ''), credentials));
    return json as T;
  }

  /**
   * Runs one request, retrying network failures and busy/rate-limit errcodes with exponential backoff + jitter.
   * A call that is not idempotent is repeated only after failures that certainly did nothing (see CallOptions).
   */
  private async withRetries(
    path: string,
    repeat: Repeat,
    attempt: () => Promise<Json>,
    retryBusy = true,
  ): Promise<Json> {
    for (let i = 0; ; i++) {
      try {
        const json = await attempt();
        const errcode = errcodeOf(json);
        if (!retryBusy || !BACKOFF_ERRCODES.has(errcode) || i >= this.retries) return json;
        this.log?.warn({ path: pathOnly(path), attempt: i + 1, errcode }, 'WeCom busy or rate-limited; retrying');
      } catch (err) {
        if (!(err instanceof WecomNetworkError)) throw err;
        if (repeat === 'never' && err.outcomeUnknown) throw err.notRepeatable();
        if (repeat === 'caller' && err.outcomeUnknown) throw err;
        if (!err.retryable || i >= this.retries) throw err;
        this.log?.warn({ path: pathOnly(path), attempt: i + 1, code: err.code }, 'WeCom request failed; retrying');
      }
      await sleep(this.backoffMs(i));
    }
  }

  private backoffMs(attempt: number): number {
    // "Equal jitter": half the exponential delay fixed, half random, so parallel retries spread out.
    const delay = this.retryBaseMs * 2 ** attempt;
    return delay / 2 + Math.random() * (delay / 2);
  }

  private async send(path: string, query: QueryParams, payload: Payload): Promise<Json> {
    const init: Parameters<Exchange>[1] = { method: payload ? 'POST' : 'GET' };
    if (payload?.kind === 'json') {
      init.body = JSON.stringify(payload.value);
      init.headers = { 'content-type': 'application/json; charset=utf-8' };
    } else if (payload?.kind === 'file') {
      init.file = payload.file;
    }

    const where = pathOnly(path);
    const url = this.url(path, query); // outside the try: a bad path is a programming error, not a network one
    let answer: Awaited<ReturnType<Exchange>>;
    try {
      answer = await this.exchange(url, init);
    } catch (err) {
      throw this.networkError(where, err, query);
    }
    if (answer.text === null) {
      // 4xx other than 429 means a wrong URL or method: retrying cannot help.
      const retryable = answer.status >= 500 || answer.status === 429;
      throw new WecomNetworkError(where, `HTTP_${answer.status}`, `HTTP status ${answer.status}`, retryable);
    }
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new WecomNetworkError(where, 'INVALID_JSON', 'response is not JSON');
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) {
      throw new WecomNetworkError(where, 'INVALID_JSON', 'response is not a JSON object');
    }
    return json as Json;
  }

  /** The product's transport: the shared pool; each phase (connect, headers, body) within the timeout. */
  private viaPool(): Exchange {
    return async (url, init) => {
      const res = await request(url, {
        method: init.method as 'GET' | 'POST',
        body: init.file ? mediaForm(new PoolFormData(), init.file) : init.body,
        headers: init.headers,
        dispatcher: pool,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump().catch(() => undefined);
        return { status: res.statusCode, text: null };
      }
      return { status: res.statusCode, text: await res.body.text() };
    };
  }

  /** An injected fetch, with the whole exchange within the timeout. */
  private viaFetch(fetchFn: typeof fetch): Exchange {
    return async (url, init) => {
      const res = await fetchFn(url, {
        method: init.method,
        headers: init.headers,
        body: init.file ? mediaForm(new FormData(), init.file) : init.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { status: res.status, text: null };
      }
      return { status: res.status, text: await res.text() };
    };
  }

  private networkError(path: string, err: unknown, query: QueryParams): WecomNetworkError {
    const name = err instanceof Error ? err.name : '';
    const own = (err as { code?: unknown } | null)?.code;
    if (name === 'TimeoutError' || name === 'AbortError' || (typeof own === 'string' && TIMEOUT_CODES.has(own))) {
      return new WecomNetworkError(path, 'TIMEOUT', `timed out after ${this.timeoutMs} ms`);
    }
    // fetch wraps the system error (its `cause`); undici's request throws it, or its own error with a code.
    const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : typeof own === 'string' ? own : 'NETWORK';
    const detail = [
      err instanceof Error ? err.message : String(err),
      typeof cause?.message === 'string' ? cause.message : '',
    ]
      .filter(Boolean)
      .join(': ');
    const credentials = [query['access_token'], query['corpsecret'], query['key']].filter(
      (v): v is string => typeof v === 'string',
    );
    return new WecomNetworkError(path, code, this.redact(detail || 'network error', credentials));
  }

  private redact(text: string, credentials: string[]): string {
    let out = text.replace(SECRET_PARAMS, '$1=[redacted]');
    for (const value of [this.secret, ...credentials]) {
      if (value) out = out.split(value).join('[redacted]');
    }
    return out;
  }

  private url(path: string, query: QueryParams): string {
    if (!path.startsWith('/')) throw new TypeError(`WeCom API path must start with "/": ${path}`);
    const base = typeof this.baseUrl === 'function' ? this.baseUrl() : this.baseUrl;
    const url = new URL(base.replace(/\/+$/, '') + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }
}

function errcodeOf(json: Json): number {
  // WeCom always sends errcode; a missing one is treated as success, as the official SDKs do.
  const errcode = Number(json.errcode ?? 0);
  return Number.isFinite(errcode) ? errcode : -1;
}

function pathOnly(path: string): string {
  return path.split('?')[0] ?? path;
}
