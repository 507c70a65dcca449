import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArchiveEnv } from '../../../server/archive/config.js';
import { loadArchivePrivateKeys, PrivateKeysError } from '../../../server/archive/private-keys.js';

const pkcs1 = (bits = 2048) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const pkcs8 = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

function problemsOf(value: string): string[] {
  try {
    loadArchivePrivateKeys(value);
  } catch (err) {
    if (err instanceof PrivateKeysError) return err.problems;
    throw err;
  }
  return [];
}

describe('WECOM_ARCHIVE_PRIVATE_KEYS', () => {
  const v1 = pkcs1();
  const v2 = pkcs8();

  it('reads a directory of <publickey_ver>.pem files (PKCS#1 and PKCS#8), ignoring other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-keys-'));
    writeFileSync(join(dir, '1.pem'), v1);
    writeFileSync(join(dir, '12.pem'), v2);
    writeFileSync(join(dir, 'README.txt'), 'keys of the archive');
    writeFileSync(join(dir, 'backup.pem.bak'), 'old');
    const keys = loadArchivePrivateKeys(dir);
    expect([...keys.keys()]).toEqual([1, 12]);
    expect(keys.get(1)).toBe(v1);
    expect(keys.get(12)).toBe(v2);
  });

  it('reads a JSON object of version → PEM', () => {
    const keys = loadArchivePrivateKeys(JSON.stringify({ 3: v2, 1: v1 }));
    expect([...keys.keys()]).toEqual([1, 3]);
  });

  it('lists every problem: bad versions, unreadable PEM, wrong size or type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const problems = problemsOf(JSON.stringify({ v1: v1, 0: v1, 2: 'not a key', 3: pkcs1(1024), 4: ec, 5: 7 }));
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/"v1" is not a publickey_ver/);
    expect(problems.join('\n')).toMatch(/"0" is not a publickey_ver/);
    expect(problems.join('\n')).toMatch(/version 2: not a readable unencrypted PEM private key/);
    expect(problems.join('\n')).toMatch(/version 3: is RSA-1024, WeCom requires RSA-2048/);
    expect(problems.join('\n')).toMatch(/version 4: is not RSA \(ec\), WeCom uses RSA/);
    expect(problems.join('\n')).toMatch(/version 5: the key must be a PEM string/);
  });

  it('refuses an empty directory, a missing path, malformed JSON and an empty value', () => {
    const empty = mkdtempSync(join(tmpdir(), 'archive-keys-'));
    mkdirSync(join(empty, '1.pem.d'));
    expect(problemsOf(empty)).toEqual([`${empty} holds no <publickey_ver>.pem file (e.g. 1.pem)`]);
    expect(problemsOf(join(empty, 'missing'))[0]).toMatch(/neither a JSON object nor a readable directory \(ENOENT\)/);
    expect(problemsOf('{"1": ')).toEqual(['the value starts with { but is not valid JSON']);
    expect(problemsOf('[1]')[0]).toMatch(/neither a JSON object nor a readable directory/);
    expect(problemsOf('  ')).toEqual(['the value is empty']);
  });
});

describe('the archive environment', () => {
  it('is off when none of the three is set', () => {
    expect(parseArchiveEnv({})).toEqual({ config: null, problems: [] });
  });

  it('needs all three together, and a library file that exists', () => {
    const { config, problems } = parseArchiveEnv({
      WECOM_ARCHIVE_SECRET: 's',
      WECOM_FINANCE_SDK_PATH: '/nonexistent.so',
    });
    expect(config).toBeNull();
    expect(problems).toEqual([
      'WECOM_ARCHIVE_PRIVATE_KEYS is required with WECOM_FINANCE_SDK_PATH, WECOM_ARCHIVE_SECRET',
      'WECOM_FINANCE_SDK_PATH /nonexistent.so does not exist',
    ]);
  });

  it('parses a complete configuration, and reports key problems under the variable’s name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-env-'));
    const sdk = join(dir, 'libWeWorkFinanceSdk_C.so');
    writeFileSync(sdk, '');
    const good = parseArchiveEnv({
      WECOM_FINANCE_SDK_PATH: sdk,
      WECOM_ARCHIVE_SECRET: ' secret ',
      WECOM_ARCHIVE_PRIVATE_KEYS: JSON.stringify({ 1: pkcs1() }),
    });
    expect(good.problems).toEqual([]);
    expect(good.config?.secret).toBe('secret');
    expect([...(good.config?.privateKeys.keys() ?? [])]).toEqual([1]);
    const bad = parseArchiveEnv({
      WECOM_FINANCE_SDK_PATH: sdk,
      WECOM_ARCHIVE_SECRET: 'secret',
      WECOM_ARCHIVE_PRIVATE_KEYS: '{"1": "x"}',
    });
    expect(bad.config).toBeNull();
    expect(bad.problems[0]).toMatch(/^WECOM_ARCHIVE_PRIVATE_KEYS: version 1: not a readable/);
  });
});
