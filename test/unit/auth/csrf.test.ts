import Fastify, { type InjectOptions } from 'fastify';
import fp from 'fastify-plugin';
import { describe, expect, it } from 'vitest';
import csrf from '../../../server/plugins/csrf.js';

const PUBLIC = 'https://scrm.example.com';

/** The guard on a bare Fastify: a stand-in `origin` plugin, one JSON route and one form route. */
async function guarded(publicUrl: string | (() => string) = PUBLIC) {
  const app = Fastify();
  await app.register(
    fp(
      async (a) => {
        const pub = typeof publicUrl === 'string' ? () => publicUrl : publicUrl;
        a.decorate('origin', { internal: pub, public: pub });
      },
      { name: 'origin' },
    ),
  );
  await app.register(csrf, { formPrefixes: ['/forms/'] });
  let handled = 0;
  app.post('/x', async () => {
    handled += 1;
    return { ok: true };
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, body),
  );
  app.post('/forms/x', async () => {
    handled += 1;
    return { ok: true };
  });
  const call = async (options: InjectOptions) => {
    const res = await app.inject({ method: 'POST', url: '/x', ...options });
    return { status: res.statusCode, error: res.statusCode >= 400 ? (res.json() as { error: string }).error : null };
  };
  return { app, call, handled: () => handled };
}

const fromPage = { origin: PUBLIC, 'sec-fetch-site': 'same-origin', cookie: 'scrm_session=abc' };

describe('csrf guard', () => {
  it('compares the Origin with the public origin exactly (scheme, host, port), a path in PUBLIC_URL aside', async () => {
    const { call } = await guarded('https://scrm.example.com/scrm');
    expect((await call({ headers: { ...fromPage, origin: 'https://scrm.example.com' } })).status).toBe(200);
    for (const origin of [
      'https://scrm.example.com:8443',
      'http://scrm.example.com',
      'https://SCRM.example.com.evil.example',
      'https://scrm.example.com/',
      'null',
      '',
    ]) {
      expect(await call({ headers: { ...fromPage, origin } }), origin).toEqual({
        status: 403,
        error: 'cross_site_request',
      });
    }
  });

  it('takes JSON in any spelling of its media type and refuses its look-alikes', async () => {
    const { call } = await guarded();
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      expect((await call({ headers: { ...fromPage, 'content-type': type }, payload: '{}' })).status, type).toBe(200);
    }
    for (const type of [
      'application/json-patch+json',
      'application/jsonx',
      'text/json',
      'text/plain; a=application/json',
    ]) {
      expect(await call({ headers: { ...fromPage, 'content-type': type }, payload: '{}' }), type).toEqual({
        status: 415,
        error: 'unsupported_media_type',
      });
    }
  });

  it('a body without a Content-Type, sized or chunked, is refused; no body and no type is fine', async () => {
    const { call } = await guarded();
    expect((await call({ headers: fromPage })).status).toBe(200);
    expect(await call({ headers: fromPage, payload: '{}' })).toEqual({ status: 415, error: 'unsupported_media_type' });
    expect(
      await call({ headers: { ...fromPage, 'transfer-encoding': 'chunked' }, payload: '2\r\n{}\r\n0\r\n\r\n' }),
    ).toMatchObject({ status: 415 });
  });

  it('routes under formPrefixes keep their own body types, never their origin rule', async () => {
    const { call } = await guarded();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await call({ url: '/forms/x', headers: { ...fromPage, ...form }, payload: 'a=1' })).status).toBe(200);
    expect(
      await call({ url: '/forms/x', headers: { ...fromPage, ...form, origin: 'http://evil.example' }, payload: 'a=1' }),
    ).toEqual({ status: 403, error: 'cross_site_request' });
  });

  it('safe methods are not checked; scripts without cookies and Origin pass; a refused request never runs', async () => {
    const { app, call, handled } = await guarded();
    app.get('/y', async () => ({ ok: true }));
    const get = await app.inject({ url: '/y', headers: { origin: 'http://evil.example', cookie: 'a=b' } });
    expect(get.statusCode).toBe(200);
    expect(
      (await call({ headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, payload: '{}' }))
        .status,
    ).toBe(200);
    const before = handled();
    await call({ headers: { cookie: 'scrm_session=abc' } });
    await call({ headers: { ...fromPage, 'sec-fetch-site': 'cross-site' } });
    expect(handled()).toBe(before);
  });

  it('before the public origin is known (no PUBLIC_URL, not listening) every Origin is refused', async () => {
    const { call } = await guarded(() => {
      throw new Error('the server is not listening yet');
    });
    expect(await call({ headers: fromPage })).toEqual({ status: 403, error: 'cross_site_request' });
    expect((await call({ headers: { authorization: 'Bearer t' } })).status).toBe(200);
  });
});
