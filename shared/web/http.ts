import type { ErrorBody } from '../schemas/common.js';

/**
 * What the two front ends (the rep sidebar and the manager console) share of talking to the API: the typed error,
 * the guard that recognises the server's error answers, query strings, and reading an answer. Each front end keeps
 * its own client around it, because they handle a 401 differently (the sidebar goes through WeCom's OAuth again,
 * the console shows its sign-in page). No DOM and no Vue here: the server's type check reads this folder too.
 */

/** An API call that failed: the server's `{ error, message, field }`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The server's `error` code, or a client-side one (`network`, `bad_response`, `session_expired` …). */
  readonly code: string;
  readonly field?: string;
  readonly requestId?: string;
  /** The whole error answer, for the codes that carry more (e.g. 423 `account_locked` has `unlockAt`). */
  readonly body?: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { field?: string; requestId?: string; body?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.requestId = extra.requestId;
    this.body = extra.body;
  }
}

/** Every error answer of the server is `{ error, message, requestId, field? }` (server/plugins/error-handler.ts). */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  return (
    typeof o.error === 'string' &&
    typeof o.message === 'string' &&
    (o.requestId === undefined || typeof o.requestId === 'string') &&
    (o.field === undefined || typeof o.field === 'string')
  );
}

export type QueryValue = string | number | boolean | null | undefined;
/** Query parameters; an array repeats the key (`tagIds=a&tagIds=b`), empty values are left out. */
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value as QueryValue];
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue;
      params.append(key, String(v));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export const NETWORK_ERROR_MESSAGE = '网络异常，请检查网络后重试';

/**
 * Reads an answer other than 401 (each client decides what a 401 means): the JSON of a 2xx, or throws the server's
 * error as an ApiError. A GET must answer something; a 204 answers `undefined`.
 */
export async function readAnswer<T>(response: Response, method: string): Promise<T> {
  if (response.status === 204) return undefined as T;
  let data: unknown;
  try {
    const text = await response.text();
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    if (isErrorBody(data)) {
      throw new ApiError(response.status, data.error, data.message, {
        field: data.field,
        requestId: data.requestId,
        body: data as Record<string, unknown>,
      });
    }
    throw new ApiError(response.status, 'http_error', `请求失败（HTTP ${response.status}）`);
  }
  if (data === undefined && method === 'GET') {
    throw new ApiError(response.status, 'bad_response', '服务器返回了无法识别的内容');
  }
  return data as T;
}
