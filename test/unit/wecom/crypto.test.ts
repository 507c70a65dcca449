import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { describe, it, expect } from 'vitest';
import {
  aesCbcDecrypt,
  buildPassiveReply,
  computeSignature,
  decryptMessage,
  decryptMessageWithRandom,
  encryptMessage,
  openCallback,
  sealCallback,
  validateEncodingAesKey,
  verifySignature,
  WecomCryptoError,
  type CallbackCredentials,
} from '../../../server/wecom/crypto.js';
import { parseEnvelope } from '../../../server/wecom/events.js';
import { parseXml } from '../../../server/wecom/xml.js';
import { vectorA, vectorB } from './vectors.js';

const credA: CallbackCredentials = {
  token: vectorA.token,
  encodingAesKey: vectorA.encodingAesKey,
  receiveId: vectorA.corpId,
};
const credB: CallbackCredentials = {
  token: vectorB.token,
  encodingAesKey: vectorB.encodingAesKey,
  receiveId: vectorB.corpId,
};

/** Encrypts an arbitrary plaintext buffer with the vector-A key and no padding, to forge broken payloads. */
function rawEncrypt(plain: Buffer, encodingAesKey: string = vectorA.encodingAesKey): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function rawDecrypt(encrypted: string, encodingAesKey: string = vectorA.encodingAesKey): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
}

/** random(16) ‖ msg_len ‖ msg ‖ receiveid, padded with `padding` (defaults to correct PKCS#7-32). */
function payload(message: string, receiveId: string, options: { msgLen?: number; padding?: Buffer } = {}): Buffer {
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(options.msgLen ?? msg.length);
  const body = Buffer.concat([Buffer.alloc(16, 7), len, msg, Buffer.from(receiveId, 'utf8')]);
  const padLength = 32 - (body.length % 32);
  return Buffer.concat([body, options.padding ?? Buffer.alloc(padLength, padLength)]);
}

function failureOf(fn: () => unknown): { failure: string; wxCode: number } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WecomCryptoError);
    const e = err as WecomCryptoError;
    return { failure: e.failure, wxCode: e.wxCode };
  }
  throw new Error('expected a WecomCryptoError, nothing was thrown');
}

describe('official vector A (C++/PHP sample)', () => {
  it('GET: signature and echostr plaintext', () => {
    const q = new URLSearchParams(vectorA.get.query);
    const echostr = q.get('echostr') ?? '';
    expect(echostr).toBe(vectorA.get.echostr); // %2B stays '+', never a space
    expect(computeSignature(vectorA.token, vectorA.get.timestamp, vectorA.get.nonce, echostr)).toBe(
      vectorA.get.msgSignature,
    );
    const plain = openCallback(
      credA,
      { msgSignature: q.get('msg_signature') ?? '', timestamp: q.get('timestamp') ?? '', nonce: q.get('nonce') ?? '' },
      echostr,
    );
    expect(plain).toBe('1616140317555161061');
  });

  it('POST: signature over <Encrypt> and the plaintext byte for byte', () => {
    const envelope = parseEnvelope(vectorA.post.body);
    expect(envelope).toEqual({ toUserName: 'wx5823bf96d3bd56c7', encrypt: vectorA.post.encrypt, agentId: '218' });
    expect(computeSignature(vectorA.token, vectorA.post.timestamp, vectorA.post.nonce, envelope.encrypt)).toBe(
      vectorA.post.msgSignature,
    );
    const plain = openCallback(
      credA,
      { msgSignature: vectorA.post.msgSignature, timestamp: vectorA.post.timestamp, nonce: vectorA.post.nonce },
      envelope.encrypt,
    );
    expect(Buffer.from(plain, 'utf8').equals(Buffer.from(vectorA.post.plaintext, 'utf8'))).toBe(true);
  });

  it('uses 32-byte padding (352-byte ciphertext, pad 30) that Node auto-padding rejects', () => {
    expect(Buffer.from(vectorA.post.encrypt, 'base64').length).toBe(352);
    expect(rawDecrypt(vectorA.post.encrypt).at(-1)).toBe(30);
    const key = Buffer.from(`${vectorA.encodingAesKey}=`, 'base64');
    const strict = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    expect(() => Buffer.concat([strict.update(Buffer.from(vectorA.post.encrypt, 'base64')), strict.final()])).toThrow();
  });

  it('re-encrypting with the recovered random reproduces the ciphertext', () => {
    const { message, random } = decryptMessageWithRandom(vectorA.encodingAesKey, vectorA.post.encrypt, vectorA.corpId);
    expect(random.length).toBe(16);
    expect(encryptMessage(vectorA.encodingAesKey, message, vectorA.corpId, random)).toBe(vectorA.post.encrypt);
  });
});

