/**
 * WeCom callback crypto (WXBizMsgCrypt): SHA-1 signature, AES-256-CBC with 32-byte PKCS#7 padding, receiveid check.
 *
 * `@wecom/crypto` (official) provides the signature and the encryption. Its `decrypt` is not used: it silently keeps
 * invalid padding, does not check the receiveid, and lets `msg_len` point past the end, so a tampered or foreign
 * message decrypts to garbage instead of failing. Decryption is therefore done here with every check explicit, and
 * each failure gets the official WXBizMsgCrypt return code (sbzhu/weworkapi_python `ierror.py`).
 */
import { isAscii } from 'node:buffer';
import { createDecipheriv, createHash, hash, randomBytes, timingSafeEqual, type Decipher } from 'node:crypto';
import { encrypt as wecomEncrypt } from '@wecom/crypto';
import { cdata } from './xml.js';

export type CryptoFailure = 'signature' | 'aes-key' | 'receive-id' | 'decrypt' | 'buffer' | 'base64';

const WX_CODES: Readonly<Record<CryptoFailure, number>> = {
  signature: -40001, // ValidateSignature
  'aes-key': -40004, // IllegalAesKey
  'receive-id': -40005, // ValidateCorpid
  decrypt: -40007, // DecryptAES
  buffer: -40008, // IllegalBuffer
  base64: -40010, // DecodeBase64
};

export class WecomCryptoError extends Error {
  readonly failure: CryptoFailure;
  /** The code the official WXBizMsgCrypt samples return for the same failure. */
  readonly wxCode: number;

  constructor(failure: CryptoFailure, message: string) {
    super(message);
    this.name = 'WecomCryptoError';
    this.failure = failure;
    this.wxCode = WX_CODES[failure];
  }
}

export interface CallbackCredentials {
  token: string;
  encodingAesKey: string;
  /** corpid for a self-built app (suiteid for third-party callbacks). */
  receiveId: string;
}

const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const RANDOM_LENGTH = 16;
const HEADER_LENGTH = RANDOM_LENGTH + 4; // random ‖ msg_len (uint32 BE)
const PAD_BLOCK = 32; // WeCom pads to 32 bytes, not AES's 16
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Returns an English description of what is wrong with an EncodingAESKey, or null when it is usable. */
export function validateEncodingAesKey(key: string): string | null {
  if (typeof key !== 'string' || key.length !== 43) {
    return `EncodingAESKey must be exactly 43 characters (got ${typeof key === 'string' ? key.length : typeof key})`;
  }
  if (!AES_KEY_PATTERN.test(key)) return 'EncodingAESKey must contain only letters and digits [a-zA-Z0-9]';
  // 43 alphabet characters + '=' always decode to 32 bytes; checked anyway so the rule lives in one place.
  if (Buffer.from(`${key}=`, 'base64').length !== 32) return 'EncodingAESKey must decode to 32 bytes';
  return null;
}

/**
 * One AES-256-CBC decryptor per EncodingAESKey, built once (decoding and validating the key, and creating an OpenSSL
 * context, on every callback is wasted work on the hot path).
 *
 * CBC decryption is P[i] = AES-decrypt(C[i]) XOR C[i-1], with C[-1] = IV. A Node Decipher cannot be rewound to a new
 * IV, so each message would need a fresh `aes-256-cbc` context (~2 µs and several allocations). Instead one
 * `aes-256-ecb` context without padding is kept per key: ECB decrypts every block independently and carries no state
 * between `update` calls when whole blocks are fed (final() is never called), and the XOR chaining is done here.
 * The official vectors and a comparison with `aes-256-cbc` on random messages guard this (crypto.test.ts).
 */
interface AesCbcKey {
  iv: Buffer;
  ivWords: Int32Array;
  ecb: Decipher;
}

const aesKeys = new Map<string, AesCbcKey>();

function aesKeyOf(encodingAesKey: string): AesCbcKey {
  const cached = aesKeys.get(encodingAesKey);
  if (cached) return cached;
  const problem = validateEncodingAesKey(encodingAesKey);
  if (problem) throw new WecomCryptoError('aes-key', problem);
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const iv = Buffer.from(key.subarray(0, 16));
  const ecb = createDecipheriv('aes-256-ecb', key, null);
  ecb.setAutoPadding(false);
  const entry = { iv, ivWords: new Int32Array(iv.buffer.slice(iv.byteOffset, iv.byteOffset + 16)), ecb };
  if (aesKeys.size > 1000) aesKeys.clear();
  aesKeys.set(encodingAesKey, entry);
  return entry;
}

