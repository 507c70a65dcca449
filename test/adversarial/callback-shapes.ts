/**
 * The callback requests an attacker would send, each with the status the server must answer. Shared by the
 * adversarial suite (test/adversarial/callback-fuzz.test.ts) and `npm run bench -- reject`, which measures what each
 * costs the server. Deterministic: the same corp gives the same bytes.
 */
import { createCipheriv } from 'node:crypto';
import { CALLBACK_BODY_LIMIT } from '../../server/modules/callback/routes.js';
import { computeSignature, encryptMessage } from '../../server/wecom/crypto.js';
import { FLAT_MAX_ITEMS, FULL_PARSE_MAX_CHARS, FULL_PARSE_MAX_MARKUP } from '../../server/wecom/xml.js';

export interface ShapeCorp {
  corpId: string;
  token: string;
  encodingAesKey: string;
}

export interface CallbackShape {
  name: string;
  method: 'GET' | 'POST';
  /** Path and query. */
  url: string;
  body?: Buffer;
  headers: Record<string, string>;
  /** What the server must answer. */
  status: number;
  /**
   * Sent as `Transfer-Encoding: chunked` in pieces of this many bytes (over a socket; inject() sends bodies whole).
   * Node's HTTP parser costs ~2 µs per piece before any route code runs: see the benchmark's note.
   */
  chunkSize?: number;
  /** The signature over the Encrypt value is right: the request gets past the signature check. */
  signed: boolean;
}

export const TIMESTAMP = '1409659813';
export const NONCE = '1372623149';
/** 40 hex digits that are nobody's signature. */
export const WRONG_SIGNATURE = '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3';
const XML = { 'content-type': 'text/xml' };

/** A small seeded PRNG (mulberry32): the suite's "random" inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytesSeeded(random: () => number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** `unit` repeated to fill `size` characters once wrapped by `head` and `tail`. */
export function fill(head: string, unit: string, tail: string, size = CALLBACK_BODY_LIMIT): string {
  return head + unit.repeat(Math.floor((size - head.length - tail.length) / unit.length)) + tail;
}

export function query(signature: string, extra = ''): string {
  return `msg_signature=${signature}&timestamp=${TIMESTAMP}&nonce=${NONCE}${extra}`;
}

export function envelope(encrypt: string): string {
  return `<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>`;
}

/** Encrypts `message` with the corp's key (fixed random prefix, so the bytes are reproducible). */
export function sealFor(corp: ShapeCorp, message: string, receiveId = corp.corpId): string {
  return encryptMessage(corp.encodingAesKey, message, receiveId, Buffer.alloc(16, 9));
}

