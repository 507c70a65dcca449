import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { DEMO_CORP } from '../../server/emulator/index.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, DEMO_CORP);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the language model settings (LLM_*)', () => {
  it('are off by default: nothing leaves the server', () => {
    expect(loadConfig({}, DEMO_CORP).llm).toBeNull();
    expect(loadConfig({ LLM_MODEL: 'qwen-max', LLM_TIMEOUT_MS: '800' }, DEMO_CORP).llm).toBeNull();
  });

  it('need both the base URL and the key', () => {
    const config = loadConfig({ LLM_BASE_URL: 'https://llm.example.com/v1/', LLM_API_KEY: ' sk-123 ' }, DEMO_CORP);
    expect(config.llm).toEqual({
      baseUrl: 'https://llm.example.com/v1',
      apiKey: 'sk-123',
      model: 'gpt-4o-mini',
      timeoutMs: 1_200,
    });
    expect(Object.isFrozen(config.llm)).toBe(true);
    expect(
      loadConfig(
        { LLM_BASE_URL: 'http://10.0.0.5:8000/v1', LLM_API_KEY: 'k', LLM_MODEL: 'qwen2.5-7b', LLM_TIMEOUT_MS: '900' },
        DEMO_CORP,
      ).llm,
    ).toMatchObject({ model: 'qwen2.5-7b', timeoutMs: 900 });
    expect(problemsOf({ LLM_BASE_URL: 'https://llm.example.com/v1' })).toEqual([
      'LLM_BASE_URL is set but LLM_API_KEY is not (set both to use a language model)',
    ]);
    expect(problemsOf({ LLM_API_KEY: 'sk-123' })).toEqual([
      'LLM_API_KEY is set but LLM_BASE_URL is not (set both to use a language model)',
    ]);
  });

  it('refuse a base URL that is not http(s) and a budget past 1.4 s, listing every problem', () => {
    expect(problemsOf({ LLM_BASE_URL: 'ftp://llm', LLM_API_KEY: 'k', LLM_TIMEOUT_MS: '5000' })).toEqual([
      'LLM_TIMEOUT_MS must be a whole number of milliseconds between 100 and 1400 (got "5000")',
      'LLM_BASE_URL must be an absolute http(s) URL (got "ftp://llm")',
    ]);
  });
});