/**
 * AES-256-CBC decryption, with the EncodingAESKey's key and IV, of whole 16-byte blocks; padding is left in place
 * (see AesCbcKey). Throws RangeError for a length that is not a multiple of 16.
 */
export function aesCbcDecrypt(encodingAesKey: string, cipherText: Buffer): Buffer {
  if (cipherText.length % 16 !== 0) throw new RangeError('AES-CBC input must be whole 16-byte blocks');
  return decryptCbc(aesKeyOf(encodingAesKey), cipherText);
}

function decryptCbc(k: AesCbcKey, cipherText: Buffer): Buffer {
  const out = k.ecb.update(cipherText);
  if (out.length !== cipherText.length) throw new Error('AES-ECB returned a partial block');
  if (out.byteOffset % 4 === 0 && cipherText.byteOffset % 4 === 0) {
    // Word-wise XOR when both buffers are 4-byte aligned (Node's pool and fresh buffers are 8-byte aligned).
    const o = new Int32Array(out.buffer, out.byteOffset, out.length >> 2);
    const c = new Int32Array(cipherText.buffer, cipherText.byteOffset, cipherText.length >> 2);
    for (let i = 0; i < 4; i++) o[i]! ^= k.ivWords[i]!;
    for (let i = 4; i < o.length; i++) o[i]! ^= c[i - 4]!;
  } else {
    for (let i = 0; i < 16; i++) out[i]! ^= k.iv[i]!;
    for (let i = 16; i < out.length; i++) out[i]! ^= cipherText[i - 16]!;
  }
  return out;
}

/**
 * The base64 text of a message (a callback's `<Encrypt>`, an `echostr`): a string, or its bytes as they came (Latin-1,
 * one byte per character). The callback route hands over a long text as bytes: V8 puts a string over ~128 KB in its
 * large-object space, ~1.3 ms to allocate here, and only an attacker sends one.
 */
export type EncryptedText = string | Buffer;

/** Above this many characters of payload the signature is hashed piece by piece instead of one-shot. */
const ONE_SHOT_SIGNATURE_MAX = 8192;

/** Orders texts as `<` orders strings (by UTF-16 code unit), a Buffer read as Latin-1. */
function compareText(a: EncryptedText, b: EncryptedText): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const x = typeof a === 'string' ? a.charCodeAt(i) : a[i]!;
    const y = typeof b === 'string' ? b.charCodeAt(i) : b[i]!;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/**
 * msg_signature: SHA-1 (hex) of token, timestamp, nonce and the encrypted text, sorted and concatenated. The same
 * digest as `@wecom/crypto`'s getSignature (a test compares them), with Node's one-shot `crypto.hash`: no Hash
 * object per callback. A long text (only an attacker sends 256 KB) is fed to a Hash piece by piece instead: joining it
 * first would allocate its copy, which costs ~1.5 ms at that size. Bytes are hashed as the UTF-8 of their Latin-1
 * text, like the string would be.
 */
export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: EncryptedText): string {
  if (typeof encrypt === 'string' && encrypt.length <= ONE_SHOT_SIGNATURE_MAX) {
    return hash('sha1', [token, timestamp, nonce, encrypt].sort().join(''), 'hex');
  }
  const sha1 = createHash('sha1');
  for (const part of [token, timestamp, nonce, encrypt].sort(compareText)) {
    sha1.update(typeof part === 'string' || isAscii(part) ? part : part.toString('latin1'));
  }
  return sha1.digest('hex');
}

/** Constant-time comparison, so the expected signature cannot be probed byte by byte through response timing. */
export function verifySignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: EncryptedText,
  signature: string,
): boolean {
  const expected = Buffer.from(computeSignature(token, timestamp, nonce, encrypt), 'latin1');
  const given = Buffer.from(String(signature), 'utf8'); // not latin1: that would fold U+0130 onto '0'
  return expected.length === given.length && timingSafeEqual(expected, given);
}

interface Decrypted {
  message: string;
  random: Buffer;
}

const receiveIds = new Map<string, Buffer>();

function receiveIdBytes(receiveId: string): Buffer {
  let bytes = receiveIds.get(receiveId);
  if (!bytes) {
    if (receiveIds.size > 1000) receiveIds.clear();
    bytes = Buffer.from(receiveId, 'utf8');
    receiveIds.set(receiveId, bytes);
  }
  return bytes;
}

