import { randomBytes } from 'node:crypto';

/**
 * Identifier shapes copied from WeCom: external_userid `wm…` (32 chars), tag and tag-group ids `et…` (22 chars),
 * customer-group chat ids `wr…`, contact-way config ids (32 hex chars).
 *
 * Runtime ids use crypto randomness, never the seed PRNG: after a restart with a state file, a PRNG would replay
 * the same sequence and collide with ids it already handed out.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URL_SAFE = `${ALNUM}-_`;

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

export const cryptoRandom: Random = () => randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;

export function randomChars(alphabet: string, length: number, random: Random = cryptoRandom): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

export const newExternalUserId = (random?: Random) => `wm${randomChars(URL_SAFE, 30, random)}`;
export const newTagId = (random?: Random) => `et${randomChars(ALNUM, 20, random)}`;
export const newChatId = (random?: Random) => `wr${randomChars(URL_SAFE, 30, random)}`;
export const newConfigId = (random?: Random) => randomChars('0123456789abcdef', 32, random);
export const newMediaId = () => `3${randomChars(URL_SAFE, 43)}`;
export const newMsgId = () => randomChars(ALNUM, 32);
export const newTemplateMsgId = () => `msg${randomChars(ALNUM, 27)}`;

/** Opaque secrets handed to the client: access tokens, tickets, OAuth codes, welcome codes. */
export const newOpaqueToken = (length: number) => randomChars(URL_SAFE, length);
