import type { SuggestionEngine } from './engine.js';
import type { ScriptDoc, Suggestion, SuggestInput } from './types.js';

/**
 * An optional second opinion on the engine's candidates: reorders them (or drops them all) for the customer's
 * messages. The engine's own order is always the fallback, so a reranker that fails, is slow or answers nonsense
 * changes nothing.
 */
export interface Reranker {
  /** Script ids, best first, chosen among the candidates ([] = none fits); null = no opinion (use the engine's). */
  rerank(input: { messages: readonly string[]; candidates: readonly ScriptDoc[] }): Promise<string[] | null>;
}

export interface LlmRerankerOptions {
  /** OpenAI-compatible API base, e.g. https://api.example.com/v1 (`/chat/completions` is appended). */
  baseUrl: string;
  apiKey: string;
  model?: string;
  /** Whole-call budget; past it the engine's order is used (default 1,500 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const SYSTEM_PROMPT =
  '你是企业微信客服助手。根据客户最近的消息，从候选话术中选出适合销售直接发送的回复，按合适程度排序。' +
  '客户只是寒暄、道谢、确认或闲聊时，不选任何话术。只回答 JSON：{"order":[候选编号…]}，不合适的编号不要列出。';

function candidateText(doc: ScriptDoc, i: number): string {
  const content = (doc.content ?? '').slice(0, 200);
  return `${i + 1}. [${doc.group ?? ''}] ${doc.title}：${content}`;
}

/** Reads `{"order":[…]}` from a model's answer (tolerating text or a code fence around it). */
export function parseOrder(answer: string, count: number): number[] | null {
  const match = answer.match(/\{[\s\S]*\}/);
  if (!match) return null;
  try {
    const value: unknown = JSON.parse(match[0]);
    if (typeof value !== 'object' || value === null || !Array.isArray((value as { order?: unknown }).order)) {
      return null;
    }
    const order = (value as { order: unknown[] }).order;
    const picked: number[] = [];
    for (const n of order) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > count) return null;
      if (!picked.includes(n - 1)) picked.push(n - 1);
    }
    return picked;
  } catch {
    return null;
  }
}

/** A reranker on an OpenAI-compatible chat-completions endpoint (`LLM_BASE_URL`, `LLM_API_KEY`). */
export function createLlmReranker(options: LlmRerankerOptions): Reranker {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const timeoutMs = options.timeoutMs ?? 1_500;
  return {
    async rerank({ messages, candidates }) {
      if (candidates.length === 0) return null;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await doFetch(url, {
          method: 'POST',
          signal: controller.signal,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
          body: JSON.stringify({
            model: options.model ?? 'gpt-4o-mini',
            temperature: 0,
            max_tokens: 60,
            messages: [
              { role: 'system', content: SYSTEM_PROMPT },
              {
                role: 'user',
                content:
                  `客户消息（从早到晚）：\n${messages.map((m) => `- ${m}`).join('\n')}\n\n` +
                  `候选话术：\n${candidates.map(candidateText).join('\n')}`,
              },
            ],
          }),
        });
        if (!response.ok) return null;
        const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
        const content = body.choices?.[0]?.message?.content;
        if (typeof content !== 'string') return null;
        const order = parseOrder(content, candidates.length);
        return order ? order.map((i) => candidates[i]!.id) : null;
      } catch {
        return null;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The reranker configured by the environment, or null when `LLM_BASE_URL` or `LLM_API_KEY` is unset. */
export function rerankerFromEnv(env: Record<string, string | undefined>): Reranker | null {
  if (!env.LLM_BASE_URL || !env.LLM_API_KEY) return null;
  return createLlmReranker({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL });
}

/**
 * Suggestions with a second opinion: the engine proposes up to `candidates` (8) scripts — it alone decides whether
 * anything fits — and the reranker reorders or empties that list. Whatever goes wrong, the engine's own top
 * `limit` come back.
 */
export async function suggestWithReranker(
  engine: SuggestionEngine,
  reranker: Reranker | null,
  input: SuggestInput & { candidates?: number },
): Promise<Suggestion[]> {
  const limit = input.limit ?? 3;
  const proposed = engine.suggest({ ...input, limit: Math.max(limit, input.candidates ?? 8) });
  if (!reranker || proposed.length === 0) return proposed.slice(0, limit);
  const docs = proposed.map((s) => engine.script(s.scriptId)).filter((d): d is ScriptDoc => d !== undefined);
  const order = await reranker.rerank({ messages: input.messages, candidates: docs });
  if (order === null) return proposed.slice(0, limit);
  const byId = new Map(proposed.map((s) => [s.scriptId, s]));
  return order
    .map((id) => byId.get(id))
    .filter((s): s is Suggestion => s !== undefined)
    .slice(0, limit);
}
