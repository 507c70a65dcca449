import { UpstreamError } from '../../errors.js';

/** WeCom's QR images are a few KB; anything near this is not a QR code. */
export const MAX_QR_BYTES = 2 * 1024 * 1024;
export const QR_FETCH_TIMEOUT_MS = 5_000;

export interface QrImage {
  data: Buffer;
  contentType: 'image/png' | 'image/jpeg';
  ext: 'png' | 'jpg';
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG or JPEG by its first bytes (never by the answer's content-type, which a CDN may get wrong); else null. */
export function qrImageKind(data: Buffer): Pick<QrImage, 'contentType' | 'ext'> | null {
  if (data.length > PNG_MAGIC.length && data.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) {
    return { contentType: 'image/png', ext: 'png' };
  }
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    return { contentType: 'image/jpeg', ext: 'jpg' };
  }
  return null;
}

const unreachable = (reason: string) => new UpstreamError('无法从企业微信获取二维码图片，请稍后重试', { reason });

/** Reads the body up to `limit` bytes; more is refused without buffering the rest. */
async function readLimited(res: Response, limit: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw unreachable(`image larger than ${limit} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads a channel code's QR image from the URL WeCom returned for it (add_contact_way's `qr_code`, as stored).
 * Only http(s); a timeout; the answer must be a PNG or JPEG by its magic bytes. Every failure is a 502 in Chinese:
 * the code exists, WeCom's image host did not give a usable image.
 */
export async function fetchQrImage(
  url: string,
  fetchFn: typeof fetch = globalThis.fetch,
  timeoutMs = QR_FETCH_TIMEOUT_MS,
): Promise<QrImage> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpstreamError('企业微信返回的二维码地址无效', { reason: 'invalid url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UpstreamError('企业微信返回的二维码地址无效', { reason: `protocol ${parsed.protocol}` });
  }
  let data: Buffer;
  try {
    const res = await fetchFn(parsed.href, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
      headers: { accept: 'image/png, image/jpeg;q=0.9' },
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw unreachable(`HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_QR_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw unreachable(`content-length ${declared}`);
    }
    data = await readLimited(res, MAX_QR_BYTES);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    const name = (err as Error).name;
    throw unreachable(name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${timeoutMs} ms` : name);
  }
  const kind = qrImageKind(data);
  if (!kind) throw new UpstreamError('企业微信返回的二维码不是 PNG 或 JPEG 图片', { reason: 'not an image' });
  return { data, ...kind };
}
