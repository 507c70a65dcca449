import { describe, expect, it } from 'vitest';
import { zonedTime } from '../../../shared/time-zone.js';
import {
  addWorkingMs,
  DEFAULT_WEEKLY,
  isWorkingTime,
  workingMsBetween,
  type Calendar,
} from '../../../server/modules/work-calendar/calendar.js';

const SH = 'Asia/Shanghai';
const MIN = 60_000;
const at = (day: number, hour: number, minute = 0, tz = SH) => zonedTime(tz, 2026, 12, day, hour, minute);
// 2026-12-07 is a Monday.
const calendar: Calendar = { weekly: DEFAULT_WEEKLY, exceptions: {}, timeZone: SH };

describe('working calendar', () => {
  it('working time is the weekly spans of the corp zone, whatever the process zone', () => {
    expect(isWorkingTime(calendar, at(7, 9, 0))).toBe(true);
    expect(isWorkingTime(calendar, at(7, 12, 30))).toBe(false); // lunch
    expect(isWorkingTime(calendar, at(7, 18, 0))).toBe(false); // end is exclusive
    expect(isWorkingTime(calendar, at(12, 10, 0))).toBe(false); // Saturday
  });

  it('counts only working minutes between two moments, across lunch, nights and weekends', () => {
    expect(workingMsBetween(calendar, at(7, 11, 50), at(7, 13, 40))).toBe(20 * MIN);
    expect(workingMsBetween(calendar, at(11, 17, 50), at(14, 9, 10))).toBe(20 * MIN); // Friday evening → Monday
    expect(workingMsBetween(calendar, at(7, 19, 0), at(7, 20, 0))).toBe(0);
    expect(workingMsBetween(calendar, at(7, 10, 0), at(7, 9, 0))).toBe(0);
  });

  it('a holiday has no working time and a make-up day has its own hours', () => {
    const withExceptions: Calendar = {
      ...calendar,
      exceptions: { '2026-12-07': [], '2026-12-12': [{ start: 10 * 60, end: 11 * 60 }] },
    };
    expect(isWorkingTime(withExceptions, at(7, 10, 0))).toBe(false);
    expect(isWorkingTime(withExceptions, at(12, 10, 30))).toBe(true);
    expect(workingMsBetween(withExceptions, at(12, 0, 0), at(13, 0, 0))).toBe(60 * MIN);
  });

  it('adds working minutes: a nudge 30 working minutes after 17:45 on Friday is due on Monday at 09:15', () => {
    expect(addWorkingMs(calendar, at(11, 17, 45), 30 * MIN)).toBe(at(14, 9, 15));
    expect(addWorkingMs(calendar, at(7, 11, 50), 20 * MIN)).toBe(at(7, 13, 40));
    expect(addWorkingMs({ ...calendar, weekly: {} }, at(7, 9, 0), MIN)).toBeNull();
  });

  it('days follow the zone across daylight saving (New York, 2026-11-01 has 25 hours)', () => {
    const ny: Calendar = {
      weekly: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ start: 0, end: 1440 }]])),
      exceptions: {},
      timeZone: 'America/New_York',
    };
    const from = zonedTime('America/New_York', 2026, 11, 1, 0, 0);
    const to = zonedTime('America/New_York', 2026, 11, 2, 0, 0);
    expect(workingMsBetween(ny, from, to)).toBe(25 * 60 * MIN);
  });
});
