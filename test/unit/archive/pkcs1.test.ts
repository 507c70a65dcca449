import { createPrivateKey, generateKeyPairSync, publicEncrypt, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rsaDecryptPkcs1v15, unpadPkcs1v15 } from '../../../server/archive/pkcs1.js';

/** Made with the openssl command line by fixtures/make-pkcs1-vectors.ts. */
const vectors = JSON.parse(readFileSync(new URL('./fixtures/pkcs1-vectors.json', import.meta.url), 'utf8')) as {
  keyPem: string;
  otherKeyPem: string;
  valid: { message: string; ciphertext: string }[];
  rawValid: { name: string; message: string; ciphertext: string }[];
  invalid: { name: string; ciphertext: string }[];
};
const key = createPrivateKey(vectors.keyPem);
const b64 = (s: string) => Buffer.from(s, 'base64');

describe('RSA PKCS#1 v1.5 decryption (raw RSA + padding check) against openssl vectors', () => {
  it('decrypts what openssl pkeyutl encrypted with rsa_padding_mode:pkcs1 (1, 32 and 245 bytes)', () => {
    expect(vectors.valid).toHaveLength(3);
    for (const v of vectors.valid) expect(rsaDecryptPkcs1v15(key, b64(v.ciphertext))).toEqual(b64(v.message));
  });

  it.each(vectors.rawValid.map((v) => [v.name, v] as const))('accepts a valid edge case: %s', (_name, v) => {
    expect(rsaDecryptPkcs1v15(key, b64(v.ciphertext))).toEqual(b64(v.message));
  });

  it.each(vectors.invalid.map((v) => [v.name, v] as const))('rejects an invalid block: %s', (_name, v) => {
    expect(rsaDecryptPkcs1v15(key, b64(v.ciphertext))).toBeNull();
  });

  it('rejects a ciphertext that is not exactly k bytes, or not below the modulus', () => {
    const good = b64(vectors.valid[0]!.ciphertext);
    expect(rsaDecryptPkcs1v15(key, good.subarray(1))).toBeNull();
    expect(rsaDecryptPkcs1v15(key, Buffer.concat([Buffer.alloc(1), good]))).toBeNull();
    expect(rsaDecryptPkcs1v15(key, Buffer.alloc(256, 0xff))).toBeNull();
    expect(rsaDecryptPkcs1v15(key, Buffer.alloc(0))).toBeNull();
  });

  it('fails with the wrong private key: none of the vectors opens', () => {
    const other = createPrivateKey(vectors.otherKeyPem);
    for (const v of [...vectors.valid, ...vectors.rawValid])
      expect(rsaDecryptPkcs1v15(other, b64(v.ciphertext))).toBeNull();
  });

  it('round-trips with what Node encrypts (publicEncrypt, RSA_PKCS1_PADDING), 200 random keys', () => {
    for (let i = 0; i < 200; i++) {
      const message = Buffer.from(`key-${i}-${'z'.repeat(i % 40)}`);
      const c = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, message);
      expect(rsaDecryptPkcs1v15(key, c)).toEqual(message);
    }
  });

  it('refuses a key that is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => rsaDecryptPkcs1v15(ec, Buffer.alloc(256))).toThrow(/RSA private key/);
  });
});

describe('the PKCS#1 v1.5 type-2 padding check', () => {
  const em = (...parts: number[][]) => Uint8Array.from(parts.flat());
  const ps = (n: number, byte = 0x55) => Array<number>(n).fill(byte);

  it('returns the message after the first zero separator', () => {
    expect(unpadPkcs1v15(em([0, 2], ps(8), [0], [1, 2, 3]))).toEqual(Buffer.from([1, 2, 3]));
    expect(unpadPkcs1v15(em([0, 2], ps(20), [0], [0, 0]))).toEqual(Buffer.from([0, 0]));
  });

  it('rejects short PS, wrong markers, a missing separator and tiny blocks', () => {
    expect(unpadPkcs1v15(em([0, 2], ps(7), [0], [1]))).toBeNull();
    expect(unpadPkcs1v15(em([0, 1], ps(8), [0], [1]))).toBeNull();
    expect(unpadPkcs1v15(em([1, 2], ps(8), [0], [1]))).toBeNull();
    expect(unpadPkcs1v15(em([0, 2], ps(12)))).toBeNull();
    expect(unpadPkcs1v15(em([0, 2]))).toBeNull();
    expect(unpadPkcs1v15(em([0]))).toBeNull();
    expect(unpadPkcs1v15(em([]))).toBeNull();
  });
});
