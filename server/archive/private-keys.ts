import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The archive's RSA private keys by `publickey_ver`. Every version ever uploaded must stay: a message is
 * encrypted for the key that was current when it was sent (wecom-protocol.md §6.1).
 *
 * `WECOM_ARCHIVE_PRIVATE_KEYS` is either
 * - a directory holding one PEM file per version, named `<publickey_ver>.pem` (`1.pem`, `2.pem`, …; other files
 *   are ignored), or
 * - a JSON object `{"1": "-----BEGIN RSA PRIVATE KEY-----\n…", "2": "…"}`.
 * Keys are unencrypted PEM, PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`), RSA-2048 as WeCom
 * requires.
 */

export const ARCHIVE_KEY_BITS = 2048;
const VERSION_FILE = /^([1-9]\d{0,8})\.pem$/;
const VERSION = /^[1-9]\d{0,8}$/;

export class PrivateKeysError extends Error {
  constructor(readonly problems: string[]) {
    super(`archive private keys: ${problems.join('; ')}`);
    this.name = 'PrivateKeysError';
  }
}

/** Parses one PEM into an RSA-2048 private key; a problem description otherwise. */
export function parseArchivePrivateKey(pem: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `not a readable unencrypted PEM private key (${reason})`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `is not RSA (${key.asymmetricKeyType}), WeCom uses RSA`;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== ARCHIVE_KEY_BITS) return `is RSA-${bits}, WeCom requires RSA-${ARCHIVE_KEY_BITS}`;
  return key;
}

/**
 * Reads the keys from the value of WECOM_ARCHIVE_PRIVATE_KEYS (a directory or JSON, see above). Returns
 * version → PEM, each checked; throws PrivateKeysError listing every problem.
 */
export function loadArchivePrivateKeys(value: string): Map<number, string> {
  const problems: string[] = [];
  const pems = new Map<number, string>();
  const trimmed = value.trim();
  if (trimmed === '') throw new PrivateKeysError(['the value is empty']);

  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new PrivateKeysError(['the value starts with { but is not valid JSON']);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new PrivateKeysError(['the JSON must be an object {"<publickey_ver>": "<PEM>"}']);
    for (const [version, pem] of Object.entries(parsed)) {
      if (!VERSION.test(version)) problems.push(`"${version}" is not a publickey_ver (a positive integer)`);
      else if (typeof pem !== 'string') problems.push(`version ${version}: the key must be a PEM string`);
      else pems.set(Number(version), pem);
    }
  } else {
    let names: string[];
    try {
      if (!statSync(trimmed).isDirectory()) throw new Error('not a directory');
      names = readdirSync(trimmed);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new PrivateKeysError([`${trimmed} is neither a JSON object nor a readable directory (${reason})`]);
    }
    for (const name of names.sort()) {
      const match = VERSION_FILE.exec(name);
      if (!match) continue;
      try {
        pems.set(Number(match[1]), readFileSync(join(trimmed, name), 'utf8'));
      } catch (err) {
        problems.push(`${name}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
    if (pems.size === 0 && problems.length === 0)
      problems.push(`${trimmed} holds no <publickey_ver>.pem file (e.g. 1.pem)`);
  }

  for (const [version, pem] of pems) {
    const key = parseArchivePrivateKey(pem);
    if (typeof key === 'string') problems.push(`version ${version}: ${key}`);
  }
  if (problems.length > 0) throw new PrivateKeysError(problems);
  return new Map([...pems].sort((a, b) => a[0] - b[0]));
}
