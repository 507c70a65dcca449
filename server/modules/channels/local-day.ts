/** Calendar days of the server's time zone, as `YYYY-MM-DD` strings (they sort and compare as text). */

const pad = (n: number) => String(n).padStart(2, '0');

export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight of a `YYYY-MM-DD` day, or null when the text is not a real date. */
export function parseLocalDay(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return localDay(d.getTime()) === day ? d.getTime() : null;
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const start = parseLocalDay(from);
  const end = parseLocalDay(to);
  if (start === null || end === null || start > end) return [];
  const days: string[] = [];
  // Step by calendar day, not by 86 400 000 ms, so DST changes cannot skip or repeat a day.
  for (const d = new Date(start); d.getTime() <= end; d.setDate(d.getDate() + 1)) days.push(localDay(d.getTime()));
  return days;
}
