import { describe, it, expect } from 'vitest';
import { WecomClient, type WecomClientOptions } from '../../../server/wecom/client.js';
import { WecomApiError, WecomNetworkError } from '../../../server/wecom/errors.js';
import { TokenCache } from '../../../server/wecom/token-cache.js';
import { deferred, fakeWecom, hang, tokenIssuer, type Handler } from './fake-wecom.js';

const SECRET = 'super-secret-app-secret-0123456789';
const BASE = 'https://qyapi.weixin.qq.com';
const GET_PATH = '/cgi-bin/externalcontact/get';

function setup(routes: Record<string, Handler>, options: Partial<WecomClientOptions> = {}) {
  const tokens = tokenIssuer();
  const fake = fakeWecom({ '/cgi-bin/gettoken': tokens.handler, ...routes });
  const warnings: Array<{ obj: object; msg: string }> = [];
  const client = new WecomClient({
    baseUrl: BASE,
    corpId: 'ww-corp',
    secret: SECRET,
    retryBaseMs: 1,
    fetch: fake.fetch,
    log: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...options,
  });
  return { client, fake, tokens, warnings };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Neither the secret nor any token issued appears anywhere in the error or the logs. */
function expectNoCredentials(texts: unknown[]) {
  for (const text of texts) {
    const s = typeof text === 'string' ? text : JSON.stringify(text, Object.getOwnPropertyNames(text ?? {}));
    expect(s).not.toContain(SECRET);
    expect(s).not.toMatch(/tok-\d/);
  }
}

const ok = (extra: object = {}) => ({ errcode: 0, errmsg: 'ok', ...extra });

describe('access token', () => {
  it('is fetched once, cached and reused, and sent as access_token', async () => {
    const { client, fake } = setup({ [GET_PATH]: () => ok({ external_contact: { name: 'A' } }) });
    await client.get(GET_PATH, { external_userid: 'wm1' });
    const second = await client.get<{ external_contact: { name: string } }>(GET_PATH, { external_userid: 'wm2' });
    expect(second.external_contact.name).toBe('A');

    const gettoken = fake.calls('/cgi-bin/gettoken');
    expect(gettoken).toHaveLength(1);
    expect(gettoken[0]?.url.searchParams.get('corpid')).toBe('ww-corp');
    expect(gettoken[0]?.url.searchParams.get('corpsecret')).toBe(SECRET);
    const calls = fake.calls(GET_PATH);
    expect(calls.map((c) => c.url.searchParams.get('access_token'))).toEqual(['tok-1', 'tok-1']);
    expect(calls.map((c) => c.url.searchParams.get('external_userid'))).toEqual(['wm1', 'wm2']);
  });

  it('10 concurrent calls with no token cause exactly one gettoken', async () => {
    const gate = deferred<void>();
    const tokens = tokenIssuer();
    const { client, fake } = setup({
      '/cgi-bin/gettoken': async (req, signal) => {
        await gate.promise;
        return tokens.handler(req, signal);
      },
      [GET_PATH]: () => ok(),
    });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => client.get(GET_PATH, { external_userid: `wm${i}` })));
    gate.resolve();
    await all;
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(1);
    expect(fake.calls(GET_PATH)).toHaveLength(10);
    expect(new Set(fake.calls(GET_PATH).map((c) => c.url.searchParams.get('access_token')))).toEqual(
      new Set(['tok-1']),
    );
  });

  it('is shared between clients through one TokenCache, per (corpId, secret)', async () => {
    const tokens = tokenIssuer();
    const fake = fakeWecom({ '/cgi-bin/gettoken': tokens.handler, [GET_PATH]: () => ok() });
    const cache = new TokenCache();
    const make = (secret: string) =>
      new WecomClient({ baseUrl: BASE, corpId: 'ww-corp', secret, tokenCache: cache, fetch: fake.fetch });
    await make(SECRET).get(GET_PATH);
    await make(SECRET).get(GET_PATH);
    expect(tokens.issued).toBe(1);
    await make('another-app-secret').get(GET_PATH);
    expect(tokens.issued).toBe(2);
  });

  it('is renewed about 5 minutes before expires_in', async () => {
    let now = 1_000_000;
    const { client, tokens } = setup({ [GET_PATH]: () => ok() }, { now: () => now });
    await client.get(GET_PATH);
    now += (7200 - 301) * 1000;
    await client.get(GET_PATH);
    expect(tokens.issued).toBe(1);
    now += 2000; // now inside the last 5 minutes
    await client.get(GET_PATH);
    expect(tokens.issued).toBe(2);
  });

  it('on 42001: invalidates, refreshes once and retries the call once', async () => {
    const { client, fake, warnings } = setup({
      [GET_PATH]: (req) =>
        req.url.searchParams.get('access_token') === 'tok-1'
          ? { errcode: 42001, errmsg: 'access_token expired' }
          : ok({ external_contact: { name: 'B' } }),
    });
    const result = await client.get<{ external_contact: { name: string } }>(GET_PATH, { external_userid: 'wm1' });
    expect(result.external_contact.name).toBe('B');
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(2);
    expect(fake.calls(GET_PATH).map((c) => c.url.searchParams.get('access_token'))).toEqual(['tok-1', 'tok-2']);
    expect(warnings.some((w) => /refresh/.test(w.msg))).toBe(true);
    expectNoCredentials(warnings);
  });

  it('on 40014 twice: refreshes once, then throws (no loop)', async () => {
    const { client, fake } = setup({ [GET_PATH]: () => ({ errcode: 40014, errmsg: 'invalid access_token' }) });
    const err = await rejection(client.get(GET_PATH));
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 40014, retryable: true, path: GET_PATH });
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(2);
    expect(fake.calls(GET_PATH)).toHaveLength(2);
  });

  it('a concurrent caller that saw 42001 on an old token does not discard the fresh one', async () => {
    let expiredOnce = false;
    const { client, tokens } = setup({
      [GET_PATH]: (req) => {
        if (req.url.searchParams.get('access_token') === 'tok-1' && !expiredOnce) {
          expiredOnce = true;
          return { errcode: 42001, errmsg: 'expired' };
        }
        return ok();
      },
    });
    await client.get(GET_PATH);
    await Promise.all([client.get(GET_PATH), client.get(GET_PATH)]);
    expect(tokens.issued).toBe(2);
  });

  it('gettoken 40001 (wrong secret) is final and leaks no secret', async () => {
    const { client, fake } = setup({
      '/cgi-bin/gettoken': (req) => ({
        errcode: 40001,
        errmsg: `invalid credential, corpsecret=${req.url.searchParams.get('corpsecret')}, hint: [x]`,
      }),
      [GET_PATH]: () => ok(),
    });
    const err = await rejection(client.get(GET_PATH));
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: 40001, retryable: false, path: '/cgi-bin/gettoken' });
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(1);
    expect(fake.calls(GET_PATH)).toHaveLength(0);
    expectNoCredentials([err.message, err]);
  });

  it('a failed gettoken is not cached: the next call tries again', async () => {
    let fail = true;
    const tokens = tokenIssuer();
    const { client } = setup(
      {
        '/cgi-bin/gettoken': (req, signal) =>
          fail ? { errcode: 40013, errmsg: 'invalid corpid' } : tokens.handler(req, signal),
        [GET_PATH]: () => ok(),
      },
      { retries: 0 },
    );
    await expect(client.get(GET_PATH)).rejects.toMatchObject({ errcode: 40013, retryable: false });
    fail = false;
    await expect(client.get(GET_PATH)).resolves.toMatchObject({ errcode: 0 });
  });
});

