/**
 * Typed WeCom API failures. Callers (the durable job worker) decide on `retryable`, never on the message text:
 * a retryable error is re-queued with backoff, a final one is recorded and dropped.
 *
 * Messages carry the API path (without query string) and WeCom's errcode/errmsg only, so neither the app secret
 * nor the access_token can leak into logs or job rows.
 */

/** Token problems: the client refreshes the token once; if they persist, a later retry (new token) may succeed. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** Transient conditions that the client itself retries with backoff (system busy, rate limits). */
export const BACKOFF_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([
  ...BACKOFF_ERRCODES,
  ...TOKEN_ERRCODES,
  // "welcome msg is being distributed": another app is sending right now, a later attempt may succeed.
  41096,
]);

/**
 * Whether a WeCom errcode is worth retrying later. Everything not listed is final, including the ones a retry can
 * never fix: 84061 (no such customer relation), 40096 (bad external_userid), 48002 (no API permission),
 * 60011 (no permission on member/department), 60020 (server IP not in the trusted list), 41051 (welcome already
 * delivered because the customer started chatting).
 */
export function isRetryableErrcode(errcode: number): boolean {
  return RETRYABLE_ERRCODES.has(errcode);
}

/** WeCom answered with `errcode != 0`. */
export class WecomApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  readonly retryable: boolean;
  /** API path without query string, e.g. `/cgi-bin/externalcontact/get`. */
  readonly path: string;

  constructor(path: string, errcode: number, errmsg: string, retryable: boolean = isRetryableErrcode(errcode)) {
    super(`WeCom API ${path} failed: errcode ${errcode}${errmsg ? ` (${errmsg})` : ''}`);
    this.name = 'WecomApiError';
    this.path = path;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.retryable = retryable;
  }
}

/**
 * Failures that happen before the request leaves this machine, or that WeCom answers without acting on (429): a
 * request that failed this way certainly did nothing, so even one that creates or sends something may be repeated.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'HTTP_429',
]);

/**
 * The request did not produce a WeCom answer: timeout, connection failure, HTTP status other than 200, or a body
 * that is not JSON. Retryable except for 4xx statuses (other than 429), which mean a wrong URL and won't heal.
 */
export class WecomNetworkError extends Error {
  readonly retryable: boolean;
  readonly path: string;
  /** `TIMEOUT`, `HTTP_<status>`, `INVALID_JSON`, or the system error code (`ECONNREFUSED`, …) when known. */
  readonly code: string;
  /**
   * True when WeCom may have received and carried out the request (a timeout, a connection reset, a 5xx from a
   * gateway, an unreadable answer): repeating a call that creates or sends something could then do it twice.
   */
  readonly outcomeUnknown: boolean;
  private readonly detail: string;

  constructor(path: string, code: string, detail: string, retryable = true) {
    super(`WeCom API ${path} request failed: ${detail}`);
    this.name = 'WecomNetworkError';
    this.path = path;
    this.code = code;
    this.detail = detail;
    this.retryable = retryable;
    this.outcomeUnknown = !NOT_SENT_CODES.has(code) && !/^HTTP_4/.test(code);
  }

  /** The same failure, final: for a call that must not be repeated when its outcome is unknown. */
  notRepeatable(): WecomNetworkError {
    return new WecomNetworkError(
      this.path,
      this.code,
      `${this.detail}; not repeated, because WeCom may have carried it out already (check before trying again)`,
      false,
    );
  }
}
