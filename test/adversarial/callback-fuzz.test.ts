/**
 * The callback endpoint under attack, through the real app: every shape of callback-shapes.ts, then seeded random
 * mutations of a genuine callback (bytes, truncation, nesting, entity declarations, oversize, non-UTF-8, odd query
 * strings, signed but broken plaintexts). Whatever arrives: never a 5xx, nothing written, and the CPU bound checked as
 * an operation count, not a time — the full XML parser is never called for a request whose signature does not match,
 * and never with more than it is bounded to.
 */
import { connect } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { CALLBACK_BODY_LIMIT } from '../../server/modules/callback/routes.js';
import { buildExternalContactEventXml } from '../../server/wecom/events.js';
import { FULL_PARSE_MAX_CHARS } from '../../server/wecom/xml.js';
import { startApp, appTableCounts, testConfig } from '../support/app.js';
import {
  callbackShapes,
  chunkedShapes,
  envelope,
  NONCE,
  query,
  randomBytesSeeded,
  sealFor,
  seededRandom,
  sign,
  TIMESTAMP,
  WRONG_SIGNATURE,
  type CallbackShape,
} from './callback-shapes.js';

const corp = { corpId: DEMO_CORP.corpId, token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey };
const EVENT_XML_REFUSED = '回调事件 XML 格式错误';

let app: App;
/** Row counts once the genuine callback is in: every later request must leave them as they are. */
let counts: Record<string, number>;
const genuineEncrypt = sealFor(
  corp,
  buildExternalContactEventXml({
    corpId: corp.corpId,
    changeType: 'add_external_contact',
    userId: 'zhangwei',
    externalUserId: 'wmFuzzGenuineCustomer000000000001',
    createTime: Number(TIMESTAMP),
  }),
);
const genuine = {
  url: `/wecom/callback/${corp.corpId}?${query(sign(corp, genuineEncrypt))}`,
  body: envelope(genuineEncrypt),
};

/** Every input the full validator or parser was handed since the last clear. */
function fullParserInputs(): string[] {
  const validate = vi.mocked(XMLValidator.validate);
  const parse = vi.mocked(XMLParser.prototype.parse);
  return [...validate.mock.calls, ...parse.mock.calls].map((args) => String(args[0]));
}

function clearParserCalls() {
  vi.mocked(XMLValidator.validate).mockClear();
  vi.mocked(XMLParser.prototype.parse).mockClear();
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'text/xml' },
) {
  return app.inject({ method: 'POST', url, payload: body, headers });
}

beforeAll(async () => {
  // The worker is paused, so the only writes a request could make are its own.
  app = await startApp(testConfig({ worker: { concurrency: 0 } }));
  vi.spyOn(XMLValidator, 'validate');
  vi.spyOn(XMLParser.prototype, 'parse');
  // A genuine callback first: mutations that keep its Encrypt and signature are WeCom-style retries of it.
  const first = await post(genuine.url, genuine.body);
  expect(first.statusCode).toBe(200);
  counts = await appTableCounts(app);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await app?.close();
});

afterEach(async () => {
  expect(await appTableCounts(app)).toEqual(counts);
});

describe('callback endpoint under attack', () => {
  it('answers every catalogued shape with its status, writes nothing, and parses nothing unsigned', async () => {
    for (const shape of callbackShapes(corp)) {
      clearParserCalls();
      const res = await app.inject({
        method: shape.method,
        url: shape.url,
        payload: shape.body,
        headers: shape.headers,
      });
      expect({ shape: shape.name, status: res.statusCode }).toEqual({ shape: shape.name, status: shape.status });
      expect(res.json(), shape.name).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      const inputs = fullParserInputs();
      if (!shape.signed) expect(inputs, shape.name).toEqual([]);
      for (const input of inputs) expect(input.length, shape.name).toBeLessThanOrEqual(FULL_PARSE_MAX_CHARS);
    }
  });

  it('refuses bodies sent in tiny chunks over a real socket with their status', async () => {
    const { port } = app.server.address() as { port: number };
    for (const shape of chunkedShapes(corp)) {
      const status = await sendChunked(port, shape);
      expect({ shape: shape.name, status }).toEqual({ shape: shape.name, status: shape.status });
    }
  });

  it('survives 600 seeded mutations: never a 5xx, nothing written, the parser only after a matching signature', async () => {
    const random = seededRandom(0x5eed);
    const seen = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const attempt = mutate(random);
      clearParserCalls();
      const res = await post(attempt.url, attempt.body, attempt.headers);
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      const context = `#${i} ${attempt.how}: ${res.statusCode} ${res.body.slice(0, 120)}`;
      expect([200, 400, 401, 404, 413, 415], context).toContain(res.statusCode);
      if (attempt.refused) expect(res.statusCode, context).not.toBe(200);
      const inputs = fullParserInputs();
      if (!attempt.signed) expect(inputs, context).toEqual([]);
      // The parser runs only on a decrypted message: what follows is an acceptance or a refusal of that message.
      if (inputs.length > 0)
        expect(res.statusCode === 200 || res.json().message === EVENT_XML_REFUSED, context).toBe(true);
      for (const input of inputs) expect(input.length, context).toBeLessThanOrEqual(FULL_PARSE_MAX_CHARS);
    }
    // The mutations reach every kind of refusal, and retries of the genuine callback are still acknowledged.
    for (const status of [200, 400, 401, 404, 413]) expect(seen.get(status), `status ${status}`).toBeGreaterThan(0);
  });
});