describe('errors and retries', () => {
  it('-1 twice then ok → success after two backoff retries', async () => {
    let n = 0;
    const { client, fake, warnings } = setup({
      [GET_PATH]: () => (++n <= 2 ? { errcode: -1, errmsg: 'system busy' } : ok({ n })),
    });
    await expect(client.get(GET_PATH)).resolves.toMatchObject({ errcode: 0, n: 3 });
    expect(fake.calls(GET_PATH)).toHaveLength(3);
    expect(warnings.filter((w) => /busy/.test(w.msg))).toHaveLength(2);
  });

  it.each([-1, 45009, 45033])('errcode %i is retried `retries` times, then thrown as retryable', async (errcode) => {
    const { client, fake } = setup({ [GET_PATH]: () => ({ errcode, errmsg: 'busy' }) }, { retries: 2 });
    const err = await rejection(client.get(GET_PATH));
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode, retryable: true });
    expect(fake.calls(GET_PATH)).toHaveLength(3);
  });

  it.each([84061, 40096, 48002, 60011, 60020, 41051])(
    'errcode %i → WecomApiError retryable=false, no retry',
    async (errcode) => {
      const { client, fake } = setup({ [GET_PATH]: () => ({ errcode, errmsg: 'no such relation' }) });
      const err = await rejection(client.get(GET_PATH, { external_userid: 'wm1' }));
      expect(err).toBeInstanceOf(WecomApiError);
      expect(err).toMatchObject({ errcode, errmsg: 'no such relation', retryable: false, path: GET_PATH });
      expect(err.message).toContain(String(errcode));
      expect(fake.calls(GET_PATH)).toHaveLength(1);
      expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(1);
      expectNoCredentials([err.message, err]);
    },
  );

  it('a timeout becomes WecomNetworkError TIMEOUT, retried, without credentials in the message', async () => {
    const { client, fake } = setup({ [GET_PATH]: (_req, signal) => hang(signal) }, { timeoutMs: 30, retries: 1 });
    const started = Date.now();
    const err = await rejection(client.get(GET_PATH));
    expect(err).toBeInstanceOf(WecomNetworkError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, path: GET_PATH });
    expect(err.message).toMatch(/timed out after 30 ms/);
    expect(fake.calls(GET_PATH)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
    expectNoCredentials([err.message, err]);
  });

  it('a connection error is retried, then thrown as WecomNetworkError with the system code, scrubbed', async () => {
    let attempts = 0;
    const { client } = setup({
      [GET_PATH]: (req) => {
        attempts++;
        throw new TypeError(`fetch failed for ${req.url.toString()}`, {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
        });
      },
    });
    const err = await rejection(client.get(GET_PATH));
    expect(err).toBeInstanceOf(WecomNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('access_token=[redacted]');
    expect(attempts).toBe(4);
    expectNoCredentials([err.message, err]);
  });

  describe('a call that creates or sends something (idempotent: false)', () => {
    const SEND_PATH = '/cgi-bin/message/send';
    const refused = () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
      });
    };
    const reset = () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      });
    };

    it('is sent once after a timeout, and the error is final and says why', async () => {
      const { client, fake } = setup({ [SEND_PATH]: (_req, signal) => hang(signal) }, { timeoutMs: 30 });
      const err = await rejection(client.post(SEND_PATH, { text: 'hi' }, {}, { idempotent: false }));
      expect(err).toMatchObject({ name: 'WecomNetworkError', code: 'TIMEOUT', retryable: false });
      expect(err.message).toMatch(/may have carried it out/);
      expect(fake.calls(SEND_PATH)).toHaveLength(1);
      expectNoCredentials([err.message, err]);
    });

    it('is sent once after a connection reset or a 5xx, where WeCom may have acted', async () => {
      for (const handler of [reset, () => new Response('bad gateway', { status: 502 })]) {
        const { client, fake } = setup({ [SEND_PATH]: handler });
        const err = await rejection(client.post(SEND_PATH, {}, {}, { idempotent: false }));
        expect(err).toMatchObject({ retryable: false, outcomeUnknown: true });
        expect(fake.calls(SEND_PATH)).toHaveLength(1);
      }
    });

    it('is retried after failures that certainly did nothing: connection refused, 429, errcode -1', async () => {
      let n = 0;
      const { client, fake } = setup({
        [SEND_PATH]: () => {
          n++;
          if (n === 1) return refused();
          if (n === 2) return new Response('slow down', { status: 429 });
          if (n === 3) return { errcode: -1, errmsg: 'system busy' };
          return ok({ msgid: 'm1' });
        },
      });
      await expect(client.post(SEND_PATH, {}, {}, { idempotent: false })).resolves.toMatchObject({ msgid: 'm1' });
      expect(fake.calls(SEND_PATH)).toHaveLength(4);
    });

    it('a call whose caller checks WeCom first (callerChecks) is sent once after a timeout and stays retryable', async () => {
      const { client, fake } = setup({ [SEND_PATH]: (_req, signal) => hang(signal) }, { timeoutMs: 30 });
      const err = await rejection(client.post(SEND_PATH, {}, {}, { callerChecks: true }));
      expect(err).toMatchObject({ name: 'WecomNetworkError', code: 'TIMEOUT', retryable: true, outcomeUnknown: true });
      expect(fake.calls(SEND_PATH)).toHaveLength(1);
    });

    it('the same timeout on an idempotent call is still retried', async () => {
      let n = 0;
      const { client, fake } = setup(
        { [SEND_PATH]: (_req, signal) => (++n === 1 ? hang(signal) : ok()) },
        { timeoutMs: 30 },
      );
      await expect(client.post(SEND_PATH, {})).resolves.toMatchObject({ errcode: 0 });
      expect(fake.calls(SEND_PATH)).toHaveLength(2);
    });
  });

  it('HTTP 5xx is retried; HTTP 404 and non-JSON answers are reported as network errors', async () => {
    let n = 0;
    const { client, fake } = setup({
      [GET_PATH]: () => (++n === 1 ? new Response('bad gateway', { status: 502 }) : ok()),
      '/cgi-bin/html': () => new Response('<html>proxy</html>', { status: 200 }),
    });
    await expect(client.get(GET_PATH)).resolves.toMatchObject({ errcode: 0 });
    expect(fake.calls(GET_PATH)).toHaveLength(2);

    const missing = await rejection(client.get('/cgi-bin/nope'));
    expect(missing).toMatchObject({ code: 'HTTP_404', retryable: false });
    expect(fake.calls('/cgi-bin/nope')).toHaveLength(1);

    await expect(client.get('/cgi-bin/html')).rejects.toMatchObject({
      name: 'WecomNetworkError',
      code: 'INVALID_JSON',
    });
  });
});

