import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { createAlertRepo } from '../../../server/modules/alerts/repo.js';
import { createAlertService } from '../../../server/modules/alerts/service.js';
import { createChannelRepo } from '../../../server/modules/channels/repo.js';
import { createContactRepo } from '../../../server/modules/contacts/repo.js';
import { createTimelineRepo } from '../../../server/modules/timeline/repo.js';
import type { ExternalContactEvent } from '../../../server/wecom/events.js';

function setup() {
  const db = openDatabase(':memory:');
  const alerts = createAlertService({
    db,
    repo: createAlertRepo(db),
    timeline: createTimelineRepo(db),
    contacts: createContactRepo(db),
    channels: createChannelRepo(db),
  });
  const rows = (table: string) =>
    db.$client.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[];
  return { alerts, rows };
}

const event = (changeType: 'del_follow_user' | 'del_external_contact', source?: string): ExternalContactEvent => ({
  kind: 'external_contact',
  changeType,
  toUserName: 'wwcorp',
  fromUserName: 'sys',
  createTime: 1_718_000_000,
  userId: 'lina',
  externalUserId: 'wmCustomer',
  ...(source ? { source } : {}),
  raw: {},
});

describe('loss alerts', () => {
  it('a customer deleting the rep raises one alert, however often the event is replayed', () => {
    const { alerts, rows } = setup();
    alerts.afterFollowLost('wwcorp', event('del_follow_user'), 7);
    alerts.afterFollowLost('wwcorp', event('del_follow_user'), 7);
    expect(rows('alerts')).toHaveLength(1);
    expect(rows('alerts')[0]).toMatchObject({
      kind: 'customer_deleted_rep',
      user_id: 'lina',
      external_user_id: 'wmCustomer',
    });
    expect(JSON.parse(rows('alerts')[0]!.detail as string)).toMatchObject({
      reason: 'deleted_by_customer',
      lostAt: 1_718_000_000_000,
    });
    expect(rows('timeline_items').map((t) => [t.kind, t.content])).toEqual([['lost', '客户删除了员工']]);
  });

  it('a deletion by 在职继承 (transfer) is recorded but raises no alert', () => {
    const { alerts, rows } = setup();
    alerts.afterFollowLost('wwcorp', event('del_external_contact', 'DELETE_BY_TRANSFER'), 8);
    expect(rows('alerts')).toHaveLength(0);
    expect(rows('timeline_items').map((t) => t.content)).toEqual(['客户已由在职继承转给其他员工']);
    alerts.afterFollowLost('wwcorp', event('del_external_contact'), 9);
    expect(rows('alerts').map((a) => a.kind)).toEqual(['rep_deleted_customer']);
  });
});
