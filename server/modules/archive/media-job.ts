import { Type } from 'typebox';
import { ArchiveError } from '../../archive/index.js';
import type { Database } from '../../db/database.js';
import { defineJob } from '../jobs/define.js';
import { MediaTooLargeError, sniffMime, type MediaStore } from '../messages/media-store.js';
import type { MessageRepo } from '../messages/repo.js';
import type { MessageStore } from '../messages/store.js';
import type { ArchiveSources } from './sources.js';

const MAX_ATTEMPTS = 6;

/**
 * Fetches one media file of a message (GetMediaData, piece by piece) into the media store: a durable job, retried
 * with backoff when the SDK fails retryably or the file's md5 does not match; a file over the size cap is marked
 * `too_large` without fetching it. Once stored, the message is touched so open streams show the file.
 */
export function createMediaJob(deps: {
  db: Database;
  repo: Pick<MessageRepo, 'mediaRef' | 'setMediaStatus' | 'putMediaObject'>;
  store: Pick<MessageStore, 'touch'>;
  media: MediaStore;
  sources: ArchiveSources;
  maxBytes: number;
  now: () => number;
}) {
  const { db, repo } = deps;
  return defineJob(
    'archive_media',
    Type.Object({ mediaId: Type.Integer() }),
    async (job, { mediaId }) => {
      const ref = await repo.mediaRef(db, mediaId);
      if (!ref) return { kind: 'ignored', reason: 'the message is gone (erased or expired)' };
      if (ref.status === 'stored') return { kind: 'ignored', reason: 'already stored' };
      const finish = async (status: 'failed' | 'too_large', error: string) => {
        await db.tx(async (tx) => {
          await repo.setMediaStatus(tx, mediaId, status, { error }, deps.now());
          await deps.store.touch(tx, ref.messageId);
        });
      };
      if (ref.declaredSize !== null && ref.declaredSize > deps.maxBytes) {
        await finish('too_large', `${ref.declaredSize} bytes, the cap is ${deps.maxBytes}`);
        return { kind: 'done', result: 'too large: not fetched' };
      }
      const archive = await deps.sources.get(job.corpId);
      if (!archive) {
        await finish('failed', 'no chat archive is configured');
        return { kind: 'failed', error: 'no chat archive is configured for this corp' };
      }
      const writer = deps.media.writer(job.corpId);
      let file;
      try {
        await archive.primary.fetchMedia(ref.sdkFileId, (chunk) => writer.write(chunk.data), { md5sum: ref.md5sum });
        file = await writer.finish();
      } catch (err) {
        await writer.abort();
        if (err instanceof MediaTooLargeError) {
          await finish('too_large', err.message);
          return { kind: 'done', result: 'too large: stopped fetching' };
        }
        const final =
          job.attempts >= MAX_ATTEMPTS || (err instanceof ArchiveError && !err.retryable && !isChecksum(err));
        if (final) {
          await finish('failed', (err as Error).message);
          return { kind: 'failed', error: (err as Error).message };
        }
        throw err;
      }
      const mime = sniffMime(file.head, ref.kind, ref.name);
      await db.tx(async (tx) => {
        const at = deps.now();
        await repo.putMediaObject(tx, {
          corpId: job.corpId,
          hash: file.hash,
          size: file.size,
          mime,
          md5: file.md5,
          createdAt: at,
        });
        await repo.setMediaStatus(tx, mediaId, 'stored', { hash: file.hash, error: null }, at);
        await deps.store.touch(tx, ref.messageId);
      });
      return { kind: 'done', result: `${file.size} bytes, ${file.hash}` };
    },
    { maxAttempts: MAX_ATTEMPTS },
  );
}

/** A checksum mismatch may be a damaged transfer: worth fetching again, up to the attempts. */
function isChecksum(err: ArchiveError): boolean {
  return err.name === 'ArchiveMediaError' && /md5/.test(err.message);
}
