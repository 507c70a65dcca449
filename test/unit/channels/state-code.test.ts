import { describe, expect, it } from 'vitest';
import { generateState, MAX_STATE_LENGTH, stateProblem } from '../../../server/modules/channels/state-code.js';

describe('generateState', () => {
  it("is ch + 10 base62 characters, within WeCom's 30", () => {
    for (let i = 0; i < 200; i++) {
      const s = generateState();
      expect(s).toMatch(/^ch[0-9A-Za-z]{10}$/);
      expect(s.length).toBeLessThanOrEqual(MAX_STATE_LENGTH);
      expect(stateProblem(s)).toBeNull();
    }
  });

  it('does not repeat', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => generateState()));
    expect(seen.size).toBe(5000);
  });

  it('skips biased bytes so every character is equally likely', () => {
    // Bytes 248..255 would favour the first 8 characters; they are dropped.
    const bytes = [255, 250, 248, 0, 61, 62, 247, 1, 2, 3, 4, 5, 6];
    let i = 0;
    const random = (size: number) => Buffer.from(Array.from({ length: size }, () => bytes[i++ % bytes.length]!));
    expect(generateState(random)).toBe('ch0z0z123456');
  });
});

describe('stateProblem', () => {
  it('accepts letters, digits, _ and - up to 30 characters', () => {
    expect(stateProblem('poster_2024-A')).toBeNull();
    expect(stateProblem('a'.repeat(30))).toBeNull();
  });

  it('rejects empty, too long and unsafe states', () => {
    expect(stateProblem('')).not.toBeNull();
    expect(stateProblem('a'.repeat(31))).toContain('30');
    for (const bad of ['has space', '中文', 'a/b', 'a&b=c', 'x\n']) expect(stateProblem(bad)).not.toBeNull();
  });
});
