import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createWecomApi } from '../../../server/wecom/api.js';
import { WecomClient } from '../../../server/wecom/client.js';
import { WecomNetworkError } from '../../../server/wecom/errors.js';

// The client against a real HTTP server through Node's own fetch: proves the wire format, not just the calls.
interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

let server: Server;
let base = '';
const seen: Seen[] = [];

function json(res: ServerResponse, value: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    contentType: req.headers['content-type'] ?? '',
    body: Buffer.concat(chunks),
  });
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/emulator/cgi-bin/gettoken')
    return json(res, { errcode: 0, errmsg: 'ok', access_token: 'real-token', expires_in: 7200 });
  if (path === '/emulator/cgi-bin/media/upload')
    return json(res, { errcode: 0, errmsg: 'ok', type: 'image', media_id: 'M1', created_at: '1' });
  if (path === '/emulator/cgi-bin/externalcontact/remark') return json(res, { errcode: 0, errmsg: 'ok' });
  if (path === '/emulator/cgi-bin/slow') return; // never answers
  res.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/emulator`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('WecomClient over real HTTP', () => {
  it('uploads multipart/form-data with a "media" part carrying filename and bytes', async () => {
    const api = createWecomApi(new WecomClient({ baseUrl: () => base, corpId: 'c', secret: 's' }));
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const result = await api.uploadMedia('image', { filename: 'poster.png', contentType: 'image/png', data });
    expect(result.media_id).toBe('M1');

    const upload = seen.find((s) => s.url.startsWith('/emulator/cgi-bin/media/upload'));
    expect(upload?.method).toBe('POST');
    expect(upload?.url).toContain('type=image');
    expect(upload?.url).toContain('access_token=real-token');
    const boundary = /boundary=(.+)$/.exec(upload?.contentType ?? '')?.[1];
    expect(boundary).toBeTruthy();
    const body = upload?.body ?? Buffer.alloc(0);
    expect(body.toString('latin1')).toMatch(/Content-Disposition: form-data; name="media"; filename="poster.png"/);
    expect(body.toString('latin1')).toMatch(/Content-Type: image\/png/);
    expect(body.includes(data)).toBe(true);
  });

  it('sends UTF-8 JSON bodies', async () => {
    const api = createWecomApi(new WecomClient({ baseUrl: base, corpId: 'c', secret: 's' }));
    await api.remark({ userid: 'u', external_userid: 'wm', remark: '张三-老客户' });
    const remark = seen.find((s) => s.url.startsWith('/emulator/cgi-bin/externalcontact/remark'));
    expect(remark?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(remark?.body.toString('utf8') ?? '')).toEqual({
      userid: 'u',
      external_userid: 'wm',
      remark: '张三-老客户',
    });
  });

  it('times out a server that never answers with WecomNetworkError TIMEOUT', async () => {
    const client = new WecomClient({ baseUrl: base, corpId: 'c', secret: 's', timeoutMs: 100, retries: 0 });
    const err = await client.get('/cgi-bin/slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomNetworkError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('reports a refused connection as a retryable WecomNetworkError', async () => {
    // A port that was just free: nothing listens there any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new WecomClient({
      baseUrl: `http://127.0.0.1:${port}`,
      corpId: 'c',
      secret: 'secret-value-1',
      retries: 0,
    });
    const err = await client.get('/cgi-bin/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', retryable: true, path: '/cgi-bin/gettoken' });
    expect((err as Error).message).not.toContain('secret-value-1');
  });
});
