/**
 * Cutting text to WeCom's byte limits (pure). Group robot markdown takes at most 4096 bytes of UTF-8 and text 2048;
 * a longer digest is split on line boundaries, a line longer than a part is cut between characters (grapheme
 * clusters: never inside a UTF-8 sequence, nor between an emoji and its modifiers).
 */

export const ROBOT_MARKDOWN_MAX_BYTES = 4096;
export const ROBOT_TEXT_MAX_BYTES = 2048;

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** Cuts `text` into pieces of at most `maxBytes` bytes, between grapheme clusters. */
export function cutByBytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must leave room for one character');
  const out: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    let size = utf8Bytes(segment);
    let seg = segment;
    if (size > maxBytes) {
      // A cluster larger than a whole part (absurdly long combining sequences): keep its first code points.
      seg = truncateUtf8(segment, maxBytes);
      size = utf8Bytes(seg);
    }
    if (bytes + size > maxBytes) {
      out.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += seg;
    bytes += size;
  }
  if (piece !== '' || out.length === 0) out.push(piece);
  return out;
}

/** At most `maxBytes` bytes of `text`, cut between characters; `…` marks a cut when it fits. */
export function truncateUtf8(text: string, maxBytes: number, ellipsis = ''): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const room = maxBytes - utf8Bytes(ellipsis);
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Bytes(segment);
    if (bytes + size > room) break;
    out += segment;
    bytes += size;
  }
  if (out === '') {
    // Not even one cluster fits: fall back to code points.
    for (const ch of text) {
      const size = utf8Bytes(ch);
      if (bytes + size > room) break;
      out += ch;
      bytes += size;
    }
  }
  return out + ellipsis;
}

const trimBlankLines = (text: string) => text.replace(/^(?:[ \t]*\n)+/, '').replace(/(?:\n[ \t]*)+$/, '');

/**
 * Splits `text` into parts of at most `maxBytes` bytes, on line boundaries where it can: lines are kept whole and
 * packed in order, a line too long for a part is cut between characters. When there are several parts, each after
 * the first starts with `（续 i/n）` so the reader knows it continues.
 */
export function splitOnLines(text: string, maxBytes: number): string[] {
  if (utf8Bytes(text) <= maxBytes) return [text];
  // Room for the continuation marker: `（续 99/99）\n` is 20 bytes.
  const limit = maxBytes - 24;
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (utf8Bytes(candidate) <= limit) {
      current = candidate;
      continue;
    }
    if (current !== '') parts.push(current);
    current = '';
    if (utf8Bytes(line) <= limit) {
      current = line;
      continue;
    }
    const pieces = cutByBytes(line, limit);
    parts.push(...pieces.slice(0, -1));
    current = pieces[pieces.length - 1] ?? '';
  }
  if (current !== '') parts.push(current);
  const cleaned = parts.map(trimBlankLines).filter((p) => p !== '');
  if (cleaned.length <= 1) return cleaned.length === 1 ? cleaned : [truncateUtf8(text, maxBytes)];
  return cleaned.map((p, i) => (i === 0 ? p : `（续 ${i + 1}/${cleaned.length}）\n${p}`));
}
