import type { ScriptDoc } from './engine/index.js';

export interface DraftOptions {
  /** OpenAI-compatible API base (`/chat/completions` is appended). */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Aborts the call (the caller's budget). */
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/** A draft longer than this is not a chat reply: dropped. */
const MAX_DRAFT_CHARS = 400;

const SYSTEM_PROMPT =
  '你是企业微信里的销售助手。根据客户最近的消息和公司的参考话术，替销售起草一条回复。' +
  '只使用参考话术里的事实（价格、政策、时间等），不要编造；语气自然简洁，不超过150字。' +
  '称呼客户时写 {客户昵称}，销售自称时写 {员工姓名}。只输出回复正文，不要解释。';

/**
 * One reply drafted by the company's own model from the scripts the engine retrieved, for the rep to read, edit and
 * confirm (it is never sent by itself). The customer's messages and the scripts go to the model; names do not: the
 * model writes placeholders and the server fills them in. Null on any failure, refusal or abort.
 */
export async function draftReply(
  options: DraftOptions,
  input: { messages: readonly string[]; scripts: readonly ScriptDoc[] },
): Promise<string | null> {
  if (input.scripts.length === 0) return null;
  const doFetch = options.fetch ?? fetch;
  const reference = input.scripts.map((s, i) => `${i + 1}. ${s.title}：${(s.content ?? '').slice(0, 300)}`).join('\n');
  try {
    const response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      signal: options.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify({
        model: options.model,
        temperature: 0.3,
        max_tokens: 300,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          {
            role: 'user',
            content:
              `客户消息（从早到晚）：\n${input.messages.map((m) => `- ${m}`).join('\n')}\n\n` +
              `参考话术：\n${reference}`,
          },
        ],
      }),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') return null;
    const text = content
      .replace(/^```[a-z]*\s*|\s*```$/g, '')
      .replace(/^["“「]|["”」]$/g, '')
      .trim();
    if (text === '' || [...text].length > MAX_DRAFT_CHARS) return null;
    return text;
  } catch {
    return null;
  }
}
