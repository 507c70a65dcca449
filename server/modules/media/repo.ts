import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { mediaUploads } from '../../db/schema.js';

export type MediaUploadRow = typeof mediaUploads.$inferSelect;

/** media ids WeCom gave us for images we uploaded (temporary media: 3 days). */
export function createMediaRepo(db: Db) {
  return {
    find(corpId: string, sourceKey: string): MediaUploadRow | undefined {
      return db
        .select()
        .from(mediaUploads)
        .where(and(eq(mediaUploads.corpId, corpId), eq(mediaUploads.sourceKey, sourceKey)))
        .get();
    },
    save(row: MediaUploadRow): void {
      db.insert(mediaUploads)
        .values(row)
        .onConflictDoUpdate({
          target: [mediaUploads.corpId, mediaUploads.sourceKey],
          set: { mediaId: row.mediaId, expiresAt: row.expiresAt },
        })
        .run();
    },
  };
}
export type MediaRepo = ReturnType<typeof createMediaRepo>;
