import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { welcomeMessages } from '../../db/schema.js';

export type WelcomeRow = typeof welcomeMessages.$inferSelect;

export interface WelcomeRowInput {
  weekdays: number[] | null;
  startMinute: number | null;
  endMinute: number | null;
  text: string;
  attachments: unknown[];
  order: number;
}

/** Welcome messages: per channel, or the corp default (`channel_id` null). */
export function createWelcomeRepo(db: Db) {
  const scope = (corpId: string, channelId: number | null) =>
    and(
      eq(welcomeMessages.corpId, corpId),
      channelId === null ? isNull(welcomeMessages.channelId) : eq(welcomeMessages.channelId, channelId),
    );

  // Read for every welcome sent: built and compiled once.
  const p = sql.placeholder;
  const ofChannel = db
    .select()
    .from(welcomeMessages)
    .where(and(eq(welcomeMessages.corpId, p('corpId')), eq(welcomeMessages.channelId, p('channelId'))))
    .orderBy(asc(welcomeMessages.order), asc(welcomeMessages.id))
    .prepare();
  const ofDefault = db
    .select()
    .from(welcomeMessages)
    .where(and(eq(welcomeMessages.corpId, p('corpId')), isNull(welcomeMessages.channelId)))
    .orderBy(asc(welcomeMessages.order), asc(welcomeMessages.id))
    .prepare();

  return {
    list(corpId: string, channelId: number | null): WelcomeRow[] {
      return channelId === null ? ofDefault.all({ corpId }) : ofChannel.all({ corpId, channelId });
    },

    /** Replaces the whole welcome of a channel (or the default); call inside the caller's transaction. */
    replace(corpId: string, channelId: number | null, rows: WelcomeRowInput[], at: number): void {
      db.delete(welcomeMessages).where(scope(corpId, channelId)).run();
      if (rows.length === 0) return;
      db.insert(welcomeMessages)
        .values(
          rows.map((r) => ({
            corpId,
            channelId,
            weekdays: r.weekdays === null ? null : JSON.stringify(r.weekdays),
            startMinute: r.startMinute,
            endMinute: r.endMinute,
            text: r.text,
            attachments: JSON.stringify(r.attachments),
            order: r.order,
            createdAt: at,
            updatedAt: at,
          })),
        )
        .run();
    },
  };
}
export type WelcomeRepo = ReturnType<typeof createWelcomeRepo>;
