import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinanceSdkLibrary } from '../../../server/archive/finance-sdk.js';
import { ensureStandInSdk, STAND_IN_SDK_DIR, STAND_IN_URL_ENV } from '../../../server/archive/stand-in-sdk.js';
import { corruptCiphertext, encryptChatMessage } from '../../../server/emulator/archive-crypto.js';

/** The C ABI of WeWorkFinanceSdk_C.h: every function the official library exports, and nothing else. */
const ABI = [
  'NewSdk',
  'Init',
  'GetChatData',
  'DecryptData',
  'GetMediaData',
  'DestroySdk',
  'NewSlice',
  'FreeSlice',
  'GetContentFromSlice',
  'GetSliceLen',
  'NewMediaData',
  'FreeMediaData',
  'GetOutIndexBuf',
  'GetData',
  'GetIndexLen',
  'GetDataLen',
  'IsMediaDataFinish',
];

const KEY = 'Xk3mQ9vT2pL7sA8wR1nB5cF6hJ4dZ0eY';
const OTHER_KEY = 'Pq8wE2rT6yU1iO5pA9sD3fG7hJ0kL4zX';

let sdkPath: string;
let lib: FinanceSdkLibrary;

beforeAll(async () => {
  sdkPath = await ensureStandInSdk();
  lib = new FinanceSdkLibrary(sdkPath);
});

describe('the stand-in Finance SDK library', () => {
  it('passes its C self-test (FIPS-197 AES-256, RFC 4648 base64)', () => {
    const out = execFileSync('make', ['-s', '-C', STAND_IN_SDK_DIR, 'check'], { encoding: 'utf8' });
    expect(out).toContain('finance-sdk self-test: ok');
  });

  it('exports exactly the official C ABI', () => {
    const out = execFileSync('nm', ['-D', '--defined-only', sdkPath], { encoding: 'utf8' });
    const exported = out
      .split('\n')
      .filter((line) => / T /.test(line))
      .map((line) => line.split(' ').at(-1));
    expect(exported.sort()).toEqual([...ABI].sort());
  });
});

describe('DecryptData', () => {
  it('decrypts what the emulator encrypts, for every length around the 32-byte padding blocks', () => {
    for (let n = 0; n <= 100; n++) {
      const text = JSON.stringify({ msgid: `m${n}`, text: { content: '你'.repeat(n % 7) + 'x'.repeat(n) } });
      const out = lib.decryptData(KEY, encryptChatMessage(KEY, text));
      expect(out.code).toBe(0);
      expect(out.plaintext?.toString('utf8')).toBe(text);
    }
    const empty = lib.decryptData(KEY, encryptChatMessage(KEY, ''));
    expect(empty).toEqual({ code: 0, plaintext: Buffer.alloc(0) });
  });

  it('answers 10008 for a key that is not 32 bytes, 10006 for a ciphertext that does not decrypt', () => {
    const cipher = encryptChatMessage(KEY, '{"msgid":"a","action":"send"}');
    expect(lib.decryptData(KEY.slice(1), cipher).code).toBe(10008);
    expect(lib.decryptData(`${KEY}x`, cipher).code).toBe(10008);
    expect(lib.decryptData(OTHER_KEY, cipher).code).toBe(10006);
    expect(lib.decryptData(KEY, corruptCiphertext(cipher)).code).toBe(10006);
    expect(lib.decryptData(KEY, 'not base64!').code).toBe(10006);
    expect(lib.decryptData(KEY, Buffer.alloc(24).toString('base64')).code).toBe(10006);
    expect(lib.decryptData(KEY, '').code).toBe(10006);
  });
});

/** A canned answer of the fake endpoint. */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** base64 */
  body?: string;
  /** Send the body in two writes (chunked transfer encoding). */
  chunked?: boolean;
  /** Never answer. */
  silent?: boolean;
  /** Write these bytes on the socket instead of an HTTP response, then close. */
  raw?: string;
}

interface Recorded {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
}