describe('official vector B (Python sample)', () => {
  it('GET: signature and echostr plaintext', () => {
    const { msgSignature, timestamp, nonce, echostr } = vectorB.get;
    expect(verifySignature(vectorB.token, timestamp, nonce, echostr, msgSignature)).toBe(true);
    expect(openCallback(credB, { msgSignature, timestamp, nonce }, echostr)).toBe('1288432023552776189');
  });

  it('POST: signature and the multi-byte plaintext', () => {
    const { msgSignature, timestamp, nonce, encrypt } = vectorB.post;
    expect(computeSignature(vectorB.token, timestamp, nonce, encrypt)).toBe(msgSignature);
    expect(openCallback(credB, { msgSignature, timestamp, nonce }, encrypt)).toBe(vectorB.post.plaintext);
  });
});

describe('signature verification', () => {
  const { timestamp, nonce, echostr, msgSignature } = vectorA.get;

  it('rejects a tampered signature with failure "signature" (-40001)', () => {
    const tampered = `${msgSignature.slice(0, -1)}${msgSignature.endsWith('0') ? '1' : '0'}`;
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, tampered)).toBe(false);
    expect(failureOf(() => openCallback(credA, { msgSignature: tampered, timestamp, nonce }, echostr))).toEqual({
      failure: 'signature',
      wxCode: -40001,
    });
  });

  it('rejects a signature over other values (tampered timestamp or payload)', () => {
    expect(verifySignature(vectorA.token, '1409659590', nonce, echostr, msgSignature)).toBe(false);
    expect(verifySignature(vectorA.token, timestamp, nonce, `${echostr}x`, msgSignature)).toBe(false);
    expect(verifySignature('otherToken', timestamp, nonce, echostr, msgSignature)).toBe(false);
  });

  it('returns false, without throwing, for signatures of another length', () => {
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, '')).toBe(false);
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, msgSignature.slice(0, 10))).toBe(false);
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, `${msgSignature}00`)).toBe(false);
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, '签名'.repeat(20))).toBe(false);
  });

  it('does not take look-alike characters for the hex digits (U+0130 is not "0", U+0161 is not "a")', () => {
    const lookAlike = [...msgSignature].map((c) => (c === '0' ? '\u0130' : c === 'a' ? '\u0161' : c)).join('');
    expect(lookAlike).not.toBe(msgSignature);
    expect(verifySignature(vectorA.token, timestamp, nonce, echostr, lookAlike)).toBe(false);
  });
});

