import { ref } from 'vue';
import { canonicalTimeZone, pad2 as pad, utcMs, wallTime, zonedTime, type WallTime } from '@shared/time-zone';

/**
 * Dates as the corp reads them: on the clocks of the corp's time zone (CORP_TIME_ZONE, from `GET /api/me`), the
 * zone the server counts days in, so "今天" here is the day the statistics call today. Until the zone is known
 * (or if it is unusable) the browser's own zone is used. A ref, so what was rendered before `/api/me` answered is
 * rendered again in the corp's zone.
 */
const corpZone = ref<string | null>(null);

/** Set from `/api/me`; null or an unknown zone falls back to the browser's zone. */
export function setDisplayTimeZone(zone: string | null | undefined): void {
  corpZone.value = zone ? canonicalTimeZone(zone) : null;
}

/** The zone times are shown in. */
export function displayTimeZone(): string {
  return corpZone.value ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const dateOf = (w: Pick<WallTime, 'year' | 'month' | 'day'>) =>
  `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}`;
const timeOf = (w: WallTime) => `${pad(w.hour)}:${pad(w.minute)}`;

export function formatDate(ms: number): string {
  return dateOf(wallTime(ms, displayTimeZone()));
}

export function formatDateTime(ms: number): string {
  const w = wallTime(ms, displayTimeZone());
  return `${dateOf(w)} ${timeOf(w)}`;
}

/** "刚刚", "5 分钟前", "今天 14:03", "昨天 09:12", or the date: what a timeline reads best. */
export function formatRelative(ms: number, now: number = Date.now()): string {
  const diff = now - ms;
  if (diff >= 0 && diff < 60_000) return '刚刚';
  if (diff >= 0 && diff < 3_600_000) return `${Math.floor(diff / 60_000)} 分钟前`;
  const zone = displayTimeZone();
  const w = wallTime(ms, zone);
  const today = wallTime(now, zone);
  // Calendar days, not 24-hour steps: a day with a daylight saving change is 23 or 25 hours long.
  const yesterday = new Date(utcMs(today.year, today.month, today.day - 1)).toISOString().slice(0, 10);
  const day = dateOf(w);
  if (day === dateOf(today)) return `今天 ${timeOf(w)}`;
  if (day === yesterday) return `昨天 ${timeOf(w)}`;
  if (w.year === today.year) return `${w.month}月${w.day}日 ${timeOf(w)}`;
  return `${day} ${timeOf(w)}`;
}

/** `<input type="datetime-local">` value ↔ ms, on the corp's clocks like everything shown. */
export function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const w = wallTime(ms, displayTimeZone());
  return `${dateOf(w)}T${timeOf(w)}`;
}

export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = zonedTime(displayTimeZone(), year, month, day, hour, minute, second);
  return Number.isFinite(ms) ? ms : null;
}

/** Only http(s) links become clickable: a script's link must never run `javascript:`. */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
