import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { seedChats } from '../../server/demo/seed-chats.js';
import { seedDemo } from '../../server/demo/seed-sidebar.js';
import { personaExternalUserId } from '../../server/demo/personas.js';
import type { KeywordAlertPage, MessagePage } from '../../shared/schemas/messages.js';
import { archiveSettled, CORP, messageRows, startArchiveApp } from '../support/archive.js';
import { adminCall, login, repClient } from '../support/sidebar.js';

/** The demo's chat histories go through the emulator's archive and the real puller, once. */
describe('demo chat histories', () => {
  let app: App;

  beforeAll(async () => {
    app = await startArchiveApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('seeds every demo customer a chat with their rep through the archive, with the demo keyword rules', async () => {
    const seeded = await seedDemo(app);
    expect(seeded.chatMessages).toBeGreaterThan(300);
    await archiveSettled(app, 120_000);
    const rows = await messageRows(app);
    expect(rows.length).toBe(seeded.chatMessages);
    expect(rows.every((m) => m.source === 'archive' && m.seq !== null)).toBe(true);
    // seq follows msgtime, as WeCom archives.
    const bySeq = [...rows].sort((a, b) => a.seq! - b.seq!);
    expect(bySeq.map((m) => m.sentAt)).toEqual([...bySeq.map((m) => m.sentAt)].sort((a, b) => a - b));
    expect(Math.max(...rows.map((m) => m.sentAt))).toBeLessThan(Date.now());

    // 陈雨桐 and her rep lina: a believable chat, oldest first, newest at the bottom.
    const customer = personaExternalUserId('chen-yutong');
    const lina = repClient(app, await login(app, 'lina'));
    const page = (await lina.get(`/api/customers/${customer}/messages?limit=100`)).json() as MessagePage;
    expect(page.items.length).toBeGreaterThan(6);
    expect(page.items[0]!.type).toBe('agree');
    expect(page.items.map((m) => m.text).join('\n')).toMatch(/手表/);
    expect(page.consent.status).toBe('agree');

    const alerts = (await adminCall(app, 'GET', '/api/keyword-alerts?limit=100')).json() as KeywordAlertPage;
    const rules = new Set(alerts.items.map((a) => a.ruleName));
    expect(rules).toEqual(new Set(['员工违规用语', '客户投诉风险']));
    expect(alerts.items.find((a) => a.ruleName === '员工违规用语')!.text).toContain('私下转账');

    // Seeded once: a restart (the archive holds messages) adds nothing.
    expect(await seedChats(app, CORP)).toEqual({ rules: 0, messages: 0 });
  }, 240_000);
});
