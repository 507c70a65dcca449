import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  createEmulator,
  DEMO_CORP,
  emulatorPlugin,
  type Emulator,
  type EmulatorOptions,
} from '../../../server/emulator/index.js';

/** A fixed base time (2025-03-14T08:00:00Z) so tests don't depend on the wall clock. */
export const BASE_MS = Date.UTC(2025, 2, 14, 8, 0, 0);
export const ORIGIN = 'http://127.0.0.1:3999';

export interface TestEmulator {
  app: FastifyInstance;
  emulator: Emulator;
  /** A fresh access_token from gettoken. */
  token(): Promise<string>;
  /** GET a WeCom API path with the given query (access_token added unless given). */
  get(
    path: string,
    query?: Record<string, string>,
  ): Promise<Record<string, unknown> & { errcode: number; errmsg: string }>;
  /** POST JSON to a WeCom API path (access_token added). */
  post(path: string, body: unknown): Promise<Record<string, unknown> & { errcode: number; errmsg: string }>;
  close(): Promise<void>;
}

export async function buildEmulatorApp(overrides: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const emulator = createEmulator({
    corp: DEMO_CORP,
    callbackUrl: () => 'http://127.0.0.1:9/never',
    publicOrigin: () => ORIGIN,
    now: () => BASE_MS,
    retryDelayMs: 0,
    ...overrides,
  });
  const app = Fastify();
  await app.register(emulatorPlugin, { prefix: '/emulator', emulator });
  await app.ready();
  let cached: string | null = null;
  const token = async () => {
    const res = await app.inject({
      url: `/emulator/cgi-bin/gettoken?corpid=${DEMO_CORP.corpId}&corpsecret=${DEMO_CORP.secret}`,
    });
    cached = res.json().access_token as string;
    return cached;
  };
  const withToken = async (query: Record<string, string> = {}) =>
    new URLSearchParams({ access_token: query.access_token ?? cached ?? (await token()), ...query }).toString();
  return {
    app,
    emulator,
    token,
    get: async (path, query) => (await app.inject({ url: `/emulator${path}?${await withToken(query)}` })).json(),
    post: async (path, body) =>
      (
        await app.inject({
          method: 'POST',
          url: `/emulator${path}?${await withToken()}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        })
      ).json(),
    close: async () => {
      await app.close();
      await emulator.close();
    },
  };
}

export interface ReceivedCallback {
  query: Record<string, string>;
  body: string;
  contentType: string | undefined;
}

/** What the receiver answers to the next requests: a status, optionally after a delay. */
export interface PlannedAnswer {
  status: number;
  delayMs?: number;
}

/** A tiny HTTP server standing in for our callback endpoint: records what WeCom sends, answers as planned. */
export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Answers for the next requests, in order; afterwards 200. */
  plan(...answers: PlannedAnswer[]): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const planned: PlannedAnswer[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    received.push({ query: Object.fromEntries(url.searchParams), body, contentType: req.headers['content-type'] });
    const answer = planned.shift() ?? { status: 200 };
    const send = () => {
      if (!res.writableEnded && !res.destroyed) res.writeHead(answer.status, { 'content-type': 'text/plain' }).end('');
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wecom/callback/${DEMO_CORP.corpId}`,
    received,
    plan: (...answers) => planned.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const CRED = { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: DEMO_CORP.corpId };

/** Uploads a file with media/upload as WeCom SDKs send it (multipart, the file in the `media` field). */
export async function uploadMedia(
  t: TestEmulator,
  filename: string,
  data: Buffer,
  type = 'image',
): Promise<Record<string, unknown> & { errcode: number; media_id?: string }> {
  const boundary = '----WeComEmulatorTestUpload';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({
    method: 'POST',
    url: `/emulator/cgi-bin/media/upload?access_token=${await t.token()}&type=${type}`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
  return res.json();
}
