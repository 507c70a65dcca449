import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import type { MediaRepo } from './repo.js';

/** WeCom keeps temporary media 3 days; we stop using an id an hour before, so it never expires mid-send. */
const MEDIA_LIFETIME_MS = 3 * 86_400_000;
const SAFETY_MARGIN_MS = 3_600_000;
/** media/upload takes images up to 10 MB (jpg/png). */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 5_000;

/** The image cannot be used (unreachable, not a jpg/png, too large): retrying will not help. */
export class ImageSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageSourceError';
  }
}

function imageKind(data: Buffer): { contentType: string; ext: string } | null {
  if (data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { contentType: 'image/png', ext: 'png' };
  }
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
    return { contentType: 'image/jpeg', ext: 'jpg' };
  return null;
}

/**
 * Turns an image URL into a WeCom media id: downloads it, uploads it with media/upload and caches the id in
 * `media_uploads` for its lifetime. Concurrent requests for one image in this process share one upload; instances
 * uploading the same image at once each get a valid id and the last one saved is reused (no lock needed).
 */
export function createMediaService(deps: {
  db: Database;
  repo: MediaRepo;
  api: (corpId: string) => Pick<WecomApi, 'uploadMedia'>;
  fetch?: typeof fetch;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const inflight = new Map<string, Promise<string>>();

  async function download(url: string): Promise<Buffer> {
    let res: Response;
    try {
      res = await fetchFn(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
    } catch (err) {
      throw new ImageSourceError(`图片下载失败：${(err as Error).message}`);
    }
    if (!res.ok) throw new ImageSourceError(`图片下载失败：HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_IMAGE_BYTES) throw new ImageSourceError('图片超过 10 MB');
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > MAX_IMAGE_BYTES) throw new ImageSourceError('图片超过 10 MB');
    return data;
  }

  async function upload(corpId: string, url: string, key: string): Promise<string> {
    const data = await download(url);
    const kind = imageKind(data);
    if (!kind) throw new ImageSourceError('图片格式须为 JPG 或 PNG');
    const res = await deps
      .api(corpId)
      .uploadMedia('image', { filename: `image.${kind.ext}`, contentType: kind.contentType, data });
    const createdAt = Number(res.created_at) * 1000;
    const base = Number.isFinite(createdAt) && createdAt > 0 ? createdAt : now();
    await deps.repo.save(deps.db, {
      corpId,
      sourceKey: key,
      mediaId: res.media_id,
      expiresAt: base + MEDIA_LIFETIME_MS,
    });
    return res.media_id;
  }

  return {
    async imageMediaId(corpId: string, url: string): Promise<string> {
      const key = createHash('sha256').update(`url:${url}`).digest('hex');
      const cached = await deps.repo.find(deps.db, corpId, key);
      if (cached && cached.expiresAt - SAFETY_MARGIN_MS > now()) return cached.mediaId;
      const flightKey = `${corpId}|${key}`;
      let pending = inflight.get(flightKey);
      if (!pending) {
        pending = upload(corpId, url, key).finally(() => inflight.delete(flightKey));
        inflight.set(flightKey, pending);
      }
      return pending;
    },
  };
}
export type MediaService = ReturnType<typeof createMediaService>;
