import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where chat media files live. Content-addressed: a file is named by the sha256 of its bytes, per corp, so the
 * same picture sent a thousand times is stored once, and a name always means the same bytes. Files are written
 * piece by piece as the Finance SDK hands them over (never held whole in memory) and appear under their name only
 * once complete. The folder implementation below is the default; an object store would implement the same.
 */
export interface MediaStore {
  /** A new file being written; its name is known once finished. */
  writer(corpId: string): MediaWriter;
  /** The file's bytes, or null when it is not stored. */
  open(corpId: string, hash: string): Promise<{ stream: Readable; size: number } | null>;
  has(corpId: string, hash: string): Promise<boolean>;
  /** Removes the file (no error when it is not there). */
  delete(corpId: string, hash: string): Promise<void>;
}

export interface MediaWriter {
  /** Throws MediaTooLargeError past the store's size cap (the partial file is removed). */
  write(chunk: Buffer): Promise<void>;
  /** Completes the file: its sha256 (the name), size, md5, and first bytes (to tell its type). */
  finish(): Promise<{ hash: string; size: number; md5: string; head: Buffer }>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

export class MediaTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the media file is larger than the configured cap of ${limit} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** A folder under the data directory: `<root>/<corp>/<ab>/<sha256>`, temporary files in `<root>/.tmp`. */
export function createFolderMediaStore(options: { root: string; maxBytes: number }): MediaStore {
  const { root, maxBytes } = options;
  const corpDir = (corpId: string) =>
    /^[A-Za-z0-9_-]{1,64}$/.test(corpId) ? corpId : createHash('sha256').update(corpId).digest('hex').slice(0, 32);
  const pathOf = (corpId: string, hash: string) => {
    if (!HASH.test(hash)) throw new RangeError('not a sha256 hex name');
    return join(root, corpDir(corpId), hash.slice(0, 2), hash);
  };

  return {
    writer(corpId) {
      const tmpPath = join(root, '.tmp', randomUUID());
      let file: FileHandle | null = null;
      let size = 0;
      let head = Buffer.alloc(0);
      const sha: Hash = createHash('sha256');
      const md5: Hash = createHash('md5');
      const abort = async () => {
        await file?.close().catch(() => {});
        file = null;
        await rm(tmpPath, { force: true });
      };
      return {
        async write(chunk) {
          if (size + chunk.length > maxBytes) {
            await abort();
            throw new MediaTooLargeError(maxBytes);
          }
          if (!file) {
            await mkdir(join(root, '.tmp'), { recursive: true });
            file = await open(tmpPath, 'w');
          }
          await file.write(chunk);
          sha.update(chunk);
          md5.update(chunk);
          if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
          size += chunk.length;
        },
        async finish() {
          if (!file) {
            await mkdir(join(root, '.tmp'), { recursive: true });
            file = await open(tmpPath, 'w');
          }
          await file.sync();
          await file.close();
          file = null;
          const hash = sha.digest('hex');
          const target = pathOf(corpId, hash);
          await mkdir(join(target, '..'), { recursive: true });
          // Same name, same bytes: a file already there is the one we wrote.
          await rename(tmpPath, target);
          return { hash, size, md5: md5.digest('hex'), head };
        },
        abort,
      };
    },

    async open(corpId, hash) {
      const path = pathOf(corpId, hash);
      try {
        const { size } = await stat(path);
        return { stream: createReadStream(path), size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },

    async has(corpId, hash) {
      try {
        await stat(pathOf(corpId, hash));
        return true;
      } catch {
        return false;
      }
    },

    async delete(corpId, hash) {
      await rm(pathOf(corpId, hash), { force: true });
    },
  };
}

/** The media folder of a data directory (an in-memory database keeps its files in the system's temp folder). */
export function mediaRoot(dataDir: string): string {
  return dataDir === ':memory:' ? join(tmpdir(), `scrm-media-${process.pid}`) : join(dataDir, 'media');
}

/** The type of a file from its first bytes, else from the message type and file name. */
export function sniffMime(head: Buffer, kind: string, name: string): string {
  const starts = (hex: string, at = 0) => head.subarray(at, at + hex.length / 2).toString('hex') === hex;
  if (starts('89504e47')) return 'image/png';
  if (starts('ffd8ff')) return 'image/jpeg';
  if (starts('47494638')) return 'image/gif';
  if (starts('52494646') && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.subarray(0, 5).toString('latin1') === '#!AMR') return 'audio/amr';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (kind === 'voice') return head.subarray(1, 10).toString('latin1') === '#!SILK_V3' ? 'audio/silk' : 'audio/amr';
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const byExt: Record<string, string> = {
    txt: 'text/plain',
    csv: 'text/csv',
    doc: 'application/msword',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xls: 'application/vnd.ms-excel',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    zip: 'application/zip',
  };
  return byExt[ext] ?? 'application/octet-stream';
}
