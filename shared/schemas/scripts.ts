import { Type, type Static } from 'typebox';
import { InputObject, PatternString, SearchText } from './common.js';

export const ScriptKind = Type.Union([Type.Literal('text'), Type.Literal('image'), Type.Literal('link')]);
export type ScriptKind = Static<typeof ScriptKind>;

export const IdParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

// ---- groups -------------------------------------------------------------------------------------------------------

export const ScriptGroup = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  order: Type.Integer(),
  /** Scripts in the group (not deleted). */
  count: Type.Integer(),
});
export type ScriptGroup = Static<typeof ScriptGroup>;

export const ScriptGroupList = Type.Array(ScriptGroup);
export type ScriptGroupList = Static<typeof ScriptGroupList>;

export const ScriptGroupBody = InputObject({
  name: Type.String({ minLength: 1, maxLength: 20 }),
  order: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
});
export type ScriptGroupBody = Static<typeof ScriptGroupBody>;

export const ScriptGroupPatchBody = InputObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    order: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { minProperties: 1 },
);
export type ScriptGroupPatchBody = Static<typeof ScriptGroupPatchBody>;

// ---- scripts ------------------------------------------------------------------------------------------------------

/**
 * Kind-specific data. image: `{ url }` (png/jpg, absolute http(s) URL or a path on this server);
 * link: `{ url, title, desc, imgUrl }`; text: `{}`.
 */
export const ScriptPayload = InputObject({
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  desc: Type.Optional(Type.String({ maxLength: 200 })),
  imgUrl: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type ScriptPayload = Static<typeof ScriptPayload>;

export const Script = Type.Object({
  id: Type.Integer(),
  groupId: Type.Integer(),
  groupName: Type.String(),
  title: Type.String(),
  kind: ScriptKind,
  /** The text sent (text), or the caption / description shown for image and link scripts. */
  content: Type.String(),
  payload: ScriptPayload,
  /** The signed-in rep's favourite (always false for the admin API). */
  favorite: Type.Boolean(),
  sendCount: Type.Integer(),
});
export type Script = Static<typeof Script>;

/**
 * `GET /api/scripts`: with `q`, the scripts that match it, best first, ranked by the suggestion engine's Chinese
 * segmentation (运费多少 finds the 运费 scripts, 包邮 finds 全国包邮; title and literal hits rank high), then any other
 * script holding `q` literally (case-insensitive; `%` and `_` are plain characters); without `q`, the library in
 * group order. `favorites=1` keeps the rep's favourites.
 */
export const ScriptListQuery = InputObject({
  q: Type.Optional(SearchText({ maxLength: 50 })),
  groupId: Type.Optional(Type.Integer({ minimum: 1 })),
  favorites: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
});
export type ScriptListQuery = Static<typeof ScriptListQuery>;

export const ScriptList = Type.Object({
  items: Type.Array(Script),
  total: Type.Integer(),
});
export type ScriptList = Static<typeof ScriptList>;

/** `POST /api/scripts` (admin). */
export const ScriptBody = InputObject({
  groupId: Type.Integer({ minimum: 1 }),
  title: Type.String({ minLength: 1, maxLength: 50 }),
  kind: ScriptKind,
  content: Type.Optional(Type.String({ maxLength: 2000, default: '' })),
  payload: Type.Optional(ScriptPayload),
  order: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
});
export type ScriptBody = Static<typeof ScriptBody>;

/** `PUT /api/scripts/:id` (admin): the whole script, as for POST. */
export const ScriptPutBody = ScriptBody;
export type ScriptPutBody = Static<typeof ScriptPutBody>;

export const FavoriteResult = Type.Object({ favorite: Type.Boolean() });
export type FavoriteResult = Static<typeof FavoriteResult>;

// ---- sending ------------------------------------------------------------------------------------------------------

/**
 * A send teaches the suggestions: the customer's latest message in the chat (or, before the archive has it,
 * `customerMessage` as the sidebar saw it) is learned as answered by this script. `feedbackKey`: the script was sent
 * from a suggestion (the key its answer carried), recorded as sent in the same step.
 */
export const ScriptSendBody = InputObject({
  externalUserId: Type.String({ minLength: 1, maxLength: 128 }),
  customerMessage: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  feedbackKey: Type.Optional(PatternString('^[A-Za-z0-9_-]+$', '格式无效', { minLength: 1, maxLength: 2000 })),
});
export type ScriptSendBody = Static<typeof ScriptSendBody>;

/** Exactly the argument of `ww.sendChatMessage` (wecom-protocol.md §5.3). */
export const ChatMessage = Type.Union([
  Type.Object({ msgtype: Type.Literal('text'), text: Type.Object({ content: Type.String() }) }),
  Type.Object({ msgtype: Type.Literal('image'), image: Type.Object({ mediaid: Type.String() }) }),
  Type.Object({
    msgtype: Type.Literal('news'),
    news: Type.Object({ link: Type.String(), title: Type.String(), desc: Type.String(), imgUrl: Type.String() }),
  }),
]);
export type ChatMessage = Static<typeof ChatMessage>;

export const ScriptSendResult = Type.Object({
  sendId: Type.Integer(),
  message: ChatMessage,
});
export type ScriptSendResult = Static<typeof ScriptSendResult>;
