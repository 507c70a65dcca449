import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { movementKey } from '../../server/modules/dashboards/movements.js';
import type { Overview } from '../../shared/schemas/console-dashboards.js';
import { dayInZone } from '../../shared/time-zone.js';
import { testConfig } from '../support/app.js';
import { fixedClock } from '../support/automations.js';
import { admin } from '../support/scrm.js';

/**
 * Today's dashboard figures are computed live, once for every caller for DASHBOARD_LIVE_SECONDS (here 30 s, by the
 * app's clock): a call inside that time reads the shared figures and says when they were computed; the next call
 * after it computes them again. Movements are written directly for a rep the demo's data does not have.
 */

const CORP = DEMO_CORP.corpId;
const clock = fixedClock('2026-11-18T02:00:00.000Z');
const T0 = clock.now();
const today = dayInZone(T0, 'Asia/Shanghai');
let app: App;

async function add(externalUserId: string, at: number) {
  await app.db.insert(app.db.t.customerMovements).values({
    corpId: CORP,
    userId: 'live-rep',
    externalUserId,
    kind: 'add',
    reason: null,
    at,
    sourceKey: movementKey('add', 'live-rep', externalUserId, at),
  });
}

async function overview(): Promise<Overview> {
  const res = await admin(app, 'GET', `/api/console/dashboard/overview?from=${today}&to=${today}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Overview;
}

beforeAll(async () => {
  app = await buildApp({ ...testConfig(), dashboardLiveMs: 30_000 }, { logger: false, now: clock.now });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

describe('today’s figures, shared between calls', () => {
  it('serves one computation for 30 s, says when it was made, and computes again after', async () => {
    const before = (await overview()).totals.newCustomers;
    await add('wm-live-1', T0 - 60_000);
    clock.advance(1_000);
    // The figures computed at T0 are still shared: the new add is not in them yet.
    const shared = await overview();
    expect(shared.totals.newCustomers).toBe(before);
    expect(shared.range.liveAsOf).toBe(T0);
    clock.advance(29_000);
    // 30 s after T0 they are computed again.
    const fresh = await overview();
    expect(fresh.totals.newCustomers).toBe(before + 1);
    expect(fresh.range.liveAsOf).toBe(T0 + 30_000);
    // A range without a live day says so.
    const res = await admin(app, 'GET', `/api/console/dashboard/overview?from=2026-10-01&to=2026-10-02`);
    expect((res.json() as Overview).range.liveAsOf).toBeNull();
  });

  it('lets concurrent callers wait for one computation, and does not keep a failed one', async () => {
    const { rollup } = app.modules.dashboards;
    clock.advance(60_000);
    const a = rollup.live(CORP, today);
    const b = rollup.live(CORP, today);
    expect(b).toBe(a);
    expect((await a).computedAt).toBe(clock.now());
    const failed = rollup.live(CORP, 'not-a-day');
    await expect(failed).rejects.toThrow(RangeError);
    const again = rollup.live(CORP, 'not-a-day');
    expect(again).not.toBe(failed);
    await expect(again).rejects.toThrow(RangeError);
  });
});
