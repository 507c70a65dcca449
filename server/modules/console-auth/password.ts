import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { BadRequestError } from '../../errors.js';

/**
 * Local console passwords: scrypt (Node's crypto) with a random 16-byte salt per password, stored as
 * `scrypt$N$r$p$salt$hash` so the cost can be raised later without invalidating stored hashes.
 */

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and some 100 ms per check on a small server (OWASP's minimum is twice the work:
 * p = 3 at this N), so a burst of sign-ins neither exhausts memory nor queues for seconds; the parameters are stored
 * with each hash, so raising them later keeps old hashes valid.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** A stored hash of a password nobody has: checked against when the username is unknown, so timing tells nothing. */
let dummyHash: Promise<string> | null = null;

/**
 * True when `password` matches `stored`; compared in constant time. A missing or malformed hash is checked against
 * a dummy hash, so an unknown user costs as much time as a known one.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    dummyHash ??= hashPassword(randomBytes(12).toString('base64'));
    await verifyPassword(password, await dummyHash);
    return false;
  }
  const [, n, r, p, saltB64, keyB64] = parts;
  const expected = Buffer.from(keyB64!, 'base64');
  const key = await derive(password, Buffer.from(saltB64!, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Passwords seen in every breach list: refused whatever their length. */
const COMMON = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '1qaz2wsx3edc',
  '1q2w3e4r5t',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  'password1',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'admin12345',
  'admin123456',
  'administrator',
  'iloveyou123',
  'abc1234567',
  'abcd123456',
  'a1234567890',
  'aa123456789',
  'woaini1314',
  'woaini520',
  'zxcvbnm123',
  'asdfghjkl1',
  'welcome123',
  'changeme123',
  'letmein123',
  'p@ssw0rd123',
  'p@ssword123',
]);

/**
 * The password rules (400 naming `field`): 10–128 characters; letters and at least one digit or symbol; not
 * containing the username; not a commonly used password.
 */
export function checkPasswordRules(password: string, username: string | null, field: string): void {
  if ([...password].length < 10) throw new BadRequestError('密码至少 10 个字符', field);
  if ([...password].length > 128) throw new BadRequestError('密码最多 128 个字符', field);
  if (/[\p{Cc}]/u.test(password)) throw new BadRequestError('密码不能包含控制字符', field);
  const letters = /\p{L}/u.test(password);
  const others = /[^\p{L}]/u.test(password);
  if (!letters || !others) throw new BadRequestError('密码需同时包含字母和数字（或符号）', field);
  const lower = password.toLowerCase();
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) {
    throw new BadRequestError('密码不能包含用户名', field);
  }
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) throw new BadRequestError('密码过于常见，请换一个', field);
}

/** A password that meets the rules (the demo's admin, generated accounts): 16 characters of base64url + a digit. */
export function generatePassword(): string {
  for (;;) {
    const candidate = `${randomBytes(12).toString('base64url')}${randomBytes(1)[0]! % 10}`;
    if (/[A-Za-z]/.test(candidate)) return candidate;
  }
}