/**
 * The fake endpoint runs in a worker thread: the library's calls are synchronous and block this thread, so a
 * server on this thread's event loop could never answer them.
 */
const SERVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const answers = [];
const recorded = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    recorded.push({
      url: req.url,
      headers: req.headers,
      form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
    });
    const a = answers.shift() || { status: 200, headers: { 'x-finance-ret': '0' } };
    if (a.silent) return;
    if (a.raw !== undefined) {
      res.socket.end(a.raw);
      return;
    }
    const body = Buffer.from(a.body || '', 'base64');
    res.writeHead(a.status || 200, a.headers || {});
    if (a.chunked) {
      res.write(body.subarray(0, 5));
      setTimeout(() => res.end(body.subarray(5)), 20);
    } else {
      res.end(body);
    }
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'port', port: server.address().port }));
parentPort.on('message', (m) => {
  if (m.type === 'plan') answers.push(...m.answers);
  if (m.type === 'dump') parentPort.postMessage({ type: 'dump', recorded: recorded.splice(0) });
  if (m.type === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
`;

async function startFakeEndpoint() {
  const worker = new Worker(SERVER_SOURCE, { eval: true });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        worker.off('message', on);
        resolve(m);
      };
      worker.on('message', on);
    });
  const { port } = (await next('port')) as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    /** Queues answers; awaited so they are in place before a blocking call. */
    plan: async (...answers: Answer[]) => {
      worker.postMessage({ type: 'plan', answers });
      worker.postMessage({ type: 'dump' });
      await next('dump');
    },
    requests: async () => {
      worker.postMessage({ type: 'dump' });
      return ((await next('dump')) as { recorded: Recorded[] }).recorded;
    },
    close: () => worker.terminate(),
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const ret = (code: number, extra: Answer = {}): Answer => ({
  ...extra,
  headers: { 'x-finance-ret': String(code), ...extra.headers },
});

describe('Init, GetChatData and GetMediaData over HTTP', () => {
  let fake: Awaited<ReturnType<typeof startFakeEndpoint>>;

  beforeAll(async () => {
    fake = await startFakeEndpoint();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('refuses to start without an endpoint, and reports 10001 when nothing listens', () => {
    delete process.env[STAND_IN_URL_ENV];
    expect(lib.init('wwcorp', 'secret')).toBe(10000);
    process.env[STAND_IN_URL_ENV] = 'ftp://127.0.0.1/finance-sdk';
    expect(lib.init('wwcorp', 'secret')).toBe(10000);
    process.env[STAND_IN_URL_ENV] = 'http://127.0.0.1:9/finance-sdk';
    expect(lib.init('wwcorp', 'secret')).toBe(10001);
    expect(lib.getChatData(0, 10, '', '', 5).code).toBe(10000); // never initialized
  });

  it('posts the corpid and secret form-encoded, and takes the return code from X-Finance-Ret', async () => {
    process.env[STAND_IN_URL_ENV] = `${fake.origin}/emulator/finance-sdk/`;
    await fake.plan(ret(10000), ret(0));
    expect(lib.init('ww corp&1', 'sé/cret=+')).toBe(10000);
    expect(lib.init('wwcorp', 'secret')).toBe(0);
    const [first] = await fake.requests();
    expect(first?.url).toBe('/emulator/finance-sdk/init');
    expect(first?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(first?.form).toEqual({ corpid: 'ww corp&1', secret: 'sé/cret=+' });
  });

  it('returns the chat data JSON as sent (also chunked), seq as a 64-bit unsigned integer', async () => {
    const body = { errcode: 0, errmsg: 'ok', chatdata: [{ seq: 1, msgid: '中文' }] };
    await fake.plan(ret(0, { body: json(body) }), ret(0, { body: json(body), chunked: true }));
    const out = lib.getChatData(2 ** 53 - 1, 1000, '', '', 5);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.json!.toString('utf8'))).toEqual(body);
    expect(JSON.parse(lib.getChatData(0, 1, '', '', 5).json!.toString('utf8'))).toEqual(body);
    const [first] = await fake.requests();
    expect(first?.url).toBe('/emulator/finance-sdk/chatdata');
    expect(first?.form).toEqual({ corpid: 'wwcorp', secret: 'secret', seq: String(2 ** 53 - 1), limit: '1000' });
  });

  it('checks limit and timeout before calling: limit 1..1000, timeout > 0', async () => {
    expect(lib.getChatData(0, 0, '', '', 5).code).toBe(10000);
    expect(lib.getChatData(0, 1001, '', '', 5).code).toBe(10000);
    expect(lib.getChatData(0, 10, '', '', 0).code).toBe(10000);
    expect(await fake.requests()).toEqual([]);
  });

  it('maps transport failures: 5xx 10003, 400 10000, no X-Finance-Ret or not HTTP 10002, a cut body 10001', async () => {
    await fake.plan(
      { status: 502 },
      { status: 400 },
      { status: 200, body: json({}) },
      ret(10009),
      { raw: 'SSH-2.0-OpenSSH_9.2\r\n\r\n' },
      { raw: 'HTTP/1.1 200 OK\r\nX-Finance-Ret: 0\r\nContent-Length: 100\r\n\r\n{"errcode":0' },
    );
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10003);
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10000);
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10002);
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10009);
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10002);
    expect(lib.getChatData(0, 1, '', '', 5).code).toBe(10001);
  });

  it('gives up after `timeout` seconds when the server does not answer (10001)', async () => {
    await fake.plan({ silent: true });
    const started = Date.now();
    expect(lib.getChatData(0, 1, '', '', 1).code).toBe(10001);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
  });

  it('returns media pieces byte for byte (NUL bytes included), with the next index and is_finish', async () => {
    const piece = Buffer.from([0, 1, 2, 0, 255, 0]);
    await fake.plan(
      ret(0, {
        body: piece.toString('base64'),
        headers: { 'x-finance-outindexbuf': 'offset:6', 'x-finance-is-finish': '0' },
      }),
      ret(0, { headers: { 'x-finance-outindexbuf': 'offset:6', 'x-finance-is-finish': '1' } }),
      ret(10005),
    );
    expect(lib.getMediaData('', 'FILE/ID+1', '', '', 5)).toEqual({
      code: 0,
      data: piece,
      outIndexBuf: 'offset:6',
      finished: false,
    });
    expect(lib.getMediaData('offset:6', 'FILE/ID+1', '', '', 5)).toEqual({
      code: 0,
      data: Buffer.alloc(0),
      outIndexBuf: 'offset:6',
      finished: true,
    });
    expect(lib.getMediaData('', 'unknown', '', '', 5).code).toBe(10005);
    expect(lib.getMediaData('', '', '', '', 5).code).toBe(10000);
    const [first, second] = await fake.requests();
    expect(first?.url).toBe('/emulator/finance-sdk/media');
    expect(first?.form).toEqual({ corpid: 'wwcorp', secret: 'secret', sdkfileid: 'FILE/ID+1', indexbuf: '' });
    expect(second?.form.indexbuf).toBe('offset:6');
  });

  it('goes through an http:// proxy with Proxy-Authorization, and refuses other proxy schemes', async () => {
    // The fake plays the proxy: a proxied request names the absolute URL of the endpoint.
    await fake.plan(ret(0, { body: json({ errcode: 0, errmsg: 'ok', chatdata: [] }) }));
    expect(lib.getChatData(7, 1, fake.origin, 'user:pa ss', 5).code).toBe(0);
    const [req] = await fake.requests();
    expect(req?.url).toBe(`${fake.origin}/emulator/finance-sdk/chatdata`);
    expect(req?.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('user:pa ss').toString('base64')}`);
    expect(req?.form.seq).toBe('7');
    expect(lib.getChatData(7, 1, 'socks5://127.0.0.1:1080', '', 5).code).toBe(10000);
  });
});