/**
 * True when `text` is exactly the canonical base64 encoding of `decoded` (what Buffer.from(text, 'base64') gave).
 * Buffer.from skips characters outside the alphabet and takes base64url's `-` and `_`, so broken input decodes to
 * *something*. Re-encoding the whole of it and comparing would say the same, but allocates a copy of the text
 * (~1.3 ms for the 256 KB an attacker sends): any skipped character shows in the decoded length instead, non-ASCII and
 * the url alphabet are looked for, and only the last quantum is re-encoded, for its padding and unused bits. A test
 * compares this with the full round trip on 20,000 near-base64 texts, as strings and as bytes.
 */
function isCanonicalBase64(text: EncryptedText, decoded: Buffer): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  if (length === 0) return decoded.length === 0;
  let last: string;
  if (typeof text === 'string') {
    // Outside ASCII nothing is base64, and the decoder reads a character above U+00FF by its low byte ('中' as '-').
    if (Buffer.byteLength(text, 'utf8') !== length) return false;
    if (text.includes('-') || text.includes('_')) return false;
    last = text.slice(-4);
  } else {
    // A byte above 0x7F is a Latin-1 character the decoder skips: the length below tells.
    if (text.includes(0x2d /* - */) || text.includes(0x5f /* _ */)) return false;
    last = text.toString('latin1', length - 4);
  }
  const padding = last.endsWith('==') ? 2 : last.endsWith('=') ? 1 : 0;
  if (decoded.length !== (length / 4) * 3 - padding) return false;
  return decoded.subarray(decoded.length - (3 - padding)).toString('base64') === last;
}

/** Where base64 is decoded: one buffer, grown as needed and reused (a fresh 190 KB one cost up to ~0.9 ms here). */
let base64Scratch = Buffer.allocUnsafe(4096);

/** Bytes of base64 are decoded this many at a time, each piece a string small enough for V8's ordinary heap. */
const BASE64_PIECE = 64 * 1024; // a multiple of 4: pieces are whole quanta

/**
 * `text` decoded as Buffer.from(text, 'base64') would (the same decoder), into the scratch buffer: the view is valid
 * until the next call, so whoever calls this is done with it before returning (decryptRaw: the AES output is a
 * buffer of its own). Bytes are decoded piece by piece; for canonical base64 that is the same as at once, and
 * isCanonicalBase64 refuses anything else either way.
 */
function decodeBase64(text: EncryptedText): Buffer {
  const most = Math.ceil((text.length * 3) / 4);
  if (base64Scratch.length < most) base64Scratch = Buffer.allocUnsafe(most);
  if (typeof text === 'string') return base64Scratch.subarray(0, base64Scratch.write(text, 0, 'base64'));
  let written = 0;
  for (let at = 0; at < text.length; at += BASE64_PIECE) {
    const piece = text.toString('latin1', at, Math.min(at + BASE64_PIECE, text.length));
    written += base64Scratch.write(piece, written, 'base64');
  }
  return base64Scratch.subarray(0, written);
}

/** Decrypts and checks a message; returns the plaintext bytes and where the message sits in them. */
function decryptRaw(
  encodingAesKey: string,
  encrypted: EncryptedText,
  expectedReceiveId: string,
): { content: Buffer; message: string } {
  const aes = aesKeyOf(encodingAesKey);
  const isText = typeof encrypted === 'string' || Buffer.isBuffer(encrypted);
  const cipherText = isText ? decodeBase64(encrypted) : Buffer.alloc(0);
  if (!isText || !isCanonicalBase64(encrypted, cipherText)) {
    throw new WecomCryptoError('base64', 'encrypted payload is not valid base64');
  }
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new WecomCryptoError('decrypt', `ciphertext length ${cipherText.length} is not a positive multiple of 16`);
  }

  let plain: Buffer;
  try {
    // WeCom pads to 32 bytes (values 1..32), which Node's 16-byte PKCS#7 would reject: padding is checked below.
    plain = decryptCbc(aes, cipherText);
  } catch {
    throw new WecomCryptoError('decrypt', 'AES decryption failed');
  }

  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) {
    throw new WecomCryptoError('buffer', `invalid PKCS#7 pad value ${pad}`);
  }
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new WecomCryptoError('buffer', 'PKCS#7 pad bytes are not all equal');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < HEADER_LENGTH) {
    throw new WecomCryptoError('buffer', 'decrypted payload is shorter than its 20-byte header');
  }
  const msgLength = content.readUInt32BE(RANDOM_LENGTH);
  if (msgLength > content.length - HEADER_LENGTH) {
    throw new WecomCryptoError('buffer', `msg_len ${msgLength} points past the end of the payload`);
  }
  const messageEnd = HEADER_LENGTH + msgLength;

  // Compare bytes, so a receiveid that isn't valid UTF-8 is reported as a mismatch rather than a decoding error.
  if (!content.subarray(messageEnd).equals(receiveIdBytes(expectedReceiveId))) {
    throw new WecomCryptoError('receive-id', 'receiveid in the message does not match the configured one');
  }
  let message: string;
  try {
    message = utf8.decode(content.subarray(HEADER_LENGTH, messageEnd));
  } catch {
    throw new WecomCryptoError('buffer', 'decrypted message is not valid UTF-8');
  }
  return { content, message };
}

