import type { Kit } from '../kit.js';

/** Columns every mutable row carries (epoch milliseconds). */
export const timestampColumns = (k: Kit) => ({
  createdAt: k.ms('created_at').notNull().default(k.nowMs()),
  updatedAt: k.ms('updated_at').notNull().default(k.nowMs()),
});

/** WeCom corps this deployment serves, their departments and members. */
export function coreTables(k: Kit) {
  /** A WeCom corp this deployment serves. Secrets are sealed with the at-rest key (server/db/secret-box.ts). */
  const corps = k.table('corps', {
    corpId: k.text('corp_id').primaryKey(),
    name: k.text('name').notNull(),
    agentId: k.int('agent_id').notNull(),
    secretSealed: k.text('secret_sealed').notNull(),
    tokenSealed: k.text('token_sealed').notNull(),
    encodingAesKeySealed: k.text('encoding_aes_key_sealed').notNull(),
    ...timestampColumns(k),
  });

  const departments = k.table(
    'departments',
    {
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      departmentId: k.int('department_id').notNull(),
      name: k.text('name').notNull(),
      parentId: k.int('parent_id'),
      order: k.int('order').notNull().default(0),
      ...timestampColumns(k),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.departmentId] })],
  );

  /** WeCom members (成员) who serve customers. */
  const reps = k.table(
    'reps',
    {
      corpId: k
        .text('corp_id')
        .notNull()
        .references(() => corps.corpId),
      userId: k.text('user_id').notNull(),
      name: k.text('name').notNull(),
      position: k.text('position').notNull().default(''),
      avatar: k.text('avatar').notNull().default(''),
      departmentIds: k.json<number[]>('department_ids').notNull().default([]),
      /** 1 active, 2 disabled, 4 not activated, 5 resigned (WeCom's member status). */
      status: k.int('status').notNull().default(1),
      ...timestampColumns(k),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.userId] })],
  );

  return { corps, departments, reps };
}
export type CoreTables = ReturnType<typeof coreTables>;
