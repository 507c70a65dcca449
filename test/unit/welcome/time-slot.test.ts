import { describe, expect, it } from 'vitest';
import { zonedTime } from '../../../shared/time-zone.js';
import {
  formatClockTime,
  localClock,
  parseClockTime,
  selectBySlot,
  slotMatches,
} from '../../../server/modules/welcome/time-slot.js';

const at = (weekday: number, hh: number, mm = 0) => ({ weekday, minute: hh * 60 + mm });
const slot = (weekdays: number[], start: string, end: string) => ({
  weekdays,
  startMinute: parseClockTime(start)!,
  endMinute: parseClockTime(end)!,
});

describe('slotMatches', () => {
  const office = slot([1, 2, 3, 4, 5], '09:00', '18:00');
  const nights = slot([1, 2, 3, 4, 5], '18:00', '09:00');
  const weekend = slot([6, 7], '00:00', '00:00');

  it('a same-day range is [start, end) on the listed weekdays', () => {
    expect(slotMatches(office, at(1, 9))).toBe(true);
    expect(slotMatches(office, at(5, 17, 59))).toBe(true);
    expect(slotMatches(office, at(5, 18))).toBe(false);
    expect(slotMatches(office, at(3, 8, 59))).toBe(false);
    expect(slotMatches(office, at(6, 10))).toBe(false);
  });

  it('an overnight range belongs to the day it starts', () => {
    expect(slotMatches(nights, at(1, 18))).toBe(true);
    expect(slotMatches(nights, at(1, 23, 59))).toBe(true);
    expect(slotMatches(nights, at(2, 0))).toBe(true); // Monday night
    expect(slotMatches(nights, at(2, 8, 59))).toBe(true);
    expect(slotMatches(nights, at(2, 9))).toBe(false);
    expect(slotMatches(nights, at(6, 3))).toBe(true); // Friday night runs into Saturday
    expect(slotMatches(nights, at(6, 18))).toBe(false); // Saturday evening is not a weekday
    expect(slotMatches(nights, at(1, 3))).toBe(false); // Sunday night is not listed
    expect(slotMatches(nights, at(1, 12))).toBe(false);
  });

  it('wraps Sunday → Monday: a Sunday overnight slot covers early Monday', () => {
    const sundayNight = slot([7], '20:00', '06:00');
    expect(slotMatches(sundayNight, at(1, 5, 59))).toBe(true);
    expect(slotMatches(sundayNight, at(1, 6))).toBe(false);
    expect(slotMatches(sundayNight, at(7, 5))).toBe(false);
  });

  it('equal start and end is the whole day; 24:00 is midnight', () => {
    expect(slotMatches(weekend, at(6, 0))).toBe(true);
    expect(slotMatches(weekend, at(7, 23, 59))).toBe(true);
    expect(slotMatches(weekend, at(1, 0))).toBe(false);
    const evening = slot([3], '18:00', '24:00');
    expect(slotMatches(evening, at(3, 23, 59))).toBe(true);
    expect(slotMatches(evening, at(4, 0))).toBe(false);
  });
});

describe('selectBySlot', () => {
  it('the first matching variant wins, else the base', () => {
    const base = { text: 'base' };
    const variants = [
      { text: 'nights', ...slot([1, 2, 3, 4, 5], '18:00', '09:00') },
      { text: 'weekend', ...slot([6, 7], '00:00', '00:00') },
    ];
    const zone = 'Asia/Shanghai';
    const when = (y: number, m: number, d: number, hh: number) => zonedTime(zone, y, m, d, hh);
    // 2024-06-14 was a Friday.
    expect(selectBySlot(base, variants, when(2024, 6, 14, 12), zone)).toEqual({ message: base, index: null });
    expect(selectBySlot(base, variants, when(2024, 6, 14, 20), zone).index).toBe(0);
    expect(selectBySlot(base, variants, when(2024, 6, 15, 3), zone).index).toBe(0);
    expect(selectBySlot(base, variants, when(2024, 6, 15, 12), zone).index).toBe(1);
    expect(selectBySlot(base, [], when(2024, 6, 15, 12), zone)).toEqual({ message: base, index: null });
    // Friday 20:00 in Shanghai is Friday 12:00 UTC: a corp in UTC would be in office hours then.
    expect(selectBySlot(base, variants, when(2024, 6, 14, 20), 'UTC').index).toBeNull();
  });
});

describe('clock helpers', () => {
  it("localClock gives ISO weekdays and minutes on the corp zone's clocks", () => {
    expect(localClock(Date.parse('2024-06-15T23:05:00Z'), 'Asia/Shanghai')).toEqual({ weekday: 7, minute: 425 });
    expect(localClock(Date.parse('2024-06-16T16:00:00Z'), 'Asia/Shanghai')).toEqual({ weekday: 1, minute: 0 });
    expect(localClock(Date.parse('2024-06-16T16:00:00Z'), 'UTC')).toEqual({ weekday: 7, minute: 960 });
  });

  it('parses and formats HH:MM', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('09:30')).toBe(570);
    expect(parseClockTime('24:00')).toBe(0);
    for (const bad of ['24:01', '25:00', '9:00', '09:60', '0900', '']) expect(parseClockTime(bad)).toBeNull();
    expect(formatClockTime(570)).toBe('09:30');
    expect(formatClockTime(0)).toBe('00:00');
  });
});