/** AES-256-CBC with the corp's key and no padding of its own: for plaintexts WeCom would never produce. */
export function rawSeal(corp: ShapeCorp, plain: Buffer): string {
  const key = Buffer.from(`${corp.encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

export function sign(corp: ShapeCorp, encrypt: string): string {
  return computeSignature(corp.token, TIMESTAMP, NONCE, encrypt);
}

/** A POST whose `<Encrypt>` text is signed with the corp's token: it reaches decryption. */
export function signedPost(corp: ShapeCorp, name: string, encrypt: string, status: number): CallbackShape {
  return {
    name,
    method: 'POST',
    url: `/wecom/callback/${corp.corpId}?${query(sign(corp, encrypt))}`,
    body: Buffer.from(envelope(encrypt)),
    headers: XML,
    status,
    signed: true,
  };
}

/** The largest plaintext whose ciphertext still fits an envelope under the body limit. */
const MAX_PLAINTEXT = Math.floor(((CALLBACK_BODY_LIMIT - 200) / 4) * 3) - 100;

function entityBomb(levels: number): string {
  let dtd = '<!ENTITY l0 "lollollollollollollollollollol">';
  for (let i = 1; i <= levels; i++) dtd += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
  return `<!DOCTYPE xml [${dtd}]>`;
}

/** Every shape, in the order the benchmark prints them. */
export function callbackShapes(corp: ShapeCorp): CallbackShape[] {
  const post = (name: string, body: string | Buffer, status: number, extra: Partial<CallbackShape> = {}) => ({
    name,
    method: 'POST' as const,
    url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE)}`,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    headers: XML,
    status,
    signed: false,
    ...extra,
  });
  const random = seededRandom(20_240_601);
  const probe = fill('<xml>', '<A>1</A>', '<Encrypt>x</Encrypt></xml>');
  const depth = Math.floor((CALLBACK_BODY_LIMIT - 40) / 7);
  const genuine = sealFor(corp, '<xml><CreateTime>1409659813</CreateTime></xml>');
  const tampered = Buffer.from(genuine, 'base64');
  tampered[tampered.length - 1]! ^= 0x55;

  return [
    // Unauthenticated bodies: rejected by the scan (400) or the signature (401), never parsed.
    post('repeated elements (the probe)', probe, 401),
    post('unknown corp', probe, 404, { url: `/wecom/callback/wwffffffffffffffff?${query(WRONG_SIGNATURE)}` }),
    post('deep nesting', `<xml>${'<a>'.repeat(depth)}<Encrypt>x</Encrypt>${'</a>'.repeat(depth)}</xml>`, 401),
    post('deep nesting, never closed', fill('<xml>', '<a>', '<Encrypt>x</Encrypt></xml>'), 401),
    post('entity bomb (DOCTYPE before the root)', `${entityBomb(9)}<xml><Encrypt>&l9;</Encrypt></xml>`, 400),
    post(
      'entity declarations inside the root',
      fill(`<xml>${entityBomb(9)}`, '<!ENTITY x "y">', '<Encrypt>x</Encrypt></xml>'),
      401,
    ),
    post('many Encrypt elements', fill('<xml>', '<Encrypt>x</Encrypt>', '</xml>'), 400),
    post(
      'Encrypt hidden in CDATA, and a real one',
      '<xml><A><![CDATA[<Encrypt>x</Encrypt>]]></A><Encrypt>y</Encrypt></xml>',
      400,
    ),
    post('huge attributes', fill('<xml><A ', 'a="1" ', '>1</A><Encrypt>x</Encrypt></xml>'), 401),
    post('one huge attribute value', fill('<xml><A b="', 'x', '">1</A><Encrypt>x</Encrypt></xml>'), 401),
    post('entity references in text', fill('<xml><A>', '&#x10FFFF;', '</A><Encrypt>x</Encrypt></xml>'), 401),
    post('processing instructions', fill('<xml>', '<?a b?>', '<Encrypt>x</Encrypt></xml>'), 401),
    post('markup characters only', fill('<xml>', '<', '<Encrypt>x</Encrypt></xml>'), 401),
    post('random bytes', randomBytesSeeded(random, CALLBACK_BODY_LIMIT - 1), 400),
    post(
      'non-UTF-8 bytes around Encrypt',
      Buffer.concat([
        Buffer.from('<xml><A>'),
        Buffer.alloc(CALLBACK_BODY_LIMIT - 60, 0xff),
        Buffer.from('</A><Encrypt>x</Encrypt></xml>'),
      ]),
      401,
    ),
    post('max-size CDATA', fill('<xml><A><![CDATA[', 'x', ']]></A><Encrypt>x</Encrypt></xml>'), 401),
    post(
      'Encrypt of 256 KB (hashed, then refused)',
      fill('<xml><Encrypt><![CDATA[', 'QUJD', ']]></Encrypt></xml>'),
      401,
    ),
    post('"]]" filling the Encrypt CDATA', fill('<xml><Encrypt><![CDATA[', ']]', ']]></Encrypt></xml>'), 400),
    post('empty body', '', 400),
    post('body over the limit', fill('<xml><A><![CDATA[', 'x', ']]></A></xml>', CALLBACK_BODY_LIMIT + 1), 413),
    post('JSON instead of XML', JSON.stringify({ Encrypt: 'x', pad: 'x'.repeat(1000) }), 400, {
      headers: { 'content-type': 'application/json' },
    }),
    post('12 KB content-type of 3,000 parameters', probe, 401, {
      headers: { 'content-type': `text/xml${';a=b'.repeat(3000)}` },
    }),
    post('no content-type', probe, 401, { headers: {} }),

    // Odd query strings.
    post('no msg_signature', probe, 400, {
      url: `/wecom/callback/${corp.corpId}?timestamp=${TIMESTAMP}&nonce=${NONCE}`,
    }),
    post('msg_signature twice', probe, 400, {
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE)}&msg_signature=${WRONG_SIGNATURE}`,
    }),
    post('msg_signature of 10 KB', probe, 400, { url: `/wecom/callback/${corp.corpId}?${query('a'.repeat(10_000))}` }),
    post('no query at all', probe, 400, { url: `/wecom/callback/${corp.corpId}` }),

    // Signed with the corp's token, so they reach decryption and maybe the parser of the decrypted text.
    signedPost(
      corp,
      'signed, random ciphertext of 190 KB',
      randomBytesSeeded(random, 190 * 1024).toString('base64'),
      400,
    ),
    signedPost(corp, 'signed, not base64', 'not base64 at all!', 400),
    signedPost(corp, 'signed, bad padding', tampered.toString('base64'), 400),
    signedPost(
      corp,
      'signed, wrong receiveid',
      sealFor(corp, '<xml><CreateTime>1</CreateTime></xml>', 'wwsomeoneelse'),
      400,
    ),
    signedPost(
      corp,
      'signed, msg_len past the end',
      rawSeal(corp, Buffer.concat([Buffer.alloc(16, 1), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(12, 12)])),
      400,
    ),
    signedPost(corp, 'signed, plaintext not XML', sealFor(corp, 'hello, not xml'), 400),
    signedPost(corp, 'signed, plaintext without CreateTime', sealFor(corp, '<xml><MsgType>event</MsgType></xml>'), 400),
    signedPost(corp, 'signed, entity bomb plaintext', sealFor(corp, `${entityBomb(9)}<xml><A>&l9;</A></xml>`), 400),
    signedPost(
      corp,
      'signed, repeated elements plaintext',
      sealFor(corp, fill('<xml>', '<A>1</A>', '</xml>', MAX_PLAINTEXT)),
      400,
    ),
    signedPost(
      corp,
      'signed, deep nesting plaintext',
      sealFor(corp, fill('<xml>', '<a>', '</xml>', MAX_PLAINTEXT)),
      400,
    ),
    signedPost(
      corp,
      'signed, one list item too many',
      sealFor(
        corp,
        `<xml><L>${'<Item><![CDATA[wmAbCdEfGhIjKlMnOpQrStUvWxYz012345]]></Item>'.repeat(FLAT_MAX_ITEMS + 1)}</L></xml>`,
      ),
      400,
    ),
    signedPost(
      corp,
      'signed, 257 fields',
      sealFor(corp, `<xml>${Array.from({ length: 257 }, (_, i) => `<F${i}>1</F${i}>`).join('')}</xml>`),
      400,
    ),
    signedPost(
      corp,
      'signed, the most the full parser takes',
      sealFor(corp, fill('<xml>', '<A/>', '</xml>', Math.min(FULL_PARSE_MAX_CHARS, FULL_PARSE_MAX_MARKUP * 4 + 6))),
      400,
    ),
    signedPost(
      corp,
      'signed, entities at the full parser bound',
      sealFor(corp, fill('<xml><A>', '&#x10FFFF;', '</A><B/></xml>', FULL_PARSE_MAX_CHARS)),
      400,
    ),

    // URL verification.
    {
      name: 'GET, wrong signature over a 4 KB echostr',
      method: 'GET',
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE, `&echostr=${'QUJD'.repeat(1024)}`)}`,
      headers: {},
      status: 401,
      signed: false,
    },
    {
      name: 'GET, signed garbage echostr',
      method: 'GET',
      url: `/wecom/callback/${corp.corpId}?msg_signature=${sign(corp, 'QUJD'.repeat(1024))}&timestamp=${TIMESTAMP}&nonce=${NONCE}&echostr=${'QUJD'.repeat(1024)}`,
      headers: {},
      status: 400,
      signed: true,
    },
    {
      name: 'GET, no echostr',
      method: 'GET',
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE)}`,
      headers: {},
      status: 400,
      signed: false,
    },
    {
      name: 'GET, unknown corp',
      method: 'GET',
      url: `/wecom/callback/wwffffffffffffffff?${query(WRONG_SIGNATURE, '&echostr=QUJD')}`,
      headers: {},
      status: 404,
      signed: false,
    },
    {
      name: 'GET with a 256 KB body',
      method: 'GET',
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE, '&echostr=QUJD')}`,
      body: Buffer.from(probe),
      headers: XML,
      status: 401,
      signed: false,
    },
  ];
}

/** Bodies sent in tiny chunks: what they cost is mostly Node's HTTP parser, before any route code. */
export function chunkedShapes(corp: ShapeCorp): CallbackShape[] {
  const probe = Buffer.from(fill('<xml>', '<A>1</A>', '<Encrypt>x</Encrypt></xml>'));
  return [
    {
      name: 'chunked, 1-byte pieces',
      method: 'POST',
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE)}`,
      body: probe,
      headers: XML,
      status: 400,
      chunkSize: 1,
      signed: false,
    },
    {
      name: 'chunked, 1-byte pieces, unknown corp',
      method: 'POST',
      url: `/wecom/callback/wwffffffffffffffff?${query(WRONG_SIGNATURE)}`,
      body: probe,
      headers: XML,
      status: 404,
      chunkSize: 1,
      signed: false,
    },
    {
      name: 'chunked, 4 KB pieces (a real sender)',
      method: 'POST',
      url: `/wecom/callback/${corp.corpId}?${query(WRONG_SIGNATURE)}`,
      body: probe,
      headers: XML,
      status: 401,
      chunkSize: 4096,
      signed: false,
    },
  ];
}
