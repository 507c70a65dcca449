import { createHash } from 'node:crypto';

/**
 * What a suggestion's `feedbackKey` carries: which customer message it answered, which script, at which rank and
 * score. Opaque to the sidebar (base64url JSON), so reporting an outcome is one field; the server checks it against
 * the signed-in rep (their customer, a live script) before recording anything, so a forged key can only describe a
 * suggestion that rep could have been shown.
 */
export interface FeedbackRef {
  /** The customer (external user id). */
  customer: string;
  /** `m:<messages.id>` for a message of the chat, `t:<hash>` for text the sidebar passed. */
  messageKey: string;
  messageId: number | null;
  /** The customer's message (cut to MAX_MESSAGE_CHARS). */
  message: string;
  scriptId: number;
  rank: number;
  /** The score in thousandths (0..1000). */
  scorePermille: number;
}

const MAX_MESSAGE_CHARS = 200;

/** The message key of a customer message: its row id when it has one, else a hash of who said what. */
export function messageKeyOf(message: { id: number | null; text: string }, customer: string): string {
  if (message.id !== null) return `m:${message.id}`;
  return `t:${createHash('sha256').update(`${customer}\u0000${message.text}`).digest('base64url').slice(0, 22)}`;
}

export function encodeFeedbackKey(ref: FeedbackRef): string {
  const compact = {
    c: ref.customer,
    k: ref.messageKey,
    i: ref.messageId,
    x: [...ref.message].slice(0, MAX_MESSAGE_CHARS).join(''),
    s: ref.scriptId,
    r: ref.rank,
    p: ref.scorePermille,
  };
  return Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url');
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The key's content, or null when it is not a key this server made (malformed, wrong types, out of range). */
export function decodeFeedbackKey(key: string): FeedbackRef | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.c !== 'string' || v.c.length === 0 || v.c.length > 128) return null;
  if (typeof v.k !== 'string' || !/^(m:\d{1,15}|t:[A-Za-z0-9_-]{22})$/.test(v.k)) return null;
  if (!(v.i === null || isInt(v.i, 1, Number.MAX_SAFE_INTEGER))) return null;
  if ((v.i === null) !== v.k.startsWith('t:') || (v.i !== null && v.k !== `m:${v.i}`)) return null;
  if (typeof v.x !== 'string' || [...v.x].length > MAX_MESSAGE_CHARS) return null;
  if (!isInt(v.s, 1, 2 ** 31 - 1) || !isInt(v.r, 1, 10) || !isInt(v.p, 0, 1000)) return null;
  return {
    customer: v.c,
    messageKey: v.k,
    messageId: v.i,
    message: v.x,
    scriptId: v.s,
    rank: v.r,
    scorePermille: v.p,
  };
}
