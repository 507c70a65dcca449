import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startApp } from '../support/app.js';

/** The built front ends served by the server (needs `npm run build`, the pretest script). */
let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.close());

describe('the front ends', () => {
  it('serves the console at /console/, its deep links as its page, with the security headers', async () => {
    expect((await app.inject({ url: '/console' })).headers.location).toBe('/console/');
    for (const url of ['/console/', '/console/reps/lina', '/console/channels/3/edit?tab=welcome']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.body, url).toContain('<div id="app">');
      expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
    }
  });

  it('answers a missing console file with 404 in Chinese, not with the page', async () => {
    const res = await app.inject({ url: '/console/assets/index-0000.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('文件不存在');
  });

  it('still serves the sidebar at /sidebar/', async () => {
    const res = await app.inject({ url: '/sidebar/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<div id="app">');
  });
});
