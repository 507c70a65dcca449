/** A scripted stand-in for qyapi behind an injected `fetch`, recording every request. */

export interface RecordedRequest {
  method: string;
  url: URL;
  path: string;
  body: string | FormData | undefined;
  headers: Record<string, string>;
}

export type Handler = (req: RecordedRequest, signal: AbortSignal | undefined) => unknown | Promise<unknown>;

export function fakeWecom(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const req: RecordedRequest = {
      method: init.method ?? 'GET',
      url,
      path: url.pathname,
      body: init.body as string | FormData | undefined,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
    };
    requests.push(req);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const handler = routes[url.pathname];
    if (!handler) return new Response('not found', { status: 404 });
    const result = await handler(req, signal);
    if (result instanceof Response) return result;
    return new Response(JSON.stringify(result), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    requests,
    calls: (path: string) => requests.filter((r) => r.path === path),
  };
}

/** gettoken that hands out tok-1, tok-2, … */
export function tokenIssuer(expiresIn = 7200) {
  let issued = 0;
  return {
    handler: (() => ({ errcode: 0, errmsg: 'ok', access_token: `tok-${++issued}`, expires_in: expiresIn })) as Handler,
    get issued() {
      return issued;
    },
  };
}

/** Resolves when aborted, like a server that never answers. */
export function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
