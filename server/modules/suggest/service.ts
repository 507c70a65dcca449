import type { FastifyBaseLogger } from 'fastify';
import type { SuggestionList } from '../../../shared/schemas/suggestions.js';
import type { LlmSettings } from '../../config.js';
import type { Database, Executor } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { SessionUser } from '../auth/session-service.js';
import { renderWelcomeText } from '../welcome/template.js';
import type { ChatReader } from './chat.js';
import { draftReply } from './draft.js';
import {
  analyze,
  createLlmReranker,
  createSuggestionEngine,
  normalizeText,
  type ScriptDoc,
  type Suggestion,
  type SuggestionEngine,
} from './engine/index.js';
import type { CorpEngine, EngineCache } from './engines.js';
import { decodeFeedbackKey, encodeFeedbackKey, messageKeyOf, type FeedbackRef } from './feedback-key.js';
import { FULL_WEIGHT_PPM, type LiveScript, type SuggestionOutcome, type SuggestRepo } from './repo.js';
import { scriptDoc } from './script-doc.js';

/** Earlier customer messages count as context when sent at most this long before the one answered. */
const CONTEXT_WINDOW_MS = 30 * 60_000;
/** The answered message and up to three before it. */
const CONTEXT_MESSAGES = 4;
/** A send (or a typed reply) answers the customer's latest message if that came at most this long before. */
export const LEARN_WINDOW_MS = 24 * 3_600_000;
/** Suggestions shown; candidates a language model may reorder. */
const SHOWN = 3;
const MODEL_CANDIDATES = 8;
/** Answers kept per corp and version (the sidebar asks again for the same message often). */
const RESULT_CACHE = 256;
/** Search: at most this many engine hits, and none scoring under this share of the best. */
const SEARCH_CAP = 60;
const SEARCH_FLOOR = 0.1;
/** A typed reply is that script when their character bigrams agree this much (Dice), and it is this long. */
const ARCHIVE_MATCH = 0.8;
const ARCHIVE_MIN_CHARS = 6;
/** An edited suggestion teaches at half weight: the script was the right basis, not the reply as sent. */
const EDITED_WEIGHT_PPM = FULL_WEIGHT_PPM / 2;

export type PairSource = 'sent' | 'suggestion' | 'archive';

/** What answering cost the engine (0 when the answer was computed before). */
export interface EngineTime {
  ms: number;
  cpuMs: number;
}

/** A customer message to answer or learn from: a row of the chat tables (id) or text the sidebar passed. */
interface CustomerText {
  id: number | null;
  text: string;
  sentAt: number | null;
}

/** A script send, as the scripts module reports it inside its transaction. */
export interface ScriptSent {
  corpId: string;
  userId: string;
  externalUserId: string;
  scriptId: number;
  sendId: number;
  sentAt: number;
  /** The customer's message as the sidebar saw it (used when the chat tables have none). */
  customerMessage?: string;
  /** Sent from a suggestion: the key its answer carried. */
  feedbackKey?: string;
}

/** What the scripts module tells the suggestions, in its own transactions (server/modules/scripts/service.ts). */
export interface ScriptHooks {
  /** A script was created (`before` null) or edited. */
  changed(tx: Executor, corpId: string, scriptId: number, before: LiveScript | null): Promise<void>;
  removed(tx: Executor, corpId: string, scriptId: number): Promise<void>;
  /** A group was renamed: its scripts' group field changed. */
  groupChanged(tx: Executor, corpId: string, groupId: number): Promise<void>;
  sent(tx: Executor, send: ScriptSent): Promise<void>;
}

/** The engine's factor for an edit from `before` to `after` (what it would apply to the script's learning). */
function learnedFactorOf(before: ScriptDoc, after: ScriptDoc): number {
  return createSuggestionEngine({ scripts: [before] }).upsertScript(after).learnedFactor;
}

