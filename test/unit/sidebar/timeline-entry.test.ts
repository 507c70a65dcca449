// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { TimelineItem } from '../../../sidebar/src/api/types';
import TimelineEntry from '../../../sidebar/src/components/TimelineEntry.vue';

function item(kind: string, payload: Record<string, unknown>, content: string): TimelineItem {
  return {
    id: 1,
    kind,
    content,
    payload,
    userId: 'lina',
    userName: '李娜',
    dueAt: null,
    occurredAt: Date.now() - 60_000,
    editable: false,
  } as TimelineItem;
}

const label = (i: TimelineItem) =>
  mount(TimelineEntry, { props: { item: i } })
    .get('.entry__label')
    .text();

describe('TimelineEntry labels', () => {
  it('names a remark change 修改备注, a description change 修改描述, and both 修改备注和描述', () => {
    expect(label(item('remark_changed', { remark: { from: '', to: '王姐' } }, '备注改为「王姐」'))).toBe('修改备注');
    expect(
      label(item('remark_changed', { description: { from: '', to: '关注手表续航' } }, '描述改为「关注手表续航」')),
    ).toBe('修改描述');
    expect(
      label(
        item(
          'remark_changed',
          { remark: { from: '', to: '王姐' }, description: { from: 'a', to: '' } },
          '备注改为「王姐」，清除了描述',
        ),
      ),
    ).toBe('修改备注和描述');
  });

  it('names the events the server writes, with a plain fallback for an unknown kind', () => {
    expect(label(item('tag_skipped', {}, '未打标签：渠道配置的标签已在企业微信删除（潜在客户）'))).toBe('未打标签');
    expect(label(item('stage_changed', {}, '销售阶段：新客户 → 跟进中'))).toBe('阶段变更');
    expect(label(item('something_new', {}, '…'))).toBe('动态');
  });
});
