/** The parts of a text around the places a word occurs (case-insensitive), for highlighting. */
export function splitMatches(text: string, word: string): { text: string; hit: boolean }[] {
  const needle = word.trim().toLowerCase();
  if (!needle) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (;;) {
    const found = lower.indexOf(needle, at);
    if (found < 0) break;
    if (found > at) parts.push({ text: text.slice(at, found), hit: false });
    parts.push({ text: text.slice(found, found + needle.length), hit: true });
    at = found + needle.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts.length ? parts : [{ text, hit: false }];
}

export const DIRECTION_TEXT: Record<string, string> = {
  customer_to_rep: '客户发送',
  rep_to_customer: '员工发送',
  internal: '内部消息',
};
