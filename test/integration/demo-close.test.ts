import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { robotsOf, webhookUrlOf } from '../../server/emulator/robots.js';
import { buildApp } from '../../server/app.js';
import { testConfig } from '../support/app.js';

/**
 * In demo mode WeCom (the emulator) lives in the server's own process. While the server shuts down, the worker drains
 * its last jobs (preClose) and those still call WeCom: the emulator must answer them as a separate WeCom would, not
 * with the 503 a closing server gives its own routes (a robot message answered 503 counts as "outcome unknown" and is
 * never repeated).
 */
describe('the in-process emulator while the server closes', () => {
  it('still answers WeCom calls made by work that drains during shutdown', async () => {
    const app = await buildApp(testConfig(), { logger: false });
    let during: { status: number; body: unknown } | null = null;
    app.addHook('preClose', async () => {
      const core = app.emulator!.core;
      const url = webhookUrlOf(core, robotsOf(core)[0]!).replace(
        /^https?:\/\/[^/]+/,
        `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      );
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'text', text: { content: '关闭前的最后一条提醒' } }),
      });
      during = { status: res.status, body: await res.json() };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const robot = robotsOf(app.emulator!.core)[0]!;
    await app.close();
    expect(during).toEqual({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    expect(app.emulator!.core.data.webhookMessages.map((m) => m.key)).toEqual([robot.key]);
  });
});