interface Attempt {
  how: string;
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
  /** The signature matches the Encrypt text that is sent (as far as the test knows). */
  signed: boolean;
  /** Must not be accepted, whatever else happens. */
  refused: boolean;
}

const FRAGMENTS = [
  '<',
  '>',
  '&',
  '&amp;',
  ']]>',
  '<![CDATA[',
  '<Encrypt>',
  '</Encrypt>',
  '<Encrypt>QUJD</Encrypt>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<xml>',
  '</xml>',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '中文',
  ' '.repeat(1000),
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function int(random: () => number, max: number): number {
  return Math.floor(random() * max);
}

/** One structural change of `text`, named. */
function mutateText(random: () => number, text: string): { text: string | Buffer; how: string } {
  const at = int(random, text.length + 1);
  switch (int(random, 8)) {
    case 0: {
      const chars = [...text];
      for (let n = 1 + int(random, 8); n > 0; n--)
        chars[int(random, chars.length)] = String.fromCharCode(int(random, 0x3000));
      return { text: chars.join(''), how: 'flipped characters' };
    }
    case 1:
      return { text: text.slice(0, at), how: `truncated at ${at}` };
    case 2: {
      const fragment = pick(random, FRAGMENTS);
      return {
        text: text.slice(0, at) + fragment + text.slice(at),
        how: `inserted ${JSON.stringify(fragment.slice(0, 20))}`,
      };
    }
    case 3: {
      const depth = 1 + int(random, 20_000);
      const open = text.indexOf('<Encrypt>');
      if (open < 0) return { text: `<a>`.repeat(depth) + text, how: `${depth} unclosed levels` };
      const close = text.indexOf('</Encrypt>') + '</Encrypt>'.length;
      const nested =
        text.slice(0, open) + '<a>'.repeat(depth) + text.slice(open, close) + '</a>'.repeat(depth) + text.slice(close);
      return { text: nested, how: `Encrypt nested ${depth} deep` };
    }
    case 4: {
      const from = int(random, text.length);
      const slice = text.slice(from, from + 1 + int(random, 64));
      const times = 1 + int(random, Math.floor(CALLBACK_BODY_LIMIT / Math.max(1, slice.length)));
      return { text: text.slice(0, at) + slice.repeat(times) + text.slice(at), how: `a slice repeated ${times} times` };
    }
    case 5: {
      const bytes = randomBytesSeeded(random, int(random, CALLBACK_BODY_LIMIT + 2048));
      return { text: bytes, how: `${bytes.length} random bytes` };
    }
    case 6: {
      const size = CALLBACK_BODY_LIMIT - 64 + int(random, 128);
      const pad = `<Pad><![CDATA[${'x'.repeat(Math.max(0, size - text.length - 30))}]]></Pad>`;
      return { text: text.replace('</xml>', `${pad}</xml>`), how: `padded to ~${size} bytes` };
    }
    default: {
      const bytes = Buffer.from(text, 'utf8');
      for (let n = 1 + int(random, 16); n > 0; n--) bytes[int(random, bytes.length)] = 0x80 + int(random, 0x80);
      return { text: bytes, how: 'non-UTF-8 bytes' };
    }
  }
}

/** Plaintexts WeCom never sends; none has a CreateTime, so none can become an event however it is mutated. */
const BROKEN_PLAINTEXTS = [
  '<xml><ToUserName><![CDATA[ww]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event></xml>',
  '<xml><ChatId>wr1</ChatId><MemChangeList><Item>a</Item><Item>b</Item></MemChangeList></xml>',
  'not xml at all',
];

const UNSIGNED_POSTS = callbackShapes(corp).filter((s) => s.method === 'POST' && !s.signed);

/** One attack request, from the seeded stream. */
function mutate(random: () => number): Attempt {
  const headers = { 'content-type': 'text/xml' };
  switch (int(random, 5)) {
    case 0:
    case 1: {
      // The genuine envelope, changed; the genuine signature.
      const { text: body, how } = mutateText(random, genuine.body);
      const intact = typeof body === 'string' && body.includes(`<Encrypt><![CDATA[${genuineEncrypt}]]></Encrypt>`);
      return { how: `envelope ${how}`, url: genuine.url, body, headers, signed: intact, refused: false };
    }
    case 2: {
      // The genuine envelope, an odd query string.
      const variants: [string, string][] = [
        ['no msg_signature', `timestamp=${TIMESTAMP}&nonce=${NONCE}`],
        ['no timestamp', `msg_signature=${sign(corp, genuineEncrypt)}&nonce=${NONCE}`],
        ['no nonce', `msg_signature=${sign(corp, genuineEncrypt)}&timestamp=${TIMESTAMP}`],
        ['another timestamp', `msg_signature=${sign(corp, genuineEncrypt)}&timestamp=1&nonce=${NONCE}`],
        ['a wrong signature', query(WRONG_SIGNATURE)],
        ['an upper-case signature', query(sign(corp, genuineEncrypt).toUpperCase())],
        ['a signature twice', `${query(sign(corp, genuineEncrypt))}&msg_signature=${WRONG_SIGNATURE}`],
        [
          'a 4 KB nonce',
          `msg_signature=${sign(corp, genuineEncrypt)}&timestamp=${TIMESTAMP}&nonce=${'9'.repeat(4096)}`,
        ],
        ['empty values', 'msg_signature=&timestamp=&nonce='],
        ['broken escapes', `msg_signature=%ZZ%&timestamp=%&nonce=%E4%B8`],
        ['an echostr as well', `${query(WRONG_SIGNATURE)}&echostr=QUJD`],
      ];
      const [how, q] = pick(random, variants);
      const url = `/wecom/callback/${corp.corpId}?${q}`;
      return { how: `query with ${how}`, url, body: genuine.body, headers, signed: false, refused: true };
    }
    case 3: {
      // Correctly signed, broken plaintext: it reaches decryption and the parser.
      const { text, how } = mutateText(random, pick(random, BROKEN_PLAINTEXTS));
      const plain = typeof text === 'string' ? text : text.toString('latin1');
      // Keep the envelope under the body limit: base64 grows the plaintext by a third.
      const encrypt = sealFor(corp, plain.slice(0, 190_000));
      const url = `/wecom/callback/${corp.corpId}?${query(sign(corp, encrypt))}`;
      return { how: `signed plaintext ${how}`, url, body: envelope(encrypt), headers, signed: true, refused: true };
    }
    default: {
      // A catalogued shape, changed again.
      const shape = pick(random, UNSIGNED_POSTS);
      const { text, how } = mutateText(random, (shape.body ?? Buffer.alloc(0)).toString('latin1'));
      const unknownCorp = random() < 0.2;
      const url = unknownCorp ? shape.url.replace(corp.corpId, 'wwffffffffffffffff') : shape.url;
      return {
        how: `"${shape.name}" ${how}${unknownCorp ? ', unknown corp' : ''}`,
        url,
        body: text,
        headers: shape.headers,
        signed: false,
        refused: true,
      };
    }
  }
}

function sendChunked(port: number, shape: CallbackShape): Promise<number> {
  const body = shape.body ?? Buffer.alloc(0);
  const parts: Buffer[] = [
    Buffer.from(
      `${shape.method} ${shape.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n`,
    ),
  ];
  for (let at = 0; at < body.length; at += shape.chunkSize!) {
    const piece = body.subarray(at, at + shape.chunkSize!);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return new Promise((resolve) => {
    let head = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('close', () => resolve(0));
    socket.on('error', () => socket.destroy());
    socket.end(Buffer.concat(parts));
  });
}
