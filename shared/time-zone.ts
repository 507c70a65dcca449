/**
 * Wall-clock time in an IANA time zone, with `Intl` only (no library): what the server uses for the corp's calendar
 * days and the sidebar for the times it shows. Everything takes the zone explicitly, so nothing depends on the zone
 * of the process or of the browser.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A moment as a clock on the wall of the zone shows it. `weekday` is ISO: 1 Monday … 7 Sunday. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The canonical name of an IANA zone (`asia/shanghai` → `Asia/Shanghai`), or null when it is not one. Only
 * `Area/Location` names and `UTC` are taken: abbreviations are ambiguous and ICU reads them its own way (`CST` is
 * Chicago, not China), and a fixed offset (`+08:00`) has no daylight saving rules.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(name) && name.toUpperCase() !== 'UTC') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function wallTime(ms: number, timeZone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
  };
}

/** `Date.UTC` without its quirk of reading years 0–99 as 1900–1999. Fields out of range roll over. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** How far the zone's clocks are ahead of UTC at `ms`, in ms (Shanghai: +8 h). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallTime(whole, timeZone);
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The moment the zone's clocks show the given wall time (month 1–12; out-of-range fields roll over as in
 * `Date.UTC`). Across daylight saving changes it answers as Temporal's `compatible` mode: a time that occurs twice
 * (clocks going back) is the earlier one; a time that is skipped (clocks going forward) is read with the offset from
 * before the change, so it lands after the gap (02:30 on a New York spring-forward day is 03:30 EDT).
 */
export function zonedTime(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const asUtc = utcMs(year, month, day, hour, minute, second);
  // Zones change their offset at most once within a day or so: the offsets a day before and after are the candidates.
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const matches = [asUtc - before, asUtc - after].filter((t) => t + offsetAt(t, timeZone) === asUtc);
  if (matches.length > 0) return Math.min(...matches);
  return asUtc - before;
}

/** `YYYY-MM-DD` of the zone's calendar day containing `ms`. */
export function dayInZone(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;
}

export const pad2 = (n: number) => String(n).padStart(2, '0');
