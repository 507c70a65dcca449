import { Type, type Static } from 'typebox';
import { InputObject } from './common.js';

/** WeCom allows tag and group names of 1–30 characters. */
const TagName = Type.String({ minLength: 1, maxLength: 30 });
/** WeCom shows a larger `order` first. */
const Order = Type.Integer({ minimum: 0, maximum: 4_294_967_295 });

export const Tag = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  name: Type.String(),
  order: Type.Integer(),
});
export type Tag = Static<typeof Tag>;

export const TagGroup = Type.Object({
  groupId: Type.String(),
  name: Type.String(),
  order: Type.Integer(),
  tags: Type.Array(Tag),
});
export type TagGroup = Static<typeof TagGroup>;

export const TagLibrary = Type.Object({ groups: Type.Array(TagGroup) });
export type TagLibrary = Static<typeof TagLibrary>;

export const TagIdParams = InputObject({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type TagIdParams = Static<typeof TagIdParams>;

export const TagGroupIdParams = InputObject({ groupId: Type.String({ minLength: 1, maxLength: 64 }) });
export type TagGroupIdParams = Static<typeof TagGroupIdParams>;

export const CreateTagGroupBody = InputObject({
  name: TagName,
  order: Type.Optional(Order),
  tags: Type.Array(InputObject({ name: TagName, order: Type.Optional(Order) }), { minItems: 1, maxItems: 100 }),
});
export type CreateTagGroupBody = Static<typeof CreateTagGroupBody>;

export const CreateTagBody = InputObject({
  groupId: Type.String({ minLength: 1, maxLength: 64 }),
  name: TagName,
  order: Type.Optional(Order),
});
export type CreateTagBody = Static<typeof CreateTagBody>;

/** Rename and/or move; at least one of the two. */
export const UpdateTagBody = InputObject(
  { name: Type.Optional(TagName), order: Type.Optional(Order) },
  { minProperties: 1 },
);
export type UpdateTagBody = Static<typeof UpdateTagBody>;

/** All group ids, or all tag ids of one group, in the wanted display order (first shown first). */
export const ReorderTagsBody = InputObject({
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 3000, uniqueItems: true }),
});
export type ReorderTagsBody = Static<typeof ReorderTagsBody>;

export const TagSyncResult = Type.Object({ groups: Type.Integer(), tags: Type.Integer() });
export type TagSyncResult = Static<typeof TagSyncResult>;
