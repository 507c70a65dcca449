import type { WorkCalendar, WorkingSpan } from '../api/types';

/** `540` → `09:00`; 1440 is `24:00`. */
export const minutesToClock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function clockToMinutes(clock: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(clock);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 1440 ? minutes : null;
}

/** The editor's span: clocks, as the pickers take them. */
export interface SpanDraft {
  start: string;
  end: string;
}

export const toDrafts = (spans: WorkingSpan[]): SpanDraft[] =>
  spans.map((s) => ({ start: minutesToClock(s.start), end: minutesToClock(s.end) }));

/**
 * The spans as the API takes them, or the problems the server would name (`weekly.1.0.end`, `exceptions.2.day`) in
 * its words: each span ends after it starts, spans do not overlap and come in order, at most 6 a day.
 */
export function checkSpans(drafts: SpanDraft[], field: string, problems: Record<string, string>): WorkingSpan[] {
  if (drafts.length > 6) problems[field] = '每天最多 6 个时间段';
  let previousEnd = 0;
  return drafts.map((d, i) => {
    const start = clockToMinutes(d.start);
    const end = clockToMinutes(d.end);
    if (start === null) problems[`${field}.${i}.start`] = '请选择开始时间';
    else if (end === null) problems[`${field}.${i}.end`] = '请选择结束时间';
    else if (end <= start) problems[`${field}.${i}.end`] = '结束时间应晚于开始时间';
    else if (start < previousEnd) problems[`${field}.${i}.start`] = '时间段不能重叠，且应按时间先后排列';
    if (start !== null && end !== null) previousEnd = Math.max(previousEnd, end);
    return { start: start ?? 0, end: end ?? 0 };
  });
}

export type WeekDrafts = Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', SpanDraft[]>;

export function buildCalendar(
  weekly: WeekDrafts,
  exceptions: { day: string; spans: SpanDraft[] }[],
): { calendar: WorkCalendar; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const days = ['1', '2', '3', '4', '5', '6', '7'] as const;
  const week = Object.fromEntries(
    days.map((d) => [d, checkSpans(weekly[d], `weekly.${d}`, problems)]),
  ) as WorkCalendar['weekly'];
  const seen = new Set<string>();
  const list = exceptions.map((e, i) => {
    if (seen.has(e.day)) problems[`exceptions.${i}.day`] = `日期 ${e.day} 重复`;
    seen.add(e.day);
    return { day: e.day, spans: checkSpans(e.spans, `exceptions.${i}.spans`, problems) };
  });
  return { calendar: { weekly: week, exceptions: list }, problems };
}
