import type { Kit } from '../kit.js';

/** Where a learned pair comes from: a script sent from the library or search, a suggestion sent, the chat archive. */
export const learnedPairSources = ['sent', 'suggestion', 'archive'] as const;
export type LearnedPairSource = (typeof learnedPairSources)[number];
/** What became of a suggestion the sidebar showed. */
export const suggestionOutcomes = ['shown', 'sent', 'edited', 'ignored'] as const;
export type SuggestionOutcome = (typeof suggestionOutcomes)[number];
/** How a script change reaches every instance's engine: re-index it, rebuild it with its stored pairs, or drop it. */
export const suggestChangeKinds = ['upsert', 'resync', 'delete'] as const;
export type SuggestChangeKind = (typeof suggestChangeKinds)[number];

/**
 * Suggested replies (话术推荐): what reps taught the corp's suggestion engine, how instances keep their in-memory
 * engines current, and what became of each suggestion shown (server/modules/suggest/).
 */
export function suggestTables(k: Kit) {
  /**
   * Each corp's change counter. Every write that changes what an engine knows (a pair learned, a script created,
   * edited or deleted) increments it in its own transaction and stamps its rows with the new value; the row lock
   * orders those transactions, so an instance that reads version V finds every change up to V committed and asks for
   * `version > mine` only. Reading this one row is an instance's whole poll when nothing changed.
   */
  const suggestVersions = k.table('suggest_versions', {
    corpId: k.text('corp_id').primaryKey(),
    version: k.int('version').notNull().default(0),
    updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
  });

  /**
   * What reps taught: the customer's message, and the script a rep then sent (or typed, from the archive). Written
   * in the transaction of the send that teaches it. `weight_ppm` is the pair's weight in millionths (1,000,000 when
   * learned; an edit of the script multiplies it by the engine's `learnedFactor`, and a weight of 0 is deleted).
   * `source_key` makes learning idempotent: one pair per customer message and script, whichever way it arrives.
   */
  const learnedPairs = k.table(
    'learned_pairs',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      /** The corp's suggest version of the transaction that wrote it (see suggest_versions). */
      version: k.int('version').notNull(),
      /** The customer's message, as they wrote it. */
      message: k.text('message').notNull(),
      /** messages.id of that message, when it came from the chat tables. */
      messageId: k.int('message_id'),
      scriptId: k.int('script_id').notNull(),
      /** When the rep answered (ms): the pair's age decays its weight. */
      at: k.ms('at').notNull(),
      weightPpm: k.int('weight_ppm').notNull().default(1_000_000),
      source: k.text('source', { enum: learnedPairSources }).notNull(),
      /** The rep who answered and the customer who asked (erasure of a customer's data finds their pairs). */
      userId: k.text('user_id'),
      externalUserId: k.text('external_user_id'),
      sourceKey: k.text('source_key').notNull(),
      createdAt: k.ms('created_at').notNull().default(k.nowMs()),
    },
    (t) => [
      k.uniqueIndex('learned_pairs_source').on(t.corpId, t.sourceKey),
      k.index('learned_pairs_version').on(t.corpId, t.version),
      k.index('learned_pairs_script').on(t.corpId, t.scriptId),
      k.index('learned_pairs_customer').on(t.corpId, t.externalUserId),
    ],
  );

  /** Script changes in version order, for the other instances' engines (the scripts themselves are read live). */
  const suggestScriptChanges = k.table(
    'suggest_script_changes',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      version: k.int('version').notNull(),
      scriptId: k.int('script_id').notNull(),
      kind: k.text('kind', { enum: suggestChangeKinds }).notNull(),
      at: k.ms('at').notNull(),
    },
    (t) => [k.index('suggest_script_changes_version').on(t.corpId, t.version)],
  );

  /**
   * Every suggestion the sidebar showed and what the rep did with it; managers' adoption figures read this table.
   * Columns: `corp_id`; `user_id` the rep; `external_user_id` the customer; `message_key` which customer message it
   * answered (`m:<messages.id>`, or `t:<hash>` for text the sidebar passed itself) and `message_id`/`message` that
   * message; `script_id` the script suggested; `rank` its place (1..3); `score_permille` the engine's score in
   * thousandths (0..1000); `outcome` shown, sent (as is), edited (then sent) or ignored; `shown_at` when first
   * recorded and `decided_at` when the outcome was decided (null while only shown), both epoch ms. One row per
   * shown suggestion (rep, customer, message, script): repeated reports change nothing, and the first decision stays.
   */
  const suggestionFeedback = k.table(
    'suggestion_feedback',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      messageKey: k.text('message_key').notNull(),
      messageId: k.int('message_id'),
      message: k.text('message').notNull().default(''),
      scriptId: k.int('script_id').notNull(),
      rank: k.int('rank').notNull(),
      scorePermille: k.int('score_permille').notNull(),
      outcome: k.text('outcome', { enum: suggestionOutcomes }).notNull(),
      shownAt: k.ms('shown_at').notNull(),
      decidedAt: k.ms('decided_at'),
    },
    (t) => [
      k.uniqueIndex('suggestion_feedback_shown').on(t.corpId, t.userId, t.externalUserId, t.messageKey, t.scriptId),
      k.index('suggestion_feedback_time').on(t.corpId, t.shownAt),
      k.index('suggestion_feedback_script').on(t.corpId, t.scriptId),
      k.index('suggestion_feedback_customer').on(t.corpId, t.externalUserId),
    ],
  );

  return { suggestVersions, learnedPairs, suggestScriptChanges, suggestionFeedback };
}
