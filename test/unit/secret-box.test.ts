import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretKey } from '../../server/db/secret-box.js';

describe('secret box', () => {
  it('seals so the clear text is not visible, and opens back', () => {
    const box = createSecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('corp-secret-值');
    expect(sealed).not.toContain('corp-secret');
    expect(box.seal('corp-secret-值')).not.toBe(sealed); // fresh IV every time
    expect(box.open(sealed)).toBe('corp-secret-值');
  });

  it('refuses a tampered value and a wrong key', () => {
    const box = createSecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64');
    body[0] = body[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString('base64')].join('.'))).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
    expect(() => box.open('plain-text')).toThrow('not a sealed secret');
  });

  it('keeps its key in a 0600 file in the data folder (created if missing) and reuses it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scrm-key-')), 'data');
    const key = loadSecretKey(dir, null);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, null).equals(key)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(key.toString('base64'));
    const fromEnv = Buffer.alloc(32, 9).toString('base64');
    expect(loadSecretKey(dir, fromEnv).equals(Buffer.alloc(32, 9))).toBe(true);
  });

  it('SECRET_KEY wins and writes no file; an in-memory database gets a throwaway key', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scrm-key-')), 'data');
    expect(loadSecretKey(dir, Buffer.alloc(32, 3).toString('base64')).equals(Buffer.alloc(32, 3))).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(loadSecretKey(':memory:', null).equals(loadSecretKey(':memory:', null))).toBe(false);
  });

  it('refuses a key file that does not hold 32 bytes instead of sealing with a bad key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrm-key-'));
    writeFileSync(join(dir, 'secret.key'), Buffer.alloc(16, 1).toString('base64'));
    expect(() => loadSecretKey(dir, null)).toThrow('does not hold a 32-byte base64 key');
  });
});
