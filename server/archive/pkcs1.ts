import { constants, privateDecrypt, type KeyObject } from 'node:crypto';

/**
 * RSA PKCS#1 v1.5 decryption (RFC 8017 §7.2.2) of the archive's random keys.
 *
 * Node 20 refuses `privateDecrypt` with RSA_PKCS1_PADDING (CVE-2023-46809, wecom-protocol.md §6.4), so the RSA
 * operation is done raw (RSA_NO_PADDING: EM = c^d mod n, left-padded to k bytes) and the encoding
 * EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M is checked here. The check looks at every byte with the
 * same operations whatever their values, and reports a single yes/no at the end, so its time does not say where
 * the encoding went wrong (the Bleichenbacher oracle the Node change is about). A wrong private key produces a
 * random EM, which fails the check (a false accept has a probability below 2^-16, and the random key that would
 * come out is then rejected by its length and by DecryptData).
 */

const MIN_PS_LENGTH = 8;

/** 1 when a === b, else 0, for bytes; no branch. */
function eqByte(a: number, b: number): number {
  return (((a ^ b) - 1) >>> 31) & 1;
}

/** 1 when a >= b, else 0, for small non-negative integers; no branch. */
function geInt(a: number, b: number): number {
  return ((a - b) >>> 31) ^ 1;
}

/** The message M of a PKCS#1 v1.5 encryption block EM (type 2), or null when EM is not one. */
export function unpadPkcs1v15(em: Uint8Array): Buffer | null {
  const k = em.length;
  let good = eqByte(em[0] ?? 1, 0x00) & eqByte(em[1] ?? 0, 0x02);
  let separator = 0;
  let searching = 1;
  for (let i = 2; i < k; i++) {
    const isZero = eqByte(em[i] as number, 0x00);
    const found = searching & isZero;
    // separator = found ? i : separator, without branching on the byte.
    separator = (separator & (found - 1)) | (i & -found);
    searching &= isZero ^ 1;
  }
  good &= searching ^ 1;
  good &= geInt(separator, 2 + MIN_PS_LENGTH);
  if (good !== 1) return null;
  return Buffer.from(em.subarray(separator + 1));
}

/** RSA PKCS#1 v1.5 decryption with a private key; null when the ciphertext does not decrypt to a valid block. */
export function rsaDecryptPkcs1v15(privateKey: KeyObject, ciphertext: Uint8Array): Buffer | null {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength;
  if (privateKey.asymmetricKeyType !== 'rsa' || !bits) throw new TypeError('an RSA private key is required');
  const k = Math.ceil(bits / 8);
  // RFC 8017 §7.2.2 step 1: the ciphertext is exactly k bytes.
  if (ciphertext.length !== k) return null;
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    // c ≥ n ("data too large for modulus").
    return null;
  }
  return em.length === k ? unpadPkcs1v15(em) : null;
}
