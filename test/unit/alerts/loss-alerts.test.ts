import { asc } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/db/database.js';
import { openDatabase } from '../../../server/db/open.js';
import { createAlertRepo } from '../../../server/modules/alerts/repo.js';
import { createAlertService } from '../../../server/modules/alerts/service.js';
import { createChannelRepo } from '../../../server/modules/channels/repo.js';
import { createContactRepo } from '../../../server/modules/contacts/repo.js';
import { createTimelineRepo } from '../../../server/modules/timeline/repo.js';
import type { ExternalContactEvent } from '../../../server/wecom/events.js';
import { testDatabase } from '../../support/database.js';

const opened: Database[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function setup() {
  const db = await openDatabase(testDatabase());
  opened.push(db);
  const alerts = createAlertService({
    db,
    repo: createAlertRepo(db),
    timeline: createTimelineRepo(db),
    contacts: createContactRepo(db),
    channels: createChannelRepo(db),
  });
  const alertRows = () => db.select().from(db.t.alerts).orderBy(asc(db.t.alerts.id));
  const timelineRows = () => db.select().from(db.t.timelineItems).orderBy(asc(db.t.timelineItems.id));
  return { alerts, alertRows, timelineRows };
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
  it('a customer deleting the rep raises one alert, however often the event is replayed', async () => {
    const { alerts, alertRows, timelineRows } = await setup();
    await alerts.afterFollowLost('wwcorp', event('del_follow_user'), 7);
    await alerts.afterFollowLost('wwcorp', event('del_follow_user'), 7);
    const rows = await alertRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'customer_deleted_rep',
      userId: 'lina',
      externalUserId: 'wmCustomer',
    });
    expect(rows[0]!.detail).toMatchObject({
      reason: 'deleted_by_customer',
      lostAt: 1_718_000_000_000,
    });
    expect((await timelineRows()).map((t) => [t.kind, t.content])).toEqual([['lost', '客户删除了员工']]);
  });

  it('a deletion by 在职继承 (transfer) is recorded but raises no alert', async () => {
    const { alerts, alertRows, timelineRows } = await setup();
    await alerts.afterFollowLost('wwcorp', event('del_external_contact', 'DELETE_BY_TRANSFER'), 8);
    expect(await alertRows()).toHaveLength(0);
    expect((await timelineRows()).map((t) => t.content)).toEqual(['客户已由在职继承转给其他员工']);
    await alerts.afterFollowLost('wwcorp', event('del_external_contact'), 9);
    expect((await alertRows()).map((a) => a.kind)).toEqual(['rep_deleted_customer']);
  });
});