describe('requests', () => {
  it('POSTs JSON with the token in the query', async () => {
    const { client, fake } = setup({ '/cgi-bin/externalcontact/mark_tag': () => ok() });
    await client.post('/cgi-bin/externalcontact/mark_tag', { userid: 'u', external_userid: 'wm', add_tag: ['t1'] });
    const [req] = fake.calls('/cgi-bin/externalcontact/mark_tag');
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(String(req?.body))).toEqual({ userid: 'u', external_userid: 'wm', add_tag: ['t1'] });
    expect(req?.url.searchParams.get('access_token')).toBe('tok-1');
  });

  it('joins a lazily resolved base URL with a path prefix (the emulator) and skips undefined params', async () => {
    let base = 'http://127.0.0.1:0/emulator';
    const tokens = tokenIssuer();
    const fake = fakeWecom({
      '/emulator/cgi-bin/gettoken': tokens.handler,
      '/emulator/cgi-bin/user/list': () => ok({ userlist: [] }),
    });
    const client = new WecomClient({ baseUrl: () => base, corpId: 'c', secret: 's', fetch: fake.fetch });
    base = 'http://127.0.0.1:3000/emulator/';
    await client.get('/cgi-bin/user/list', { department_id: 1, fetch_child: undefined });
    const [req] = fake.calls('/emulator/cgi-bin/user/list');
    expect(req?.url.origin).toBe('http://127.0.0.1:3000');
    expect(req?.url.searchParams.get('department_id')).toBe('1');
    expect(req?.url.searchParams.has('fetch_child')).toBe(false);
  });

  it('uploads a file as multipart field "media"', async () => {
    const { client, fake } = setup({
      '/cgi-bin/media/upload': () => ok({ type: 'image', media_id: 'MEDIA', created_at: '1380000000' }),
    });
    const result = await client.upload<{ media_id: string }>(
      '/cgi-bin/media/upload',
      { type: 'image' },
      {
        filename: 'poster.png',
        contentType: 'image/png',
        data: Buffer.from('PNGDATA'),
      },
    );
    expect(result.media_id).toBe('MEDIA');
    const [req] = fake.calls('/cgi-bin/media/upload');
    expect(req?.url.searchParams.get('type')).toBe('image');
    expect(req?.body).toBeInstanceOf(FormData);
    const media = (req?.body as FormData).get('media');
    expect(media).toBeInstanceOf(Blob);
    expect((media as File).name).toBe('poster.png');
    expect((media as File).type).toBe('image/png');
    expect(await (media as File).text()).toBe('PNGDATA');
  });

  it('webhookSend posts to the robot with its key and no access_token; the key stays out of errors', async () => {
    const key = 'robot-key-1234-5678';
    const { client, fake } = setup({
      '/cgi-bin/webhook/send': (req) =>
        JSON.parse(String(req.body)).text.content === 'fail'
          ? { errcode: 93000, errmsg: `invalid webhook url, key=${key}` }
          : ok(),
    });
    await client.webhookSend(key, { msgtype: 'text', text: { content: 'hi' } });
    const [req] = fake.calls('/cgi-bin/webhook/send');
    expect(req?.url.searchParams.get('key')).toBe(key);
    expect(req?.url.searchParams.has('access_token')).toBe(false);
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(0);

    const err = await rejection(client.webhookSend(key, { msgtype: 'text', text: { content: 'fail' } }));
    expect(err).toMatchObject({ name: 'WecomApiError', errcode: 93000, retryable: false });
    expect(err.message).not.toContain(key);
    expect((err as WecomApiError).errmsg).not.toContain(key);
  });

  it('callWithoutToken checks errcode without fetching a token', async () => {
    const { client, fake } = setup({
      '/cgi-bin/public': () => ({ errcode: 60020, errmsg: 'not allow to access from your ip' }),
    });
    await expect(client.callWithoutToken('/cgi-bin/public', { a: 1 })).rejects.toMatchObject({
      errcode: 60020,
      retryable: false,
    });
    expect(fake.calls('/cgi-bin/gettoken')).toHaveLength(0);
  });

  it('refuses a path without leading slash', async () => {
    const { client } = setup({});
    await expect(client.callWithoutToken('cgi-bin/x')).rejects.toThrow(TypeError);
  });
});
