import { afterEach, describe, expect, it } from 'vitest';
import { canonicalTimeZone, dayInZone, wallTime, zonedTime } from '../../shared/time-zone.js';
import {
  dayCount,
  dayRange,
  daysBetween,
  localDay,
  nextDay,
  parseLocalDay,
} from '../../server/modules/channels/local-day.js';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('wall time in a zone', () => {
  const processZone = process.env.TZ;
  afterEach(() => {
    if (processZone === undefined) delete process.env.TZ;
    else process.env.TZ = processZone;
  });

  it('00:34 in Shanghai is 16:34 UTC of the day before, and is on the Shanghai day', () => {
    const at = utc('2024-06-14T16:34:00');
    expect(wallTime(at, SHANGHAI)).toEqual({
      year: 2024,
      month: 6,
      day: 15,
      hour: 0,
      minute: 34,
      second: 0,
      weekday: 6,
    });
    expect(localDay(at, SHANGHAI)).toBe('2024-06-15');
    expect(localDay(at, 'UTC')).toBe('2024-06-14');
  });

  it('does not depend on the zone of the process', () => {
    const at = utc('2024-06-14T16:34:00');
    for (const zone of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
      process.env.TZ = zone;
      expect(new Date(2024, 0, 1).getTimezoneOffset() === 0).toBe(zone === 'UTC'); // the process zone did change
      expect(localDay(at, SHANGHAI)).toBe('2024-06-15');
      expect(parseLocalDay('2024-06-15', SHANGHAI)).toBe(utc('2024-06-14T16:00:00'));
    }
  });

  it('turns a wall time back into the moment, in both directions', () => {
    expect(zonedTime(SHANGHAI, 2024, 6, 15, 0, 34)).toBe(utc('2024-06-14T16:34:00'));
    expect(zonedTime(NEW_YORK, 2024, 1, 15, 9, 0)).toBe(utc('2024-01-15T14:00:00')); // EST, UTC-5
    expect(zonedTime(NEW_YORK, 2024, 7, 15, 9, 0)).toBe(utc('2024-07-15T13:00:00')); // EDT, UTC-4
    expect(zonedTime('UTC', 2024, 2, 29)).toBe(utc('2024-02-29T00:00:00'));
  });

  it('reads a skipped time after the gap and a repeated time as the earlier one (New York DST)', () => {
    // 2024-03-10 02:00 EST → 03:00 EDT: 02:30 never shows on a New York clock.
    expect(zonedTime(NEW_YORK, 2024, 3, 10, 2, 30)).toBe(utc('2024-03-10T07:30:00')); // = 03:30 EDT
    // 2024-11-03 02:00 EDT → 01:00 EST: 01:30 shows twice; the first is 05:30 UTC.
    expect(zonedTime(NEW_YORK, 2024, 11, 3, 1, 30)).toBe(utc('2024-11-03T05:30:00'));
  });

  it('refuses names that are not IANA zones', () => {
    expect(canonicalTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['CST', 'EST5EDT', '+08:00', 'GMT+8', 'Asia/Beijing', '', 'Asia/Shanghai/', '../etc/passwd']) {
      expect(canonicalTimeZone(bad), bad).toBeNull();
    }
  });
});

describe('corp calendar days', () => {
  it('a Shanghai day runs from 16:00 UTC to 16:00 UTC', () => {
    expect(parseLocalDay('2024-06-15', SHANGHAI)).toBe(utc('2024-06-14T16:00:00'));
    expect(dayRange('2024-06-15', '2024-06-15', SHANGHAI)).toEqual({
      startMs: utc('2024-06-14T16:00:00'),
      endMs: utc('2024-06-15T16:00:00'),
    });
    expect(localDay(utc('2024-06-14T15:59:59.999'), SHANGHAI)).toBe('2024-06-14');
    expect(localDay(utc('2024-06-14T16:00:00'), SHANGHAI)).toBe('2024-06-15');
  });

  it('New York days around the DST changes are 23 and 25 hours long, and midnight is where the clock says', () => {
    const spring = dayRange('2024-03-10', '2024-03-10', NEW_YORK)!;
    expect(spring.startMs).toBe(utc('2024-03-10T05:00:00')); // 00:00 EST
    expect(spring.endMs - spring.startMs).toBe(23 * HOUR);
    const fall = dayRange('2024-11-03', '2024-11-03', NEW_YORK)!;
    expect(fall.startMs).toBe(utc('2024-11-03T04:00:00')); // 00:00 EDT
    expect(fall.endMs - fall.startMs).toBe(25 * HOUR);
    // 23:30 on the fall-back day is still that day (a fixed 24-hour step would have called it the next day).
    expect(localDay(utc('2024-11-04T04:30:00'), NEW_YORK)).toBe('2024-11-03');
    expect(localDay(utc('2024-11-04T05:00:00'), NEW_YORK)).toBe('2024-11-04');
    expect(daysBetween('2024-11-02', '2024-11-04')).toEqual(['2024-11-02', '2024-11-03', '2024-11-04']);
  });

  it('a zone whose clocks skip midnight starts that day at 01:00 (Santiago, 2024-09-08)', () => {
    const start = parseLocalDay('2024-09-08', 'America/Santiago')!;
    expect(wallTime(start, 'America/Santiago')).toMatchObject({ day: 8, hour: 1, minute: 0 });
    expect(localDay(start - 1, 'America/Santiago')).toBe('2024-09-07');
  });

  it('refuses days that do not exist and lists ranges across month and year ends', () => {
    expect(parseLocalDay('2024-02-30', SHANGHAI)).toBeNull();
    expect(parseLocalDay('2023-02-29', SHANGHAI)).toBeNull();
    expect(parseLocalDay('2024-1-5', SHANGHAI)).toBeNull();
    expect(dayRange('2024-02-30', '2024-03-01', SHANGHAI)).toBeNull();
    expect(dayRange('2024-03-01', '2024-13-01', SHANGHAI)).toBeNull();
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2024-12-31')).toBe('2025-01-01');
    expect(daysBetween('2023-12-30', '2024-01-02')).toEqual(['2023-12-30', '2023-12-31', '2024-01-01', '2024-01-02']);
    expect(daysBetween('2024-03-02', '2024-03-01')).toEqual([]);
    expect(dayCount('2024-01-01', '2024-12-31')).toBe(366);
    expect(dayCount('2024-03-02', '2024-03-01')).toBe(0);
    expect(dayCount('0001-01-01', '9999-12-31')).toBe(3_652_059);
  });

  it('dayInZone pads years and months', () => {
    expect(dayInZone(utc('0999-01-05T12:00:00'), 'UTC')).toBe('0999-01-05');
  });
});
