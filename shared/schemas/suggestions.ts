import { Type, type Static, type TSchema } from 'typebox';
import { InputObject, PatternString } from './common.js';
import { ScriptKind, ScriptPayload } from './scripts.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * Suggested replies (推荐回复) for the rep sidebar.
 *
 * `GET /api/customers/:externalUserId/suggestions`: up to 3 scripts for the customer's latest message in the signed-in
 * rep's chat with them (the rep's own customer only: 403 otherwise, 404 for an unknown customer). The customer's
 * recent messages come from the chat archive; the last one is the message answered and decides the candidates, the
 * earlier ones (within 30 minutes) only reorder them. An empty `items` means nothing fits (thanks, greetings,
 * chit-chat) or there is no customer message yet (`message` null).
 *
 * `POST /api/customers/:externalUserId/suggestions` `{ messages: [...] }`: the same for messages the sidebar passes
 * itself (oldest first, the last one answered), e.g. the demo's stand-in chat before the archive has them.
 *
 * `POST /api/suggestions/feedback` `{ feedbackKey, outcome }`: what became of a suggestion: `shown` when the sidebar
 * displayed it, then `sent` (sent as is), `edited` (edited, then sent) or `ignored`. Idempotent per shown suggestion:
 * reporting again changes nothing and the first decision stays. Sending a script with `POST /api/scripts/:id/sends`
 * and its `feedbackKey` records `sent` in the same step.
 */

export const SuggestionsBody = InputObject({
  messages: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 5 }),
});
export type SuggestionsBody = Static<typeof SuggestionsBody>;

/** The script behind a suggestion, its text ready to send: {客户昵称} and {员工姓名} are filled in. */
export const SuggestedScript = Type.Object({
  id: Type.Integer(),
  groupId: Type.Integer(),
  groupName: Type.String(),
  title: Type.String(),
  kind: ScriptKind,
  /** The text to send (text scripts), or the caption / card description of image and link scripts; rendered. */
  content: Type.String(),
  payload: ScriptPayload,
});
export type SuggestedScript = Static<typeof SuggestedScript>;

export const Suggestion = Type.Object({
  scriptId: Type.Integer(),
  /** 1 = best. */
  rank: Type.Integer({ minimum: 1 }),
  /** 0..1, comparable across messages. */
  score: Type.Number({ minimum: 0, maximum: 1 }),
  /** Why, for the rep: 匹配「运费」「包邮」，同事常这样回复. */
  reason: Type.String(),
  /** What ranked it: the script's own words (`text`), what colleagues sent after similar messages (`learned`), both. */
  source: Type.Union([Type.Literal('text'), Type.Literal('learned'), Type.Literal('both')]),
  script: SuggestedScript,
  /** Pass back to `POST /api/suggestions/feedback` (and to the script send) to report what became of it. */
  feedbackKey: Type.String(),
});
export type Suggestion = Static<typeof Suggestion>;

/**
 * A reply the company's own language model drafted from the suggested scripts (only when LLM_BASE_URL and
 * LLM_API_KEY are configured): never sent by itself, the rep reads, edits and confirms it.
 */
export const SuggestionDraft = Type.Object({
  text: Type.String(),
  /** The scripts it was drafted from. */
  scriptIds: Type.Array(Type.Integer()),
  requiresConfirmation: Type.Literal(true),
});
export type SuggestionDraft = Static<typeof SuggestionDraft>;

export const SuggestionList = Type.Object({
  /** The customer message answered: from the chat (`id` and `sentAt` set) or the request (`id`/`sentAt` null). */
  message: Nullable(
    Type.Object({ id: Nullable(Type.Integer()), text: Type.String(), sentAt: Nullable(Type.Integer()) }),
  ),
  items: Type.Array(Suggestion, { maxItems: 3 }),
  /** Whether a language model reordered the list (false: the engine's own ranking, e.g. after a model timeout). */
  reranked: Type.Boolean(),
  draft: Nullable(SuggestionDraft),
});
export type SuggestionList = Static<typeof SuggestionList>;

export const SuggestionOutcome = Type.Union([
  Type.Literal('shown'),
  Type.Literal('sent'),
  Type.Literal('edited'),
  Type.Literal('ignored'),
]);
export type SuggestionOutcome = Static<typeof SuggestionOutcome>;

/** Opaque (base64url); produced by the suggestions answer. */
export const FeedbackKey = PatternString('^[A-Za-z0-9_-]+$', '格式无效', { minLength: 1, maxLength: 2000 });

export const SuggestionFeedbackBody = InputObject({
  feedbackKey: FeedbackKey,
  outcome: SuggestionOutcome,
});
export type SuggestionFeedbackBody = Static<typeof SuggestionFeedbackBody>;

export const SuggestionFeedbackResult = Type.Object({
  /** The suggestion's outcome now (the first decision once there is one). */
  outcome: SuggestionOutcome,
  /** False when this report changed nothing (already recorded). */
  changed: Type.Boolean(),
});
export type SuggestionFeedbackResult = Static<typeof SuggestionFeedbackResult>;
