import { escapeMarkdown } from '../notify/messages.js';

/** What a department's digest reports, over [from, to) (the previous working day, and days off since). */
export interface DigestFigures {
  title: string;
  /** e.g. 12月5日（周五）, or 12月5日（周五）至 12月7日（周日）. */
  span: string;
  added: number;
  lost: number;
  topChannels: Array<{ name: string; count: number }>;
  reps: Array<{ name: string; turns: number; replied: number; avgReplyMinutes: number | null }>;
  unrepliedOverdue: number;
  keywordAlerts: number;
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${Math.round((n / d) * 100)}%`);
const minutes = (m: number | null) => (m === null ? '—' : m < 1 ? '不到 1 分钟' : `${Math.round(m)} 分钟`);

/**
 * The digest as group robot markdown (the notify module splits it on line boundaries past 4096 bytes). Reps with no
 * customer message in the period are left out; busier reps first.
 */
export function digestMarkdown(f: DigestFigures): string {
  const lines = [
    `**${escapeMarkdown(f.title)}**`,
    `> 统计时间：${f.span}`,
    `> 新增客户 <font color="info">${f.added}</font> 人，流失客户 <font color="warning">${f.lost}</font> 人`,
  ];
  if (f.topChannels.length > 0) {
    lines.push(
      `> 来源渠道 Top${f.topChannels.length}：${f.topChannels.map((c) => `${escapeMarkdown(c.name)} ${c.count} 人`).join('，')}`,
    );
  }
  const active = f.reps.filter((r) => r.turns > 0).sort((a, b) => b.turns - a.turns || a.name.localeCompare(b.name));
  lines.push('', '**员工回复情况**');
  if (active.length === 0) lines.push('> 统计时间内没有客户发来需要回复的消息');
  for (const r of active) {
    lines.push(
      `> ${escapeMarkdown(r.name)}：客户咨询 ${r.turns} 次，回复率 ${pct(r.replied, r.turns)}，平均首次回复 ${minutes(r.avgReplyMinutes)}`,
    );
  }
  lines.push('', '**待处理提醒**');
  lines.push(
    `> 超时未回复的会话 <font color="${f.unrepliedOverdue > 0 ? 'warning' : 'comment'}">${f.unrepliedOverdue}</font> 个，` +
      `敏感词提醒 <font color="${f.keywordAlerts > 0 ? 'warning' : 'comment'}">${f.keywordAlerts}</font> 条`,
  );
  return lines.join('\n');
}