describe('decryption failures are detected and distinct', () => {
  const key = vectorA.encodingAesKey;
  const corp = vectorA.corpId;

  it('wrong receiveid → "receive-id" (-40005)', () => {
    expect(failureOf(() => decryptMessage(key, vectorA.get.echostr, 'ww0000000000000000'))).toEqual({
      failure: 'receive-id',
      wxCode: -40005,
    });
    // A prefix of the real corpid is not accepted either.
    expect(failureOf(() => decryptMessage(key, vectorA.get.echostr, corp.slice(0, -1))).failure).toBe('receive-id');
  });

  it('bad padding → "buffer" (-40008): pad byte 0, pad byte > 32, unequal pad bytes', () => {
    const good = payload('hello', corp);
    const zeroPad = Buffer.from(good);
    zeroPad[zeroPad.length - 1] = 0;
    const bigPad = Buffer.from(good);
    bigPad[bigPad.length - 1] = 33;
    const padLength = good.at(-1) ?? 0;
    expect(padLength).toBeGreaterThan(1);
    const unequal = Buffer.from(good);
    unequal[unequal.length - padLength] = (padLength + 1) % 256;

    expect(decryptMessage(key, rawEncrypt(good), corp)).toBe('hello');
    for (const broken of [zeroPad, bigPad, unequal]) {
      expect(failureOf(() => decryptMessage(key, rawEncrypt(broken), corp))).toEqual({
        failure: 'buffer',
        wxCode: -40008,
      });
    }
  });

  it('msg_len pointing past the end → "buffer"', () => {
    const lying = payload('hello', corp, { msgLen: 5000 });
    expect(failureOf(() => decryptMessage(key, rawEncrypt(lying), corp))).toEqual({
      failure: 'buffer',
      wxCode: -40008,
    });
    // One byte too long swallows part of the receiveid instead: still detected, as a receiveid mismatch.
    const offByOne = payload('hello', corp, { msgLen: 6 });
    expect(failureOf(() => decryptMessage(key, rawEncrypt(offByOne), corp)).failure).toBe('receive-id');
  });

  it('payload shorter than its 20-byte header → "buffer"', () => {
    const tiny = Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(22, 22)]);
    expect(failureOf(() => decryptMessage(key, rawEncrypt(tiny), corp)).failure).toBe('buffer');
  });

  it('broken base64 → "base64" (-40010)', () => {
    const echostr = vectorA.get.echostr;
    const cases = [
      `${echostr.slice(0, 10)}!${echostr.slice(10)}`, // character outside the alphabet
      `${echostr.slice(0, 10)} ${echostr.slice(11)}`, // space where '+' was URL-decoded wrongly
      echostr.slice(0, -1), // wrong length
      `${echostr}=`, // too much padding
      `${echostr.slice(0, 20)}=${echostr.slice(21)}`, // '=' in the middle
      echostr.replaceAll('+', '-'), // base64url is not WeCom's alphabet
    ];
    for (const broken of cases) {
      expect(failureOf(() => decryptMessage(key, broken, corp))).toEqual({ failure: 'base64', wxCode: -40010 });
    }
  });

  it('calls base64 broken exactly when it does not re-encode to itself (20,000 near-base64 texts, as strings and bytes)', () => {
    // The check avoids re-encoding the whole text (an attacker's 256 KB); it must still mean the same.
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    // Including characters above U+00FF whose low byte is a base64 character ('\u0141' → 'A', '\u012b' → '+').
    const odd = ['=', '-', '_', ' ', '!', '\n', 'é', '中', '\u0141', '\u012b', '\u013d', '\u00c1'];
    let broken = 0;
    for (let i = 0; i < 20_000; i++) {
      const blocks = 1 + Math.floor(next() * 4);
      let text = Buffer.from(Array.from({ length: blocks * 16 }, () => Math.floor(next() * 256))).toString('base64');
      // Mostly one odd change: a character swapped, inserted, dropped, or padding touched.
      const at = Math.floor(next() * text.length);
      const change = Math.floor(next() * 5);
      if (change === 0) text = text.slice(0, at) + odd[Math.floor(next() * odd.length)] + text.slice(at + 1);
      else if (change === 1) text = text.slice(0, at) + alphabet[Math.floor(next() * 64)] + text.slice(at + 1);
      else if (change === 2) text = text.slice(0, at) + text.slice(at + 1);
      else if (change === 3) text = text.replace(/=+$/, '') + '='.repeat(Math.floor(next() * 3));
      const canonical = Buffer.from(text, 'base64').toString('base64') === text;
      const failureOn = (encrypted: string | Buffer) => {
        try {
          decryptMessage(key, encrypted, corp);
          return 'none';
        } catch (err) {
          return (err as WecomCryptoError).failure;
        }
      };
      const failure = failureOn(text);
      expect({ text, base64Failure: failure === 'base64' }).toEqual({ text, base64Failure: !canonical });
      // The same text as bytes (the callback route's long <Encrypt>) fails alike.
      if ([...text].every((c) => c.charCodeAt(0) <= 0xff))
        expect({ text, bytes: failureOn(Buffer.from(text, 'latin1')) }).toEqual({ text, bytes: failure });
      if (!canonical) broken++;
    }
    expect(broken).toBeGreaterThan(5000);
  });

  it('decodes a long text given as bytes piece by piece as at once, and refuses it broken anywhere, even at a seam', () => {
    const message = `<xml><Content><![CDATA[${'长'.repeat(50_000)}]]></Content></xml>`; // 200 KB of base64
    const encrypted = encryptMessage(key, message, corp);
    expect(decryptMessage(key, Buffer.from(encrypted, 'latin1'), corp)).toBe(message);
    // The bytes are decoded 64 KB at a time: break them on either side of each seam, and at the ends.
    for (const at of [
      0,
      1,
      65535,
      65536,
      65537,
      131071,
      131072,
      196607,
      196608,
      encrypted.length - 3,
      encrypted.length - 1,
    ]) {
      for (const change of [' ', '-', '_', '=', '!', '\u00e9', '', 'AB']) {
        const broken = encrypted.slice(0, at) + change + encrypted.slice(at + 1);
        if (broken === encrypted) continue; // '=' over the padding changes nothing
        expect(Buffer.from(broken, 'base64').toString('base64'), `${at} ${change}`).not.toBe(broken);
        expect(
          failureOf(() => decryptMessage(key, Buffer.from(broken, 'latin1'), corp)),
          `${at} ${change}`,
        ).toEqual({
          failure: 'base64',
          wxCode: -40010,
        });
      }
    }
  });

  it('ciphertext not a multiple of 16 bytes → "decrypt" (-40007)', () => {
    const twenty = Buffer.alloc(20, 1).toString('base64');
    expect(failureOf(() => decryptMessage(key, twenty, corp))).toEqual({ failure: 'decrypt', wxCode: -40007 });
    expect(failureOf(() => decryptMessage(key, '', corp)).failure).toBe('decrypt');
  });

  it('wrong-length or invalid EncodingAESKey → "aes-key" (-40004)', () => {
    for (const badKey of [key.slice(0, 42), `${key}A`, `${key.slice(0, 42)}+`, `${key.slice(0, 42)}=`, '']) {
      expect(failureOf(() => decryptMessage(badKey, vectorA.get.echostr, corp))).toEqual({
        failure: 'aes-key',
        wxCode: -40004,
      });
      expect(failureOf(() => encryptMessage(badKey, 'x', corp)).failure).toBe('aes-key');
    }
  });

  it('gives six different failures and codes for six different faults', () => {
    const results = [
      failureOf(() =>
        openCallback(credA, { msgSignature: '0'.repeat(40), timestamp: '1', nonce: '2' }, vectorA.get.echostr),
      ),
      failureOf(() => decryptMessage(key.slice(1), vectorA.get.echostr, corp)),
      failureOf(() => decryptMessage(key, vectorA.get.echostr, 'someone-else')),
      failureOf(() => decryptMessage(key, Buffer.alloc(17).toString('base64'), corp)),
      failureOf(() => decryptMessage(key, rawEncrypt(payload('x', corp, { msgLen: 99 })), corp)),
      failureOf(() => decryptMessage(key, '***', corp)),
    ];
    expect(new Set(results.map((r) => r.failure)).size).toBe(6);
    expect(new Set(results.map((r) => r.wxCode)).size).toBe(6);
  });
});

