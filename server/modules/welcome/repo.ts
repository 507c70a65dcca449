import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { WelcomeAttachment } from '../../../shared/schemas/welcome.js';

export type WelcomeRow = Database['t']['welcomeMessages']['$inferSelect'];

export interface WelcomeRowInput {
  weekdays: number[] | null;
  startMinute: number | null;
  endMinute: number | null;
  text: string;
  attachments: WelcomeAttachment[];
  order: number;
}

/** Welcome messages: per channel, or the corp default (`channel_id` null). */
export function createWelcomeRepo(db: Database) {
  const { welcomeMessages } = db.t;
  const scope = (corpId: string, channelId: number | null) =>
    and(
      eq(welcomeMessages.corpId, corpId),
      channelId === null ? isNull(welcomeMessages.channelId) : eq(welcomeMessages.channelId, channelId),
    );

  return {
    async list(ex: Executor, corpId: string, channelId: number | null): Promise<WelcomeRow[]> {
      return ex
        .select()
        .from(welcomeMessages)
        .where(scope(corpId, channelId))
        .orderBy(asc(welcomeMessages.order), asc(welcomeMessages.id));
    },

    /** Replaces the whole welcome of a channel (or the default); call inside the caller's transaction. */
    async replace(
      ex: Executor,
      corpId: string,
      channelId: number | null,
      rows: WelcomeRowInput[],
      at: number,
    ): Promise<void> {
      await ex.delete(welcomeMessages).where(scope(corpId, channelId));
      if (rows.length === 0) return;
      await ex.insert(welcomeMessages).values(
        rows.map((r) => ({
          corpId,
          channelId,
          weekdays: r.weekdays,
          startMinute: r.startMinute,
          endMinute: r.endMinute,
          text: r.text,
          attachments: r.attachments,
          order: r.order,
          createdAt: at,
          updatedAt: at,
        })),
      );
    },
  };
}
export type WelcomeRepo = ReturnType<typeof createWelcomeRepo>;