/** Decrypts an `echostr` or `<Encrypt>` value and checks its receiveid. Throws WecomCryptoError. */
export function decryptMessage(encodingAesKey: string, encrypted: EncryptedText, expectedReceiveId: string): string {
  return decryptRaw(encodingAesKey, encrypted, expectedReceiveId).message;
}

/**
 * Like decryptMessage, also returning the 16-byte random prefix — lets tests prove that re-encrypting with it
 * reproduces WeCom's ciphertext byte for byte.
 */
export function decryptMessageWithRandom(
  encodingAesKey: string,
  encrypted: string,
  expectedReceiveId: string,
): Decrypted {
  const { content, message } = decryptRaw(encodingAesKey, encrypted, expectedReceiveId);
  return { message, random: Buffer.from(content.subarray(0, RANDOM_LENGTH)) };
}

/** Encrypts `message` for `receiveId`. `random` (16 bytes) is fresh unless given, e.g. to reproduce a known vector. */
export function encryptMessage(encodingAesKey: string, message: string, receiveId: string, random?: Buffer): string {
  aesKeyOf(encodingAesKey);
  if (random !== undefined && random.length !== RANDOM_LENGTH) {
    throw new RangeError(`random prefix must be ${RANDOM_LENGTH} bytes (got ${random.length})`);
  }
  return wecomEncrypt(encodingAesKey, message, receiveId, random ?? randomBytes(RANDOM_LENGTH));
}

/** Verifies `msg_signature` over the encrypted value, then decrypts it (GET echostr or POST `<Encrypt>`). */
export function openCallback(
  cred: CallbackCredentials,
  q: { msgSignature: string; timestamp: string; nonce: string },
  encrypted: EncryptedText,
): string {
  if (!verifySignature(cred.token, q.timestamp, q.nonce, encrypted, q.msgSignature)) {
    throw new WecomCryptoError('signature', 'msg_signature does not match');
  }
  return decryptMessage(cred.encodingAesKey, encrypted, cred.receiveId);
}

function currentTimestamp(): string {
  return String(Math.floor(Date.now() / 1000));
}

// WeCom's nonces are decimal digit strings (e.g. "1372623149"); do the same so emulated callbacks look real.
function randomNonce(): string {
  return String(randomBytes(4).readUInt32BE(0));
}

/** Encrypts and signs a message the way WeCom sends a callback (used by the emulator and passive replies). */
export function sealCallback(
  cred: CallbackCredentials,
  message: string,
  timestamp: string = currentTimestamp(),
  nonce: string = randomNonce(),
): { encrypt: string; msgSignature: string; timestamp: string; nonce: string } {
  const encrypt = encryptMessage(cred.encodingAesKey, message, cred.receiveId);
  return { encrypt, msgSignature: computeSignature(cred.token, timestamp, nonce, encrypt), timestamp, nonce };
}

/** The encrypted passive-reply envelope (official `AES_TEXT_RESPONSE_TEMPLATE`, sbzhu/weworkapi_python). */
export function buildPassiveReply(
  cred: CallbackCredentials,
  replyXml: string,
  timestamp?: string,
  nonce?: string,
): string {
  if (timestamp !== undefined && !/^\d+$/.test(timestamp)) throw new RangeError('timestamp must be decimal digits');
  const sealed = sealCallback(cred, replyXml, timestamp, nonce);
  return [
    '<xml>',
    `<Encrypt>${cdata(sealed.encrypt)}</Encrypt>`,
    `<MsgSignature>${cdata(sealed.msgSignature)}</MsgSignature>`,
    `<TimeStamp>${sealed.timestamp}</TimeStamp>`,
    `<Nonce>${cdata(sealed.nonce)}</Nonce>`,
    '</xml>',
  ].join('\n');
}
