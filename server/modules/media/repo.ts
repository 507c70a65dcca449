import { and, eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

export type MediaUploadRow = Database['t']['mediaUploads']['$inferSelect'];

/** media ids WeCom gave us for images we uploaded (temporary media: 3 days). */
export function createMediaRepo(db: Database) {
  const { mediaUploads } = db.t;
  return {
    async find(ex: Executor, corpId: string, sourceKey: string): Promise<MediaUploadRow | undefined> {
      const [row] = await ex
        .select()
        .from(mediaUploads)
        .where(and(eq(mediaUploads.corpId, corpId), eq(mediaUploads.sourceKey, sourceKey)))
        .limit(1);
      return row;
    },
    async save(ex: Executor, row: MediaUploadRow): Promise<void> {
      await ex
        .insert(mediaUploads)
        .values(row)
        .onConflictDoUpdate({
          target: [mediaUploads.corpId, mediaUploads.sourceKey],
          set: { mediaId: row.mediaId, expiresAt: row.expiresAt },
        });
    },
  };
}
export type MediaRepo = ReturnType<typeof createMediaRepo>;
