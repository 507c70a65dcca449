import {
  createCipheriv,
  createPublicKey,
  generateKeyPair,
  publicEncrypt,
  constants as cryptoConstants,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { randomChars } from './ids.js';

/**
 * How WeCom protects an archived message (wecom-protocol.md §6.2): a fresh random key per message, encrypted with
 * the corp's registered RSA-2048 public key (PKCS#1 v1.5, base64: `encrypt_random_key`); the message JSON
 * encrypted with that key (`encrypt_chat_msg`), which the SDK's DecryptData reverses.
 *
 * WeCom does not publish DecryptData's inner format. The stand-in SDK (native/finance-sdk) and this emulator use
 * the cipher WeCom documents for its callbacks (§1.3): AES-256-CBC, the 32-byte key itself, IV = its first 16
 * bytes, PKCS#7 padding to a multiple of 32 bytes, base64.
 */

export const ARCHIVE_RSA_BITS = 2048;
const RANDOM_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_KEY_LENGTH = 32;
const PAD_BLOCK = 32;

const generateKeyPairAsync = promisify(generateKeyPair);

export interface ArchiveKeyPair {
  /** SPKI PEM, what the admin uploads in the console. */
  publicKey: string;
  /** PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), the format WeCom's guides use. */
  privateKey: string;
}

/** A new RSA-2048 key pair (generated off the event loop). */
export async function generateArchiveKeyPair(): Promise<ArchiveKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: ARCHIVE_RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicKey, privateKey };
}

/** The per-message key: 32 printable characters (the SDK takes it as a C string). */
export function newRandomKey(): string {
  return randomChars(RANDOM_KEY_ALPHABET, RANDOM_KEY_LENGTH);
}

const publicKeys = new Map<string, KeyObject>();

function publicKeyObject(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/** `encrypt_random_key`: RSA PKCS#1 v1.5 with the public key, base64. */
export function encryptRandomKey(publicKeyPem: string, randomKey: string): string {
  return publicEncrypt(
    { key: publicKeyObject(publicKeyPem), padding: cryptoConstants.RSA_PKCS1_PADDING },
    Buffer.from(randomKey, 'latin1'),
  ).toString('base64');
}

/** `encrypt_chat_msg`: the message JSON under the random key (see the module comment). */
export function encryptChatMessage(randomKey: string, plaintext: string): string {
  const key = Buffer.from(randomKey, 'latin1');
  if (key.length !== 32) throw new RangeError('the random key must be 32 bytes');
  const body = Buffer.from(plaintext, 'utf8');
  const pad = PAD_BLOCK - (body.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

/**
 * Damages a ciphertext the way a storage or transport fault would, keeping it valid base64: the last block is
 * changed, so the padding (and the end of the JSON) no longer decrypts.
 */
export function corruptCiphertext(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  const at = bytes.length - 7;
  bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
  return bytes.toString('base64');
}