describe('the hot-path implementations agree with the reference ones', () => {
  it('computeSignature equals @wecom/crypto getSignature, including for Chinese text and empty parts', () => {
    const cases: [string, string, string, string][] = [
      [vectorA.token, vectorA.post.timestamp, vectorA.post.nonce, vectorA.post.encrypt],
      ['令牌', '1409659813', '', 'abc'],
      ['', '', '', ''],
    ];
    for (const [token, timestamp, nonce, encrypt] of cases) {
      expect(computeSignature(token, timestamp, nonce, encrypt)).toBe(getSignature(token, timestamp, nonce, encrypt));
    }
  });

  it('signs a text given as bytes, short or long (hashed piece by piece), exactly as the same text as a string', () => {
    const long = randomBytes(150_000).toString('base64'); // 200 KB: over the one-shot bound
    const texts = [vectorA.post.encrypt, long, '0', 'zzz', `${long}\u00e9`, 'a\u00ff\u0080b'];
    // Token, timestamp and nonce on either side of the text in the sort, and equal prefixes.
    const sides: [string, string, string][] = [
      [vectorA.token, vectorA.post.timestamp, vectorA.post.nonce],
      ['zzzz', '1', 'A'],
      [long.slice(0, 100), `${long.slice(0, 50)}~`, ''],
    ];
    for (const text of texts) {
      for (const [token, timestamp, nonce] of sides) {
        const expected = getSignature(token, timestamp, nonce, text);
        expect(computeSignature(token, timestamp, nonce, text)).toBe(expected);
        expect(computeSignature(token, timestamp, nonce, Buffer.from(text, 'latin1'))).toBe(expected);
      }
    }
  });

  it('decrypts 200 random messages of every length like aes-256-cbc does, one after another with one key', () => {
    // The decryptor keeps one AES-ECB context per key and chains the blocks itself (crypto.ts, AesCbcKey): messages
    // decrypted in sequence must not leak state into each other, whatever their length.
    for (let n = 0; n < 200; n++) {
      const message = randomBytes(n * 7).toString('base64');
      const random = randomBytes(16);
      const encrypted = encryptMessage(vectorA.encodingAesKey, message, vectorA.corpId, random);
      const reference = createDecipheriv(
        'aes-256-cbc',
        Buffer.from(`${vectorA.encodingAesKey}=`, 'base64'),
        Buffer.from(`${vectorA.encodingAesKey}=`, 'base64').subarray(0, 16),
      );
      reference.setAutoPadding(false);
      const plain = Buffer.concat([reference.update(encrypted, 'base64'), reference.final()]);
      expect(plain.subarray(20, 20 + plain.readUInt32BE(16)).toString('utf8')).toBe(message);
      const decrypted = decryptMessageWithRandom(vectorA.encodingAesKey, encrypted, vectorA.corpId);
      expect(decrypted.message).toBe(message);
      expect(decrypted.random.equals(random)).toBe(true);
    }
  });

  it('aesCbcDecrypt gives the aes-256-cbc plaintext for aligned and unaligned buffers alike', () => {
    // The word-wise XOR applies only to 4-byte-aligned buffers; others take the byte-wise path.
    const key = Buffer.from(`${vectorA.encodingAesKey}=`, 'base64');
    const cipherText = rawEncrypt(randomBytes(160));
    const bytes = Buffer.from(cipherText, 'base64');
    const reference = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    reference.setAutoPadding(false);
    const expected = Buffer.concat([reference.update(bytes), reference.final()]);
    for (const offset of [0, 1, 2, 3, 4]) {
      const holder = Buffer.alloc(bytes.length + offset);
      bytes.copy(holder, offset);
      expect(aesCbcDecrypt(vectorA.encodingAesKey, holder.subarray(offset)).equals(expected)).toBe(true);
    }
    expect(() => aesCbcDecrypt(vectorA.encodingAesKey, bytes.subarray(1))).toThrow(RangeError);
  });
});

