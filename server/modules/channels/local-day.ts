/**
 * Calendar days of the corp's time zone (CORP_TIME_ZONE), as `YYYY-MM-DD` strings (they sort and compare as text).
 * The zone is always passed in: a rep in Shanghai who adds a customer at 00:34 counts it on that day, whatever the
 * zone of the server process.
 */
import { dayInZone, utcMs, zonedTime } from '../../../shared/time-zone.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day of the zone containing `ms`. */
export function localDay(ms: number, timeZone: string): string {
  return dayInZone(ms, timeZone);
}

/** `[year, month, day]` of a real calendar date, or null. */
function partsOf(day: string): [number, number, number] | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(utcMs(y, mo, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d ? [y, mo, d] : null;
}

/**
 * The first moment of a `YYYY-MM-DD` day in the zone (its midnight, or the end of the gap in a zone whose clocks
 * skip midnight), or null when the text is not a real date.
 */
export function parseLocalDay(day: string, timeZone: string): number | null {
  const parts = partsOf(day);
  return parts ? zonedTime(timeZone, ...parts) : null;
}

/** The calendar day after `day` (a valid `YYYY-MM-DD`); calendar arithmetic, no zone involved. */
export function nextDay(day: string): string {
  const parts = partsOf(day);
  if (!parts) throw new RangeError(`not a calendar day: ${day}`);
  return dayInZone(utcMs(parts[0], parts[1], parts[2] + 1), 'UTC');
}

/** `[start, end)` in ms of the days `from` … `to` (both included) in the zone, or null for an invalid day. */
export function dayRange(from: string, to: string, timeZone: string): { startMs: number; endMs: number } | null {
  const startMs = parseLocalDay(from, timeZone);
  if (startMs === null || !partsOf(to)) return null;
  return { startMs, endMs: parseLocalDay(nextDay(to), timeZone)! };
}

/** How many days `from` … `to` covers (both included; 0 when `to` is before `from` or a day is invalid). */
export function dayCount(from: string, to: string): number {
  const a = partsOf(from);
  const b = partsOf(to);
  if (!a || !b) return 0;
  return Math.max(0, Math.round((utcMs(...b) - utcMs(...a)) / 86_400_000) + 1);
}

/** Every day from `from` to `to`, both included (calendar days: a 23- or 25-hour day is still one day). */
export function daysBetween(from: string, to: string): string[] {
  if (!partsOf(from) || !partsOf(to) || from > to) return [];
  const days: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) days.push(d);
  return days;
}
