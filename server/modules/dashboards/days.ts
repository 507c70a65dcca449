import { dayInZone, utcMs } from '../../../shared/time-zone.js';

/** `day` (YYYY-MM-DD) moved by `n` calendar days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return dayInZone(utcMs(y, m, d + n), 'UTC');
}
