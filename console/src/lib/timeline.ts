import type { TimelineItem } from '../api/types';

/** How a timeline entry is named and coloured (the kinds of shared/schemas/customers.ts). */
const KINDS: Record<string, { label: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'info' }> = {
  added: { label: '添加客户', type: 'success' },
  tagged: { label: '打标签', type: 'primary' },
  tag_skipped: { label: '未打标签', type: 'info' },
  untagged: { label: '移除标签', type: 'info' },
  welcome_sent: { label: '发送欢迎语', type: 'success' },
  welcome_skipped: { label: '未发送欢迎语', type: 'info' },
  lost: { label: '客户流失', type: 'danger' },
  stage_changed: { label: '阶段变更', type: 'primary' },
  remark_changed: { label: '修改备注', type: 'info' },
  note: { label: '跟进记录', type: 'warning' },
  script_sent: { label: '发送话术', type: 'primary' },
  message: { label: '消息', type: 'primary' },
};

export function timelineKind(item: TimelineItem) {
  return KINDS[item.kind] ?? { label: '动态', type: 'info' as const };
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** What an entry says: the server's content, else what its payload carries (tags, stages, a script's title). */
export function timelineText(item: TimelineItem): string {
  if (item.content) return item.content;
  const p = item.payload;
  if (Array.isArray(p.tags)) {
    return p.tags
      .map((t) => text((t as Record<string, unknown>)?.name))
      .filter(Boolean)
      .join('、');
  }
  const { from, to } = p as { from?: Record<string, unknown>; to?: Record<string, unknown> };
  if (to) return from ? `${text(from.name)} → ${text(to.name)}` : text(to.name);
  return text(p.title);
}
