import { ref } from 'vue';
import { canonicalTimeZone, dayInZone, pad2, utcMs, wallTime, zonedTime } from '@shared/time-zone';
import type { Share } from '../api/types';

/**
 * Numbers, shares, durations and moments as the console shows them. Moments are on the corp's clocks (the zone of
 * `GET /api/console/me`, the zone the server counts days in), so "今天" here is the day the figures call today.
 * Until the zone is known the browser's own is used; a ref, so what was rendered before is rendered again.
 */
const corpZone = ref<string | null>(null);

export function setDisplayTimeZone(zone: string | null | undefined): void {
  corpZone.value = zone ? canonicalTimeZone(zone) : null;
}

export function displayTimeZone(): string {
  return corpZone.value ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * A zone as people here call it (Asia/Shanghai → 中国标准时间), from the browser's own zone names; the zone id when
 * the browser has no name for it.
 */
export function timeZoneLabel(zone: string = displayTimeZone()): string {
  try {
    const name = new Intl.DateTimeFormat('zh-CN', { timeZone: zone, timeZoneName: 'longGeneric' })
      .formatToParts(0)
      .find((p) => p.type === 'timeZoneName')?.value;
    return name || zone;
  } catch {
    return zone;
  }
}

export const EMPTY = '—';

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return EMPTY;
  return n.toLocaleString('zh-CN');
}

/** 0.4567 → `45.7%`; null (nothing to divide by) → `—`. */
export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return EMPTY;
  return `${(rate * 100).toFixed(digits)}%`;
}

export function formatShare(share: Share | null | undefined): string {
  return formatPercent(share?.rate);
}

/** What a share was computed from, for its tooltip: `38 / 52`. */
export function shareFraction(share: Share | null | undefined): string {
  return share ? `${formatNumber(share.count)} / ${formatNumber(share.of)}` : EMPTY;
}

/** Working-time seconds as a person reads them: `45 秒`, `3 分 20 秒`, `2 小时 5 分`. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return EMPTY;
  const s = Math.round(seconds);
  if (s < 60) return `${s} 秒`;
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} 分 ${rest} 秒` : `${s / 60} 分钟`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} 小时 ${m} 分` : `${h} 小时`;
}

/** WeCom's own reply time is an average in minutes. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return EMPTY;
  return `${minutes.toFixed(minutes < 10 ? 1 : 0)} 分钟`;
}

const dateOf = (w: { year: number; month: number; day: number }) =>
  `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;

export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EMPTY;
  return dateOf(wallTime(ms, displayTimeZone()));
}

export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EMPTY;
  const w = wallTime(ms, displayTimeZone());
  return `${dateOf(w)} ${pad2(w.hour)}:${pad2(w.minute)}`;
}

export function formatClock(ms: number): string {
  const w = wallTime(ms, displayTimeZone());
  return `${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

// ---- days of the corp (YYYY-MM-DD) ---------------------------------------------------------------------------------

/** Today on the corp's calendar. */
export function today(now: number = Date.now()): string {
  return dayInZone(now, displayTimeZone());
}

/** A day plus `n` calendar days (negative: before). Plain date arithmetic, no time zone involved. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(utcMs(y, m, d + n)).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  const ms = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    return utcMs(y, m, d);
  };
  return Math.round((ms(to) - ms(from)) / 86_400_000) + 1;
}

export function firstOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** The start of a corp day in ms (for APIs that take moments, e.g. message search). */
export function dayStart(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zonedTime(displayTimeZone(), y, m, d, 0, 0, 0);
}

/** `2026-03-05` → `3月5日` (chart axes). */
export function shortDay(day: string): string {
  const [, m, d] = day.split('-').map(Number);
  return `${m}月${d}日`;
}
