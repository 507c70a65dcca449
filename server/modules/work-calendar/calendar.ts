import { dayInZone, wallTime, zonedTime } from '../../../shared/time-zone.js';
import type { WorkingSpan } from '../../../shared/schemas/work-calendar.js';

/** The working calendar of a corp, resolved: what is working time, in the corp's zone. */
export interface Calendar {
  weekly: Record<string, WorkingSpan[]>;
  exceptions: Record<string, WorkingSpan[]>;
  timeZone: string;
}

/** Monday to Friday, 09:00–12:00 and 13:30–18:00: the calendar a corp has until someone sets its own. */
export const DEFAULT_WEEKLY: Record<string, WorkingSpan[]> = Object.fromEntries(
  ['1', '2', '3', '4', '5', '6', '7'].map((d) => [
    d,
    Number(d) <= 5
      ? [
          { start: 9 * 60, end: 12 * 60 },
          { start: 13 * 60 + 30, end: 18 * 60 },
        ]
      : [],
  ]),
);

/** The working spans of the corp-zone day containing `ms`, as absolute [start, end) moments. */
export function spansOfDay(calendar: Calendar, ms: number): Array<[number, number]> {
  const day = dayInZone(ms, calendar.timeZone);
  const w = wallTime(ms, calendar.timeZone);
  const spans = calendar.exceptions[day] ?? calendar.weekly[String(w.weekday)] ?? [];
  return spans
    .filter((s) => s.end > s.start)
    .map((s) => [
      zonedTime(calendar.timeZone, w.year, w.month, w.day, 0, s.start),
      zonedTime(calendar.timeZone, w.year, w.month, w.day, 0, s.end),
    ]);
}

export function isWorkingTime(calendar: Calendar, ms: number): boolean {
  return spansOfDay(calendar, ms).some(([a, b]) => ms >= a && ms < b);
}

/** Noon of each corp-zone day from the one containing `from` on: stepping by noons never skips or repeats a day. */
function* noons(calendar: Calendar, from: number): Generator<number> {
  const w = wallTime(from, calendar.timeZone);
  for (let i = 0; ; i++) yield zonedTime(calendar.timeZone, w.year, w.month, w.day + i, 12);
}

/** Working milliseconds in [from, to): what a reply-time or a nudge's clock counts. */
export function workingMsBetween(calendar: Calendar, from: number, to: number): number {
  if (to <= from) return 0;
  const lastDay = dayInZone(to, calendar.timeZone);
  let total = 0;
  for (const noon of noons(calendar, from)) {
    for (const [a, b] of spansOfDay(calendar, noon)) total += Math.max(0, Math.min(b, to) - Math.max(a, from));
    if (dayInZone(noon, calendar.timeZone) >= lastDay) break;
  }
  return total;
}

/**
 * The moment `workingMs` of working time after `from` is reached (a nudge "after 30 working minutes"); null when the
 * calendar has no working time in the next 60 days.
 */
export function addWorkingMs(calendar: Calendar, from: number, workingMs: number): number | null {
  let left = workingMs;
  let day = 0;
  for (const noon of noons(calendar, from)) {
    if (day++ >= 60) return null;
    for (const [a, b] of spansOfDay(calendar, noon)) {
      const start = Math.max(a, from);
      if (b <= start) continue;
      if (b - start >= left) return start + left;
      left -= b - start;
    }
  }
  return null;
}
