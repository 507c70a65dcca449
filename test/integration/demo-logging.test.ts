import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { ADMIN_TOKEN, testConfig } from '../support/app.js';
import { admin, prepare, settled, tagId } from '../support/scrm.js';

interface LogLine {
  level: number;
  reqId?: string;
  msg?: string;
  req?: { method: string; url: string };
}

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('demo-mode logs', () => {
  it("log the emulator's own traffic at debug and the product's requests at info", async () => {
    const lines: LogLine[] = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
    app = await buildApp(testConfig(), { logger: { level: 'debug', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;

    // A channel code (admin API → WeCom's add_contact_way), then a customer scans it in the emulator's page, as a
    // browser does: the emulator calls our callback, the worker syncs, tags and welcomes through WeCom's API.
    await prepare(app);
    const created = await admin(app, 'POST', '/api/channels', {
      name: '门店海报',
      reps: ['lina'],
      tagIds: [await tagId(app, '线下门店')],
      welcome: { text: '{客户昵称}您好' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const channel = created.json() as { configId: string };
    const scanned = await fetch(`${base}/emulator/qr/${channel.configId}/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=%E5%88%98%E5%BB%BA%E5%9B%BD',
      redirect: 'manual',
    });
    expect(scanned.status).toBe(303);
    const location = scanned.headers.get('location')!;
    const customer = new URL(location, base).searchParams.get('customer')!;
    await settled(app, customer);
    expect((await fetch(`${base}${location}`)).status).toBe(200);
    const listed = await fetch(`${base}/api/channels`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(listed.status).toBe(200);
    await app.close();
    app = undefined;

    const urlOf = new Map(lines.flatMap((l) => (l.reqId && l.req ? [[l.reqId, l.req.url] as const] : [])));
    const linesOf = (match: (url: string) => boolean) =>
      lines.filter((l) => l.reqId && match(urlOf.get(l.reqId) ?? ''));
    const emulatorLines = linesOf((url) => url.startsWith('/emulator/'));
    const callbackLines = linesOf((url) => url.startsWith('/wecom/callback/'));
    const productLines = linesOf((url) => url.startsWith('/api/'));

    // The emulator's pages, its WeCom API (our client's calls) and its callbacks to us: there, but at debug.
    expect(emulatorLines.some((l) => urlOf.get(l.reqId!)!.startsWith('/emulator/cgi-bin/'))).toBe(true);
    expect(emulatorLines.some((l) => urlOf.get(l.reqId!)!.startsWith('/emulator/qr/'))).toBe(true);
    expect(emulatorLines.filter((l) => l.level >= 30)).toEqual([]);
    expect(emulatorLines.every((l) => l.level === 20)).toBe(true);
    expect(callbackLines.length).toBeGreaterThan(0);
    expect(callbackLines.filter((l) => l.level >= 30)).toEqual([]);
    // No info line of any request names an /emulator/ URL.
    expect(lines.filter((l) => l.level >= 30 && l.req?.url.startsWith('/emulator'))).toEqual([]);

    // The product's own requests keep their info lines: incoming and completed.
    expect(productLines.filter((l) => l.level === 30 && l.msg === 'incoming request').map((l) => l.req!.url)).toEqual([
      '/api/channels',
      '/api/channels',
    ]);
    expect(productLines.filter((l) => l.level === 30 && l.msg === 'request completed')).toHaveLength(2);
  });
});