function bigrams(text: string): Set<string> {
  const chars = [...normalizeText(text).replace(/[\s\p{P}\p{S}]+/gu, '')];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size + b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** The script a rep's typed reply reproduces (closely enough to have been pasted or retyped), if any. */
export function scriptReproduced(engine: SuggestionEngine, reply: string): string | null {
  if ([...normalizeText(reply).replace(/\s+/g, '')].length < ARCHIVE_MIN_CHARS) return null;
  const typed = bigrams(reply);
  let best: { id: string; similarity: number } | null = null;
  for (const hit of engine.search(reply, 5)) {
    const doc = engine.script(hit.scriptId);
    if (!doc?.content) continue;
    const similarity = dice(typed, bigrams(doc.content));
    if (similarity >= ARCHIVE_MATCH && (!best || similarity > best.similarity)) best = { id: hit.scriptId, similarity };
  }
  return best?.id ?? null;
}

/**
 * Suggested replies: answers for the rep sidebar, feedback, learning from sends (and from the archive), the ranked
 * script search. The engines live in `engines` (one per corp, this instance); everything they learn is stored
 * first, in the transaction that teaches it, and reaches every instance's engine through the corp's version.
 */
export function createSuggestService(deps: {
  db: Database;
  repo: SuggestRepo;
  engines: EngineCache;
  /** The chat tables; null while the chat archive is not part of the app (suggestions then need the POST form). */
  chat: ChatReader | null;
  requireFollower: (user: SessionUser, externalUserId: string) => Promise<unknown>;
  names: {
    customer(corpId: string, externalUserId: string): Promise<string>;
    rep(corpId: string, userId: string): Promise<string>;
  };
  llm: LlmSettings | null;
  /** The language model's HTTP client (tests); the global fetch otherwise. */
  fetch?: typeof fetch;
  now: () => number;
  log: FastifyBaseLogger;
}) {
  const { db, repo, engines, chat } = deps;

  /** Stores a pair (unless this message already taught this script) and moves the corp's version. */
  async function learn(
    tx: Executor,
    pair: {
      corpId: string;
      userId: string | null;
      externalUserId: string;
      message: { id: number | null; text: string };
      scriptId: number;
      at: number;
      source: PairSource;
      weightPpm?: number;
    },
  ): Promise<boolean> {
    if (analyze(pair.message.text, { query: true }).intentless) return false;
    const sourceKey = `reply:${messageKeyOf(pair.message, pair.externalUserId)}:${pair.scriptId}`;
    if (await repo.hasPair(tx, pair.corpId, sourceKey)) return false;
    const version = await repo.bump(tx, pair.corpId, pair.at);
    const stored = await repo.insertPair(tx, {
      corpId: pair.corpId,
      version,
      message: pair.message.text,
      messageId: pair.message.id,
      scriptId: pair.scriptId,
      at: pair.at,
      weightPpm: pair.weightPpm ?? FULL_WEIGHT_PPM,
      source: pair.source,
      userId: pair.userId,
      externalUserId: pair.externalUserId,
      sourceKey,
    });
    db.afterCommit(() => engines.refresh(pair.corpId));
    return stored;
  }

  async function scriptsChanged(
    tx: Executor,
    corpId: string,
    changes: Array<{ scriptId: number; kind: 'upsert' | 'resync' | 'delete' }>,
  ) {
    if (changes.length === 0) return;
    const at = deps.now();
    const version = await repo.bump(tx, corpId, at);
    await repo.addScriptChanges(tx, corpId, version, changes, at);
    db.afterCommit(() => engines.refresh(corpId));
  }

  const feedbackRow = (ref: FeedbackRef, corpId: string, userId: string) => ({
    corpId,
    userId,
    externalUserId: ref.customer,
    messageKey: ref.messageKey,
    messageId: ref.messageId,
    message: ref.message,
    scriptId: ref.scriptId,
    rank: ref.rank,
    scorePermille: ref.scorePermille,
  });

  /** The customer message a send answers: the suggestion's, else the chat's latest, else what the sidebar saw. */
  async function answered(tx: Executor, send: ScriptSent, ref: FeedbackRef | null): Promise<CustomerText | null> {
    if (ref) {
      const stored =
        ref.messageId !== null && chat
          ? await chat.customerMessage(tx, send.corpId, send.userId, send.externalUserId, ref.messageId)
          : undefined;
      return stored ?? { id: ref.messageId, text: ref.message, sentAt: null };
    }
    if (chat) {
      const [latest] = await chat.customerMessages(tx, send.corpId, send.userId, send.externalUserId, {
        limit: 1,
        before: send.sentAt,
        since: send.sentAt - LEARN_WINDOW_MS,
      });
      if (latest) return latest;
    }
    return send.customerMessage ? { id: null, text: send.customerMessage, sentAt: null } : null;
  }

  // ---- answering ---------------------------------------------------------------------------------------------------

  /**
   * The engine's candidates for these messages, computed once per corp version, and what computing them cost: wall
   * time and the CPU time of this process (the engine's own cost, whatever else the machine runs).
   */
  function candidates(entry: CorpEngine, texts: string[]): { list: Suggestion[]; engine: EngineTime } {
    const limit = deps.llm ? MODEL_CANDIDATES : SHOWN;
    const key = `${limit}\u0001${texts.join('\u0000')}`;
    const cached = entry.results.get(key) as Suggestion[] | undefined;
    if (cached) return { list: cached, engine: { ms: 0, cpuMs: 0 } };
    const cpu = process.cpuUsage();
    const started = performance.now();
    const list = entry.engine.suggest({ messages: texts, now: deps.now(), limit });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (entry.results.size >= RESULT_CACHE) entry.results.delete(entry.results.keys().next().value!);
    entry.results.set(key, list);
    return { list, engine: { ms, cpuMs: (used.user + used.system) / 1000 } };
  }

  /** A second opinion and a draft from the company's model, within its budget; the engine's order otherwise. */
  async function withModel(engine: SuggestionEngine, texts: string[], proposed: Suggestion[]) {
    const llm = deps.llm!;
    const docs = proposed.map((s) => engine.script(s.scriptId)).filter((d): d is ScriptDoc => d !== undefined);
    const reranker = createLlmReranker({ ...llm, fetch: deps.fetch });
    const controller = new AbortController();
    const budget = setTimeout(() => controller.abort(), llm.timeoutMs);
    let order: string[] | null = null;
    let draft: string | null = null;
    try {
      // A hard stop as well: whatever the model or the network does, the answer goes out in time.
      const late = new Promise<null>((resolve) => controller.signal.addEventListener('abort', () => resolve(null)));
      [order, draft] = await Promise.all([
        Promise.race([reranker.rerank({ messages: texts, candidates: docs }), late]),
        Promise.race([
          draftReply(
            { ...llm, signal: controller.signal, fetch: deps.fetch },
            { messages: texts, scripts: docs.slice(0, SHOWN) },
          ),
          late,
        ]),
      ]);
    } finally {
      clearTimeout(budget);
      controller.abort();
    }
    const basis = docs.slice(0, SHOWN).map((d) => Number(d.id));
    if (order === null) return { picked: proposed.slice(0, SHOWN), reranked: false, draft, basis };
    const byId = new Map(proposed.map((s) => [s.scriptId, s]));
    const picked = order.flatMap((id) => byId.get(id) ?? []).slice(0, SHOWN);
    return { picked, reranked: true, draft: picked.length > 0 ? draft : null, basis };
  }

  /** Answers `messages` (oldest first; the last is answered) for the rep's customer. */
  async function answer(
    user: SessionUser,
    externalUserId: string,
    messages: CustomerText[],
  ): Promise<{ body: SuggestionList; engine: EngineTime }> {
    const last = messages.at(-1)!;
    const texts = messages.map((m) => m.text);
    const entry = await engines.current(user.corpId);
    const { list, engine } = candidates(entry, texts);
    let picked = list.slice(0, SHOWN);
    let reranked = false;
    let draft: { text: string; basis: number[] } | null = null;
    if (deps.llm && list.length > 0) {
      const model = await withModel(entry.engine, texts, list);
      picked = model.picked;
      reranked = model.reranked;
      if (model.draft) draft = { text: model.draft, basis: model.basis };
    }

    // Only live scripts go out, whatever the engine holds at this instant.
    const rows = new Map(
      (
        await repo.liveScriptsByIds(
          db,
          user.corpId,
          picked.map((s) => Number(s.scriptId)),
        )
      ).map((r) => [r.script.id, r]),
    );
    const live = picked.filter((s) => rows.has(Number(s.scriptId)));
    let names: { customerName: string; repName: string } | undefined;
    const render = async (text: string) => {
      if (!text.includes('{')) return text;
      names ??= {
        customerName: await deps.names.customer(user.corpId, externalUserId),
        repName: await deps.names.rep(user.corpId, user.userId),
      };
      return renderWelcomeText(text, names);
    };
    const messageKey = messageKeyOf(last, externalUserId);
    const items = [];
    for (const [i, s] of live.entries()) {
      const row = rows.get(Number(s.scriptId))!;
      const scorePermille = Math.round(s.score * 1000);
      items.push({
        scriptId: row.script.id,
        rank: i + 1,
        score: scorePermille / 1000,
        reason: s.reason,
        source: s.source,
        script: await scriptView(row, render),
        feedbackKey: encodeFeedbackKey({
          customer: externalUserId,
          messageKey,
          messageId: last.id,
          message: last.text,
          scriptId: row.script.id,
          rank: i + 1,
          scorePermille,
        }),
      });
    }
    return {
      body: {
        message: { id: last.id, text: last.text, sentAt: last.sentAt },
        items,
        reranked,
        draft:
          draft && items.length > 0
            ? { text: await render(draft.text), scriptIds: draft.basis, requiresConfirmation: true }
            : null,
      },
      engine,
    };
  }

  const nothing = (message: SuggestionList['message']) => ({
    body: { message, items: [], reranked: false, draft: null },
    engine: { ms: 0, cpuMs: 0 },
  });

  const hooks: ScriptHooks = {
    async changed(tx, corpId, scriptId, before) {
      const [after] = await repo.liveScriptsByIds(tx, corpId, [scriptId]);
      if (!after) return;
      let kind: 'upsert' | 'resync' = 'upsert';
      if (before) {
        // What the engine would do to the learning of an edited script, applied to the stored weights too.
        const factor = learnedFactorOf(scriptDoc(before), scriptDoc(after));
        if (factor < 1) {
          if (factor <= 0) await repo.deletePairsOfScript(tx, corpId, scriptId);
          else await repo.scalePairs(tx, corpId, scriptId, factor);
          kind = 'resync';
        }
      }
      await scriptsChanged(tx, corpId, [{ scriptId, kind }]);
    },

    async removed(tx, corpId, scriptId) {
      await repo.deletePairsOfScript(tx, corpId, scriptId);
      await scriptsChanged(tx, corpId, [{ scriptId, kind: 'delete' }]);
    },

    async groupChanged(tx, corpId, groupId) {
      const ids = await repo.liveScriptIdsOfGroup(tx, corpId, groupId);
      await scriptsChanged(
        tx,
        corpId,
        ids.map((scriptId) => ({ scriptId, kind: 'upsert' as const })),
      );
    },

    async sent(tx, send) {
      let ref: FeedbackRef | null = null;
      if (send.feedbackKey !== undefined) {
        ref = decodeFeedbackKey(send.feedbackKey);
        if (!ref || ref.customer !== send.externalUserId || ref.scriptId !== send.scriptId) {
          throw new BadRequestError('推荐标识与发送的客户或话术不符', 'feedbackKey');
        }
      }
      const message = await answered(tx, send, ref);
      if (message) {
        await learn(tx, {
          corpId: send.corpId,
          userId: send.userId,
          externalUserId: send.externalUserId,
          message,
          scriptId: send.scriptId,
          at: send.sentAt,
          source: ref ? 'suggestion' : 'sent',
        });
      }
      if (ref) await repo.recordFeedback(tx, feedbackRow(ref, send.corpId, send.userId), 'sent', send.sentAt);
    },
  };

  return {
    hooks,

    /** Suggestions for the customer's latest message in the rep's chat (the chat tables). */
    async forCustomer(user: SessionUser, externalUserId: string) {
      await deps.requireFollower(user, externalUserId);
      if (!chat) return nothing(null);
      const recent = await chat.customerMessages(db, user.corpId, user.userId, externalUserId, {
        limit: CONTEXT_MESSAGES,
      });
      const last = recent[0];
      if (!last) return nothing(null);
      const context = recent.slice(1).filter((m) => m.sentAt >= last.sentAt - CONTEXT_WINDOW_MS);
      return answer(user, externalUserId, [...context.reverse(), last]);
    },

    /** Suggestions for messages the sidebar passes (oldest first; the last one is answered). */
    async forMessages(user: SessionUser, externalUserId: string, messages: string[]) {
      await deps.requireFollower(user, externalUserId);
      const texts = messages.map((m) => m.trim()).filter((m) => m !== '');
      if (texts.length === 0) throw new BadRequestError('消息不能为空', 'messages');
      return answer(
        user,
        externalUserId,
        texts.slice(-CONTEXT_MESSAGES).map((text) => ({ id: null, text, sentAt: null })),
      );
    },

    /**
     * What became of a suggestion, recorded once per shown suggestion. An edited suggestion also teaches, at half
     * weight: the rep chose the script as the basis of the reply.
     */
    async feedback(user: SessionUser, feedbackKey: string, outcome: SuggestionOutcome) {
      const ref = decodeFeedbackKey(feedbackKey);
      if (!ref) throw new BadRequestError('推荐标识无效', 'feedbackKey');
      await deps.requireFollower(user, ref.customer);
      if (!(await repo.isScriptOf(db, user.corpId, ref.scriptId))) throw new NotFoundError('话术不存在');
      const at = deps.now();
      return db.tx(async (tx) => {
        const result = await repo.recordFeedback(tx, feedbackRow(ref, user.corpId, user.userId), outcome, at);
        if (
          result.changed &&
          outcome === 'edited' &&
          (await repo.liveScriptsByIds(tx, user.corpId, [ref.scriptId])).length
        ) {
          const stored =
            ref.messageId !== null && chat
              ? await chat.customerMessage(tx, user.corpId, user.userId, ref.customer, ref.messageId)
              : undefined;
          await learn(tx, {
            corpId: user.corpId,
            userId: user.userId,
            externalUserId: ref.customer,
            message: stored ?? { id: ref.messageId, text: ref.message },
            scriptId: ref.scriptId,
            at,
            source: 'suggestion',
            weightPpm: EDITED_WEIGHT_PPM,
          });
        }
        return result;
      });
    },

    /** The sidebar's search: script ids ranked by the engine (segmentation, BM25F, title and literal hits first). */
    async rankScripts(corpId: string, q: string): Promise<number[]> {
      const { engine } = await engines.current(corpId);
      const hits = engine.search(q, SEARCH_CAP);
      const floor = (hits[0]?.score ?? 0) * SEARCH_FLOOR;
      return hits.filter((h) => h.score >= floor).map((h) => Number(h.scriptId));
    },

    /**
     * Learns from the chat archive: a rep's typed reply that reproduces a script (pasted or retyped) answers the
     * customer's message before it. Run by a job after the messages are stored (see index.ts).
     */
    async learnFromArchive(corpId: string, messageIds: number[]): Promise<number> {
      if (!chat || messageIds.length === 0) return 0;
      const replies = (await chat.byIds(db, corpId, messageIds)).filter(
        (m) =>
          m.direction === 'rep_to_customer' &&
          m.type === 'text' &&
          m.source === 'archive' &&
          !m.recalled &&
          m.conversationId !== null &&
          m.userId !== null &&
          m.externalUserId !== null,
      );
      if (replies.length === 0) return 0;
      const { engine } = await engines.current(corpId);
      let learned = 0;
      for (const reply of replies) {
        const scriptId = scriptReproduced(engine, reply.text);
        if (scriptId === null) continue;
        const asked = await chat.customerMessageBefore(
          db,
          reply.conversationId!,
          { at: reply.sentAt, id: reply.id },
          reply.sentAt - LEARN_WINDOW_MS,
        );
        if (!asked) continue;
        const stored = await db.tx((tx) =>
          learn(tx, {
            corpId,
            userId: reply.userId,
            externalUserId: reply.externalUserId!,
            message: asked,
            scriptId: Number(scriptId),
            at: reply.sentAt,
            source: 'archive',
          }),
        );
        if (stored) learned += 1;
      }
      return learned;
    },

    /**
     * Stores past sends in one go (the demo's history), unless the first of them is stored already. Returns how many
     * pairs were added.
     */
    async seedLearned(
      corpId: string,
      pairs: Array<{ message: string; scriptId: number; at: number; sourceKey: string }>,
    ): Promise<number> {
      if (pairs.length === 0) return 0;
      return db.tx(async (tx) => {
        if (await repo.hasPair(tx, corpId, pairs[0]!.sourceKey)) return 0;
        const version = await repo.bump(tx, corpId, deps.now());
        let added = 0;
        for (const p of pairs) {
          const stored = await repo.insertPair(tx, {
            corpId,
            version,
            message: p.message,
            messageId: null,
            scriptId: p.scriptId,
            at: p.at,
            weightPpm: FULL_WEIGHT_PPM,
            source: 'sent',
            userId: null,
            externalUserId: null,
            sourceKey: p.sourceKey,
          });
          if (stored) added += 1;
        }
        db.afterCommit(() => engines.refresh(corpId));
        return added;
      });
    },

    /**
     * Forgets a customer (erasure): their messages' pairs and their suggestion feedback; the scripts concerned are
     * rebuilt from what remains, on every instance. Run it in the erasure's transaction.
     */
    async forgetCustomer(tx: Executor, corpId: string, externalUserId: string): Promise<void> {
      const scripts = await repo.deletePairsOfCustomer(tx, corpId, externalUserId);
      await repo.deleteFeedbackOfCustomer(tx, corpId, externalUserId);
      await scriptsChanged(
        tx,
        corpId,
        scripts.map((scriptId) => ({ scriptId, kind: 'resync' as const })),
      );
    },
  };
}
export type SuggestService = ReturnType<typeof createSuggestService>;

/** A suggested script as the sidebar shows it, with its text (and card description) rendered. */
async function scriptView(row: LiveScript, render: (text: string) => Promise<string>) {
  const { script } = row;
  const p = script.payload;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const payload =
    script.kind === 'image'
      ? { url: str(p.url) }
      : script.kind === 'link'
        ? {
            url: str(p.url),
            title: str(p.title) || script.title,
            desc: await render(typeof p.desc === 'string' ? p.desc : script.content),
            imgUrl: str(p.imgUrl),
          }
        : {};
  return {
    id: script.id,
    groupId: script.groupId,
    groupName: row.groupName,
    title: script.title,
    kind: script.kind,
    content: await render(script.content),
    payload,
  };
}
