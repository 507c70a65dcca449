import { describe, expect, it } from 'vitest';
import { daysBetween, localDay, parseLocalDay } from '../../../server/modules/channels/local-day.js';
import { repsOnCode, type RotationRep } from '../../../server/modules/channels/rotation.js';

const rep = (userId: string, role: 'primary' | 'backup', cappedOn: string | null = null): RotationRep => ({
  userId,
  role,
  cappedOn,
});
const TODAY = '2024-06-15';

describe('repsOnCode', () => {
  it('rotates among primaries not capped today', () => {
    expect(repsOnCode([rep('a', 'primary'), rep('b', 'primary', TODAY), rep('c', 'backup')], TODAY)).toEqual(['a']);
  });

  it('a cap from an earlier day no longer counts', () => {
    expect(repsOnCode([rep('a', 'primary', '2024-06-14'), rep('b', 'primary')], TODAY)).toEqual(['a', 'b']);
  });

  it('backups take over when every primary is capped', () => {
    expect(
      repsOnCode(
        [rep('a', 'primary', TODAY), rep('b', 'primary', TODAY), rep('c', 'backup'), rep('d', 'backup')],
        TODAY,
      ),
    ).toEqual(['c', 'd']);
  });

  it('without backups the primaries stay on: a code cannot be empty', () => {
    expect(repsOnCode([rep('a', 'primary', TODAY)], TODAY)).toEqual(['a']);
  });
});

describe('local days', () => {
  it('formats and parses local calendar days', () => {
    expect(localDay(new Date(2024, 0, 5, 23, 59).getTime())).toBe('2024-01-05');
    expect(parseLocalDay('2024-01-05')).toBe(new Date(2024, 0, 5).getTime());
    expect(parseLocalDay('2024-02-30')).toBeNull();
    expect(parseLocalDay('2024-1-5')).toBeNull();
  });

  it('lists every day of a range, across month and year ends', () => {
    expect(daysBetween('2023-12-30', '2024-01-02')).toEqual(['2023-12-30', '2023-12-31', '2024-01-01', '2024-01-02']);
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daysBetween('2024-03-02', '2024-03-01')).toEqual([]);
  });
});
