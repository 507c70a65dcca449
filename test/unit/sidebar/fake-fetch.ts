import { vi } from 'vitest';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  init: RequestInit | undefined;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  raw?: string;
}
export type FakeAnswer = FakeResponse | Promise<FakeResponse>;
export type FakeHandler = (req: FakeRequest) => FakeAnswer;

/**
 * A fetch that answers like the server: handlers keyed by "METHOD /path" (no query). Unknown routes answer 404
 * with the server's error body. Every request is kept in `calls`.
 */
export function fakeFetch(routes: Record<string, FakeHandler>) {
  const calls: FakeRequest[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://sidebar.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const req: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      init,
    };
    calls.push(req);
    const handler = routes[`${method} ${url.pathname}`];
    const answer = handler
      ? await handler(req)
      : { status: 404, body: { error: 'not_found', message: 'no route', requestId: 'r1' } };
    const status = answer.status ?? 200;
    const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    return new Response(status === 204 ? null : text, { status, headers: { 'content-type': 'application/json' } });
  });
  return { fetch, calls };
}

/** A promise with its resolve exposed: lets a test decide when an answer arrives. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
