import { mkdtempSync, readFileSync, statSync } from 'node:fs';
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

  it('keeps its key in a 0600 file beside the database and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrm-key-'));
    const key = loadSecretKey(join(dir, 'scrm.db'), null);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(join(dir, 'scrm.db'), null).equals(key)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(key.toString('base64'));
    const fromEnv = Buffer.alloc(32, 9).toString('base64');
    expect(loadSecretKey(join(dir, 'scrm.db'), fromEnv).equals(Buffer.alloc(32, 9))).toBe(true);
  });
});
