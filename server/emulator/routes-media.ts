import { ok, type ApiRoute } from './cgi.js';
import { MEDIA_TTL_SECONDS, type EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { newMediaId } from './ids.js';
import { boundaryOf, parseMultipart, type MultipartPart } from './multipart.js';
import type { MediaRecord } from './types.js';

const MEDIA_TYPES = ['image', 'voice', 'video', 'file'] as const;
/** 上传的媒体文件限制: image 10 MB (jpg/png), voice 2 MB (amr), video 10 MB (mp4), file 20 MB; every file > 5 bytes. */
const LIMITS: Record<(typeof MEDIA_TYPES)[number], { maxBytes: number; ext: RegExp | null }> = {
  image: { maxBytes: 10 * 1024 * 1024, ext: /\.(jpe?g|png)$/i },
  voice: { maxBytes: 2 * 1024 * 1024, ext: /\.amr$/i },
  video: { maxBytes: 10 * 1024 * 1024, ext: /\.mp4$/i },
  file: { maxBytes: 20 * 1024 * 1024, ext: null },
};

function filePart(body: unknown, contentType: string | undefined): MultipartPart | null {
  const boundary = boundaryOf(contentType);
  if (!boundary || !Buffer.isBuffer(body)) return null;
  const parts = parseMultipart(body, boundary);
  return (
    parts?.find((p) => p.name === 'media' && p.filename !== undefined) ??
    parts?.find((p) => p.filename !== undefined) ??
    null
  );
}

/** Images up to this size keep their bytes (in the state file too); the demo's pictures are a few KB. */
const MAX_KEPT_IMAGE_BYTES = 1024 * 1024;

/** media/upload (临时素材), multipart with the file in the `media` field. */
export function mediaRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/media/upload',
      logBody: (req) => {
        const part = filePart(req.body, req.contentType);
        return part ? { filename: part.filename, contentType: part.contentType, size: part.data.length } : null;
      },
      handler: (req) => {
        const type = req.query.type as (typeof MEDIA_TYPES)[number];
        if (!(MEDIA_TYPES as readonly string[]).includes(type))
          fail('invalidTypeParam', 'type must be image, voice, video or file');
        const part = filePart(req.body, req.contentType);
        if (!part || part.data.length === 0) fail('emptyMedia');
        const limit = LIMITS[type];
        if (part.data.length <= 5)
          fail(type === 'image' ? 'invalidImageSize' : 'emptyMedia', 'files must be larger than 5 bytes');
        if (part.data.length > limit.maxBytes) fail(type === 'image' ? 'invalidImageSize' : 'mediaTooLarge');
        if (limit.ext && !limit.ext.test(part.filename ?? '')) fail('invalidMediaType', part.filename ?? '');

        const now = core.clock.nowSeconds();
        // Expired media are forgotten, so a media_id older than 3 days answers 40007 like WeCom's.
        core.data.media = core.data.media.filter((m) => m.created_at + MEDIA_TTL_SECONDS > now);
        const record: MediaRecord = {
          media_id: newMediaId(),
          type,
          created_at: now,
          filename: part.filename ?? '',
          content_type: part.contentType ?? 'application/octet-stream',
          size: part.data.length,
          // Pictures are shown on the emulator's pages and in the stand-in chat; other files only counted.
          ...(type === 'image' && part.data.length <= MAX_KEPT_IMAGE_BYTES
            ? { data: part.data.toString('base64') }
            : {}),
        };
        core.data.media.push(record);
        core.changed();
        // WeCom writes created_at as a string.
        return ok({ type, media_id: record.media_id, created_at: String(now) });
      },
    },
  ];
}
