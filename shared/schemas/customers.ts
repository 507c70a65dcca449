import { Type, type Static, type TSchema } from 'typebox';
import { InputObject, NullableInteger, QueryText, SearchText } from './common.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Keyset cursors are opaque strings: pass `nextCursor` back as `cursor`. */
const Cursor = QueryText({ maxLength: 200 });

export const CustomerParams = InputObject({
  externalUserId: Type.String({ minLength: 1, maxLength: 128 }),
});
export type CustomerParams = Static<typeof CustomerParams>;

// ---- list ---------------------------------------------------------------------------------------------------------

/** `GET /api/customers`: the signed-in rep's own customers, newest added first; `q` matches name or remark. */
export const CustomerListQuery = InputObject({
  q: Type.Optional(SearchText({ maxLength: 50 })),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type CustomerListQuery = Static<typeof CustomerListQuery>;

export const CustomerListItem = Type.Object({
  externalUserId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  remark: Type.String(),
  /** ms */
  addedAt: Type.Integer(),
  channelName: Nullable(Type.String()),
});
export type CustomerListItem = Static<typeof CustomerListItem>;

export const CustomerList = Type.Object({
  items: Type.Array(CustomerListItem),
  nextCursor: Nullable(Type.String()),
});
export type CustomerList = Static<typeof CustomerList>;

// ---- card ---------------------------------------------------------------------------------------------------------

export const Stage = Type.Object({
  stageId: Type.Integer(),
  name: Type.String(),
  order: Type.Integer(),
});
export type Stage = Static<typeof Stage>;

export const CardTagGroup = Type.Object({
  groupId: Type.String(),
  groupName: Type.String(),
  tags: Type.Array(Type.Object({ tagId: Type.String(), name: Type.String() })),
});
export type CardTagGroup = Static<typeof CardTagGroup>;

export const Follower = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  /** ms */
  addedAt: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('lost')]),
  /** `deleted_by_customer`, `deleted_by_rep`, `transferred`; null while active. */
  lostReason: Nullable(Type.String()),
});
export type Follower = Static<typeof Follower>;

/** `GET /api/customers/:externalUserId`: remark, description and tags are the signed-in rep's (per follow). */
export const CustomerCard = Type.Object({
  externalUserId: Type.String(),
  name: Type.String(),
  avatar: Type.String(),
  /** 1 WeChat user, 2 WeCom user. */
  type: Type.Integer(),
  /** 0 unknown, 1 male, 2 female. */
  gender: Type.Integer(),
  corpName: Type.String(),
  position: Type.String(),
  remark: Type.String(),
  description: Type.String(),
  /** When the signed-in rep added the customer, ms. */
  addedAt: Type.Integer(),
  channel: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  stage: Type.Object({ stageId: Type.Integer(), name: Type.String() }),
  tags: Type.Array(CardTagGroup),
  followers: Type.Array(Follower),
});
export type CustomerCard = Static<typeof CustomerCard>;

/** `PATCH /api/customers/:externalUserId` (→ externalcontact/remark). At least one field. */
export const CustomerPatchBody = InputObject(
  {
    remark: Type.Optional(Type.String({ maxLength: 20 })),
    description: Type.Optional(Type.String({ maxLength: 150 })),
  },
  { minProperties: 1 },
);
export type CustomerPatchBody = Static<typeof CustomerPatchBody>;

/** `PUT /api/customers/:externalUserId/tags` (→ externalcontact/mark_tag). Not both empty. */
export const TagChangeBody = InputObject({
  add: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, default: [] }),
  remove: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, default: [] }),
});
export type TagChangeBody = Static<typeof TagChangeBody>;

// ---- stages -------------------------------------------------------------------------------------------------------

export const StageList = Type.Array(Stage);
export type StageList = Static<typeof StageList>;

/**
 * `PUT /api/stages` (admin): the complete new list, in display order. Items with a `stageId` keep it (customers
 * stay in that stage); items without one are new; stages left out are deleted and their customers fall back to
 * the first stage.
 */
export const StagesPutBody = InputObject({
  stages: Type.Array(
    InputObject({
      stageId: Type.Optional(Type.Integer({ minimum: 1 })),
      name: Type.String({ minLength: 1, maxLength: 20 }),
    }),
    { minItems: 1, maxItems: 30 },
  ),
});
export type StagesPutBody = Static<typeof StagesPutBody>;

export const StageChangeBody = InputObject({ stageId: Type.Integer({ minimum: 1 }) });
export type StageChangeBody = Static<typeof StageChangeBody>;

// ---- timeline -----------------------------------------------------------------------------------------------------

export const TimelineFilter = Type.Union([
  Type.Literal('all'),
  Type.Literal('events'),
  Type.Literal('notes'),
  Type.Literal('scripts'),
  Type.Literal('messages'),
]);
export type TimelineFilter = Static<typeof TimelineFilter>;

export const TimelineQuery = InputObject({
  filter: Type.Optional(TimelineFilter),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type TimelineQuery = Static<typeof TimelineQuery>;

/**
 * Kinds: added, tagged, untagged, welcome_sent, welcome_skipped, lost, stage_changed, remark_changed (events),
 * note, script_sent, message. `payload` depends on the kind (e.g. stage_changed: `{ from, to }` with
 * `{ stageId, name }` each; tagged/untagged: `{ tags: [{ tagId, name }] }`; script_sent: `{ scriptId, sendId, title, scriptKind }`).
 */
export const TimelineItem = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  content: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  userId: Nullable(Type.String()),
  userName: Nullable(Type.String()),
  /** Notes: follow-up due date, ms. */
  dueAt: Nullable(Type.Integer()),
  /** ms */
  occurredAt: Type.Integer(),
  /** The signed-in rep wrote this note and may edit it. */
  editable: Type.Boolean(),
});
export type TimelineItem = Static<typeof TimelineItem>;

export const TimelinePage = Type.Object({
  items: Type.Array(TimelineItem),
  nextCursor: Nullable(Type.String()),
});
export type TimelinePage = Static<typeof TimelinePage>;

export const NoteParams = InputObject({
  externalUserId: Type.String({ minLength: 1, maxLength: 128 }),
  id: Type.Integer({ minimum: 1 }),
});
export type NoteParams = Static<typeof NoteParams>;

export const NoteBody = InputObject({
  content: Type.String({ minLength: 1, maxLength: 2000 }),
  /** ms, or null for no due date. */
  dueAt: Type.Optional(NullableInteger({ minimum: 0 })),
});
export type NoteBody = Static<typeof NoteBody>;

export const NotePatchBody = InputObject(
  {
    content: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    dueAt: Type.Optional(NullableInteger({ minimum: 0 })),
  },
  { minProperties: 1 },
);
export type NotePatchBody = Static<typeof NotePatchBody>;
