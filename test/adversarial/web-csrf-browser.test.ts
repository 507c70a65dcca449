import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { startApp } from '../support/app.js';
import { launchChromium } from '../support/browser.js';
import { login, SESSION_COOKIE, sql, syncCorp } from '../support/sidebar.js';

/**
 * The reported attack, in a real browser (Debian's Chromium): a page served from another port of the same host
 * (same site, other origin) makes the signed-in rep's browser post a text/plain form that adds a favourite and a
 * no-cors fetch that logs the rep out. Both are refused and change nothing; the app's own page does the same
 * through its normal JSON API and succeeds. This checks what browsers really send (Origin, Sec-Fetch-Site), which
 * the inject-based probes in web-csrf.test.ts take as given.
 */

let app: App;
let base: string;
let attacker: Server;
let attackerBase: string;
let browser: Browser;
let context: BrowserContext;
let scriptId: number;
let attackerPage = '';

const favorites = () => sql(app, `SELECT * FROM script_favorites WHERE user_id = 'lina' AND script_id = ?`, scriptId);
const sessions = () => sql(app, `SELECT * FROM sessions WHERE user_id = 'lina'`);

beforeAll(async () => {
  app = await startApp();
  base = app.origin.public();
  await syncCorp(app);
  await seedSidebar(app);
  scriptId = (await sql<{ id: number }>(app, 'SELECT id FROM scripts ORDER BY id'))[0]!.id;
  const session = (await login(app, 'lina')).slice(SESSION_COOKIE.length + 1);

  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(attackerPage);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerBase = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;

  browser = await launchChromium();
  context = await browser.newContext();
  await context.addCookies([{ name: SESSION_COOKIE, value: session, url: base, httpOnly: true, sameSite: 'Lax' }]);
}, 360_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await app?.close();
});

describe('a page on another port of the same host', () => {
  it('cannot add a favourite with a text/plain form post', async () => {
    attackerPage = `<!doctype html><form id="f" method="post" enctype="text/plain"
      action="${base}/api/scripts/${scriptId}/favorite"><input name='{"a":"' value='"}'></form>
      <script>document.getElementById('f').submit()</script>`;
    const page = await context.newPage();
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/scripts/${scriptId}/favorite`));
    await page.goto(attackerBase);
    const res = await answer;
    expect(res.status()).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'cross_site_request' });
    expect(await favorites()).toHaveLength(0);
    await page.close();
  });

  it('cannot sign the rep out with a no-cors fetch', async () => {
    attackerPage = `<!doctype html><script>
      fetch('${base}/api/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include' })
        .then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });
    </script>`;
    const page = await context.newPage();
    // The app answers with Cross-Origin-Resource-Policy: same-origin, so the browser hands the page a network error
    // instead of the answer: wait for that, by which time the server has answered.
    const settledRequest = new Promise<string>((resolve) => {
      page.on('requestfailed', (r) => {
        if (r.url().endsWith('/api/auth/logout')) resolve(r.failure()?.errorText ?? '');
      });
      page.on('requestfinished', (r) => {
        if (r.url().endsWith('/api/auth/logout')) resolve('finished');
      });
    });
    await page.goto(attackerBase);
    expect(await settledRequest).toBe('net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin');
    expect(await sessions()).toHaveLength(1);
    await page.close();
  });

  it("the app's own page does both through its JSON API", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/sidebar/?mock=1`, { waitUntil: 'networkidle' });
    const favorite = await page.evaluate(
      async (id) => (await fetch(`/api/scripts/${id}/favorite`, { method: 'POST' })).status,
      scriptId,
    );
    expect(favorite).toBe(200);
    expect(await favorites()).toHaveLength(1);
    const logout = await page.evaluate(async () => (await fetch('/api/auth/logout', { method: 'POST' })).status);
    expect(logout).toBe(204);
    expect(await sessions()).toHaveLength(0);
    await page.close();
  });

  it("the app's own form posts go through (its pages send their Origin: Referrer-Policy is not no-referrer)", async () => {
    // The emulator's member picker (demo sign-in) is a plain HTML form posting to its own origin.
    const page = await context.newPage();
    await page.goto(`${base}/api/auth/login?returnTo=${encodeURIComponent('/sidebar/?mock=1')}`);
    await page.waitForURL(/\/emulator\/connect\/oauth2\/authorize/);
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click('button[data-userid="lina"]');
    expect((await posted).status()).toBe(302);
    await page.waitForURL(/\/sidebar\//);
    expect(await sessions()).toHaveLength(1);
    await page.close();
  });
});
