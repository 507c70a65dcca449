import { wallTime } from '../../../shared/time-zone.js';

/**
 * Time-slot variants of a welcome message (pure). A slot is a set of ISO weekdays (1 Mon … 7 Sun) and a local time
 * range [start, end) in minutes since midnight. `end < start` wraps past midnight, and the weekday is the day the
 * slot starts: "Fri 18:00–09:00" covers Saturday 03:00 but not Friday 03:00. `start == end` is the whole day.
 */

export interface TimeSlot {
  weekdays: number[];
  startMinute: number;
  endMinute: number;
}

export const MINUTES_PER_DAY = 24 * 60;

/** ISO weekday and minute of the day of `ms` in the corp's time zone (CORP_TIME_ZONE), not the server's. */
export function localClock(ms: number, timeZone: string): { weekday: number; minute: number } {
  const w = wallTime(ms, timeZone);
  return { weekday: w.weekday, minute: w.hour * 60 + w.minute };
}

const previousWeekday = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);

export function slotMatches(slot: TimeSlot, at: { weekday: number; minute: number }): boolean {
  const { startMinute: start, endMinute: end, weekdays } = slot;
  if (start === end) return weekdays.includes(at.weekday);
  if (start < end) return weekdays.includes(at.weekday) && at.minute >= start && at.minute < end;
  if (at.minute >= start) return weekdays.includes(at.weekday);
  return at.minute < end && weekdays.includes(previousWeekday(at.weekday));
}

/** The first variant whose slot contains `atMs`, else the base message; `index` is the variant's position or null. */
export function selectBySlot<T>(
  base: T,
  variants: Array<T & TimeSlot>,
  atMs: number,
  timeZone: string,
): { message: T; index: number | null } {
  const at = localClock(atMs, timeZone);
  const index = variants.findIndex((v) => slotMatches(v, at));
  return index === -1 ? { message: base, index: null } : { message: variants[index]!, index };
}

/** `"HH:MM"` (00:00 … 24:00) → minutes since midnight, or null when malformed. */
export function parseClockTime(value: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > MINUTES_PER_DAY ? null : minutes % MINUTES_PER_DAY;
}

export function formatClockTime(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
