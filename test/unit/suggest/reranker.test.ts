import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLlmReranker,
  createSuggestionEngine,
  rerankerFromEnv,
  suggestWithReranker,
} from '../../../server/modules/suggest/engine/index.js';
import { parseOrder } from '../../../server/modules/suggest/engine/llm-reranker.js';
import { LIBRARY, NOW } from './library.js';

/** A fake OpenAI-compatible endpoint: answers what `reply` says, records what it was asked. */
let reply: (body: { messages: { role: string; content: string }[] }) => {
  status?: number;
  content?: string;
  hang?: boolean;
};
const requests: { auth?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
let server: Server;
let baseUrl: string;

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    requests.push({ auth: req.headers.authorization, body });
    const answer = reply(body);
    if (answer.hang) return; // never answers: the client's timeout must end the call
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer.content ?? '' } }] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const engine = createSuggestionEngine({ scripts: LIBRARY });
const input = { messages: ['扫地机器人能拖地吗', '运费怎么算'], now: NOW };

describe('LLM reranker (optional, behind an interface)', () => {
  it('reorders the engine’s candidates as the model says, asking with the key and the candidates', async () => {
    const own = engine.suggest({ ...input, limit: 8 });
    expect(own.length).toBeGreaterThan(1);
    const wanted = own[1]!.scriptId;
    reply = (body) => {
      const user = body.messages.find((m) => m.role === 'user')!.content;
      const line = user.split('\n').find((l) => l.includes(engine.script(wanted)!.title))!;
      return { content: `好的：{"order":[${line.split('.')[0]}]}` };
    };
    const reranker = createLlmReranker({ baseUrl, apiKey: 'k-123', model: 'test-model' });
    const out = await suggestWithReranker(engine, reranker, input);
    expect(out.map((s) => s.scriptId)).toEqual([wanted]);
    const last = requests[requests.length - 1]!;
    expect(last.auth).toBe('Bearer k-123');
    expect(last.body.model).toBe('test-model');
    expect(last.body.messages[1]!.content).toContain('运费怎么算');
  });

  it('lets the model say that nothing fits', async () => {
    reply = () => ({ content: '{"order":[]}' });
    const out = await suggestWithReranker(engine, createLlmReranker({ baseUrl, apiKey: 'k' }), input);
    expect(out).toEqual([]);
  });

  it('falls back to the engine’s own order on an error, nonsense, or no answer in time', async () => {
    const own = engine.suggest({ ...input, limit: 3 });
    for (const answer of [
      { status: 500, content: '' },
      { content: 'I think the second one' },
      { content: '{"order":[99]}' },
      { hang: true },
    ]) {
      reply = () => answer;
      const reranker = createLlmReranker({ baseUrl, apiKey: 'k', timeoutMs: 200 });
      expect(await suggestWithReranker(engine, reranker, input), JSON.stringify(answer)).toEqual(own);
    }
  });

  it('never asks the model when the engine abstains, and is off without LLM_BASE_URL / LLM_API_KEY', async () => {
    const before = requests.length;
    reply = () => ({ content: '{"order":[1]}' });
    expect(
      await suggestWithReranker(engine, createLlmReranker({ baseUrl, apiKey: 'k' }), { messages: ['谢谢'] }),
    ).toEqual([]);
    expect(requests.length).toBe(before);
    expect(rerankerFromEnv({})).toBeNull();
    expect(rerankerFromEnv({ LLM_BASE_URL: baseUrl })).toBeNull();
    expect(rerankerFromEnv({ LLM_BASE_URL: baseUrl, LLM_API_KEY: 'k' })).not.toBeNull();
  });

  it('reads the order from a fenced or wordy answer and rejects out-of-range numbers', () => {
    expect(parseOrder('```json\n{"order":[2,1,2]}\n```', 3)).toEqual([1, 0]);
    expect(parseOrder('{"order":[0]}', 3)).toBeNull();
    expect(parseOrder('{"order":"1"}', 3)).toBeNull();
    expect(parseOrder('no json', 3)).toBeNull();
  });
});
