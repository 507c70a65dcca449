import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { startApp, testConfig } from '../support/app.js';
import { CORP, customersOnlyOf, login, repClient, sql, syncCorp, type RepClient } from '../support/sidebar.js';

/**
 * The optional language model (LLM_BASE_URL + LLM_API_KEY) against a fake OpenAI-compatible endpoint: it reorders
 * the engine's candidates and drafts one reply; slow, failing or nonsensical answers fall back to the engine's own
 * ranking within the budget; nothing is sent when the engine finds nothing to suggest.
 */

type Mode = 'answer' | 'hang' | 'error' | 'nonsense';
let mode: Mode = 'answer';
const received: Array<{ authorization: string | undefined; body: { model: string; messages: { content: string }[] } }> =
  [];
let fake: Server;
let app: App;
let lina: RepClient;
let customer: string;

const DRAFT = '{客户昵称}您好，我们全国包邮，下单后48小时内发货，不用另付运费。';

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  fake = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as (typeof received)[number]['body'];
    received.push({ authorization: req.headers.authorization, body });
    if (mode === 'hang') return; // never answers
    if (mode === 'error') {
      res.writeHead(500).end('{"error":"overloaded"}');
      return;
    }
    const system = body.messages[0]!.content;
    const content = mode === 'nonsense' ? '我觉得都挺好' : system.includes('JSON') ? '{"order":[2,1]}' : DRAFT;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const { port } = fake.address() as { port: number };
  app = await startApp({
    ...testConfig(),
    llm: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'test-llm-key', model: 'company-model', timeoutMs: 1_200 },
  });
  await syncCorp(app);
  await seedSidebar(app);
  lina = repClient(app, await login(app, 'lina'));
  customer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[0]!;
});

afterAll(async () => {
  await app?.close();
  fake?.closeAllConnections();
  await new Promise((resolve) => fake?.close(resolve));
});

interface Answer {
  items: { scriptId: number; rank: number }[];
  reranked: boolean;
  draft: { text: string; scriptIds: number[]; requiresConfirmation: true } | null;
}

async function ask(...messages: string[]): Promise<{ answer: Answer; ms: number }> {
  const started = Date.now();
  const res = await lina.post(`/api/customers/${customer}/suggestions`, { messages });
  expect(res.statusCode, res.body).toBe(200);
  return { answer: res.json() as Answer, ms: Date.now() - started };
}

describe('with the company language model', () => {
  let plain: number[];

  it('a failing model leaves the engine ranking, without a draft', async () => {
    mode = 'error';
    const { answer } = await ask('运费多少');
    expect(answer.reranked).toBe(false);
    expect(answer.draft).toBeNull();
    expect(answer.items.length).toBeGreaterThanOrEqual(2);
    plain = answer.items.map((s) => s.scriptId);
  });

  it('reorders the candidates and drafts a reply for the rep to confirm; names stay on the server', async () => {
    mode = 'answer';
    received.length = 0;
    const { answer } = await ask('运费多少');
    expect(answer.reranked).toBe(true);
    expect(answer.items.map((s) => s.scriptId).slice(0, 2)).toEqual([plain[1], plain[0]]);
    expect(answer.items.map((s) => s.rank)).toEqual(answer.items.map((_, i) => i + 1));
    const [contact] = await sql<{ name: string }>(
      app,
      'SELECT name FROM contacts WHERE corp_id = ? AND external_user_id = ?',
      CORP,
      customer,
    );
    expect(answer.draft).toEqual({
      text: DRAFT.replace('{客户昵称}', contact!.name),
      scriptIds: expect.arrayContaining([plain[0]]) as number[],
      requiresConfirmation: true,
    });

    // Two calls (rerank, draft), with the configured key and model; the customer's words go, their name does not.
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(r.authorization).toBe('Bearer test-llm-key');
      expect(r.body.model).toBe('company-model');
      const text = JSON.stringify(r.body);
      expect(text).toContain('运费多少');
      expect(text).not.toContain(contact!.name);
      expect(text).not.toContain(customer);
    }
  });

  it('a model that does not answer in time: the plain ranking within 1.5 s', async () => {
    mode = 'hang';
    const { answer, ms } = await ask('能退货吗');
    expect(ms).toBeLessThan(1_500);
    expect(answer.reranked).toBe(false);
    expect(answer.draft).toBeNull();
    mode = 'error';
    const { answer: reference } = await ask('能退货吗');
    expect(answer.items).toEqual(reference.items);
  });

  it('an answer that is no ranking is ignored', async () => {
    mode = 'nonsense';
    const { answer } = await ask('运费多少');
    expect(answer.reranked).toBe(false);
    expect(answer.items.map((s) => s.scriptId)).toEqual(plain);
  });

  it('nothing is sent to the model when there is nothing to suggest', async () => {
    mode = 'answer';
    received.length = 0;
    for (const m of ['谢谢', '你好', '好的']) expect((await ask(m)).answer).toMatchObject({ items: [], draft: null });
    expect(received).toEqual([]);
  });
});