describe('validateEncodingAesKey', () => {
  it('accepts the official keys', () => {
    expect(validateEncodingAesKey(vectorA.encodingAesKey)).toBeNull();
    expect(validateEncodingAesKey(vectorB.encodingAesKey)).toBeNull();
  });

  it('explains what is wrong', () => {
    expect(validateEncodingAesKey('abc')).toMatch(/exactly 43 characters \(got 3\)/);
    expect(validateEncodingAesKey(`${vectorA.encodingAesKey.slice(0, 42)}/`)).toMatch(/letters and digits/);
    expect(validateEncodingAesKey(`${vectorA.encodingAesKey}x`)).toMatch(/43 characters/);
  });
});

describe('encryption', () => {
  it('round-trips Chinese text, with msg_len counted in UTF-8 bytes', () => {
    const message = '<xml><Content><![CDATA[你好，世界 👋 客户联系]]></Content></xml>';
    const encrypted = encryptMessage(vectorB.encodingAesKey, message, vectorB.corpId);
    expect(decryptMessage(vectorB.encodingAesKey, encrypted, vectorB.corpId)).toBe(message);

    const plain = rawDecrypt(encrypted, vectorB.encodingAesKey);
    expect(plain.length % 32).toBe(0);
    expect(plain.readUInt32BE(16)).toBe(Buffer.byteLength(message, 'utf8'));
    expect(plain.readUInt32BE(16)).toBeGreaterThan(message.length);
  });

  it('pads a block-aligned payload with a full 32-byte block', () => {
    // 16 random + 4 length + 12 message = 32 bytes, receiveid of 32 bytes → 64 bytes, aligned.
    const receiveId = 'r'.repeat(32);
    const encrypted = encryptMessage(vectorA.encodingAesKey, 'x'.repeat(12), receiveId);
    const plain = rawDecrypt(encrypted);
    expect(plain.length).toBe(96);
    expect(plain.subarray(64).equals(Buffer.alloc(32, 32))).toBe(true);
    expect(decryptMessage(vectorA.encodingAesKey, encrypted, receiveId)).toBe('x'.repeat(12));
  });

  it('uses a fresh random prefix unless one is given', () => {
    const a = encryptMessage(vectorA.encodingAesKey, 'same', vectorA.corpId);
    const b = encryptMessage(vectorA.encodingAesKey, 'same', vectorA.corpId);
    expect(a).not.toBe(b);
    const random = Buffer.alloc(16, 9);
    expect(encryptMessage(vectorA.encodingAesKey, 'same', vectorA.corpId, random)).toBe(
      encryptMessage(vectorA.encodingAesKey, 'same', vectorA.corpId, random),
    );
    expect(() => encryptMessage(vectorA.encodingAesKey, 'same', vectorA.corpId, Buffer.alloc(8))).toThrow(RangeError);
  });

  it('sealCallback produces what openCallback (and therefore the server) accepts', () => {
    const sealed = sealCallback(credA, vectorA.post.plaintext, '1700000000', '12345');
    expect(sealed.timestamp).toBe('1700000000');
    expect(sealed.nonce).toBe('12345');
    expect(sealed.msgSignature).toBe(computeSignature(credA.token, '1700000000', '12345', sealed.encrypt));
    expect(openCallback(credA, sealed, sealed.encrypt)).toBe(vectorA.post.plaintext);

    const fresh = sealCallback(credA, 'hi');
    expect(fresh.timestamp).toMatch(/^\d{10}$/);
    expect(fresh.nonce).toMatch(/^\d+$/);
    expect(openCallback(credA, fresh, fresh.encrypt)).toBe('hi');
    // Sealed for another corp, it is refused by this one.
    expect(failureOf(() => openCallback({ ...credA, receiveId: 'other' }, fresh, fresh.encrypt)).failure).toBe(
      'receive-id',
    );
  });

  it('buildPassiveReply wraps an encrypted, signed reply in the official envelope', () => {
    const reply =
      '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId><AgentID>128</AgentID></xml>';
    const xml = buildPassiveReply(credA, reply, '1409659813', '1372623149');
    expect(xml).toMatch(
      /^<xml>\n<Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt>\n<MsgSignature><!\[CDATA\[[0-9a-f]{40}\]\]><\/MsgSignature>\n<TimeStamp>1409659813<\/TimeStamp>\n<Nonce><!\[CDATA\[1372623149\]\]><\/Nonce>\n<\/xml>$/,
    );
    const fields = parseXml(xml);
    const encrypt = String(fields['Encrypt']);
    expect(
      openCallback(
        credA,
        { msgSignature: String(fields['MsgSignature']), timestamp: '1409659813', nonce: '1372623149' },
        encrypt,
      ),
    ).toBe(reply);
  });
});
