import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { App } from '../../server/app.js';
import { ensureStandInSdk } from '../../server/archive/index.js';
import { startApp, waitFor } from '../support/app.js';
import { adminApi, failureShot, launchChromium, screenshot, simulateAdd as simulateAddTo } from '../support/browser.js';
import { chat, pullNow } from '../support/archive.js';
import { CORP, prepare, settled } from '../support/scrm.js';
import { sql } from '../support/sidebar.js';

/**
 * The sidebar's chat half end to end, in mock mode at WeCom's sidebar size (360×800): the chat history read from
 * the archive (the stand-in Finance SDK reading the emulator, as in the demo), kept live by the event stream;
 * suggested replies to what the customer types in the stand-in chat, sent with one tap or after an edit, with
 * their feedback in the database; the rep's tasks. Needs a current sidebar build
 * (`npx vite build --config sidebar/vite.config.ts`).
 */

const REP = 'lina';
const CUSTOMER_NAME = '周梓涵';
const PRICING_TITLE = '优惠活动说明';
const PRICING_TEMPLATE = '{客户昵称}您好，本周下单立减100元，还可以叠加店铺满减优惠哦～';
const PRICING_TEXT = `${CUSTOMER_NAME}您好，本周下单立减100元，还可以叠加店铺满减优惠哦～`;
const SHIPPING_TITLE = '发货时效';
const SHIPPING_TEXT = '亲，全国包邮，下单后 48 小时内发货，顺丰快递～';
const EDITED_TEXT = '亲，今天下单明天就发货，顺丰快递包邮～';
const IMAGE_TITLE = '智能手表实拍图';
const PICTURE = '/demo-assets/scripts/smart-watch.png';
/** More than one page (30) of seeded history, so the first page must be paged backwards. */
const SEEDED = 36;
const FIRST_SEEDED = '你好，我想了解一下你们的智能手表';

let app: App;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let customerId: string;
let otherCustomerId: string;
let refusingCustomerId: string;
let pricingScriptId: number;
let shippingScriptId: number;
let imageScriptId: number;

const admin = adminApi(() => base);

const simulateAdd = (userId: string, name: string) => simulateAddTo(base, { userId, name });

/** A task as the automations create them (the tasks repo, in its own transaction). */
async function addTask(externalUserId: string, title: string, dueAt: number): Promise<number> {
  const id = await app.modules.tasks.repo.add(app.db, {
    corpId: CORP,
    userId: REP,
    externalUserId,
    kind: 'follow_up',
    title,
    detail: '客户咨询过优惠，记得跟进下单意向',
    dueAt,
    sourceKey: `e2e:${externalUserId}:${title}`,
    createdAt: Date.now(),
  });
  if (id === null) throw new Error(`task ${title} not created`);
  return id;
}

interface FeedbackRow {
  script_id: number;
  outcome: string;
  message: string;
}

const feedbackRows = () =>
  sql<FeedbackRow>(
    app,
    `SELECT script_id, outcome, message FROM suggestion_feedback WHERE external_user_id = ? AND user_id = ? ORDER BY id`,
    customerId,
    REP,
  );

/** The sidebar's own tabs (客户 / 聊天记录 / 待办 / 话术). */
const sidebarTab = (name: string) => page.locator('.van-tabs__nav').getByRole('tab', { name });
const history = () => page.getByTestId('chat-history');
const chatMessage = (text: string) => history().getByTestId('chat-message').filter({ hasText: text });

/** Opens the sidebar on a customer's chat tab (signed in already). */
async function openChat(externalUserId: string) {
  await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(externalUserId)}`);
  await page.getByTestId('customer-card').waitFor();
  await sidebarTab('聊天记录').click();
  await history().waitFor();
}

/**
 * The customer types into the stand-in chat window (folded above the sidebar at this width). The emulator archives it
 * and the server pulls an open chat every second (WeCom's own msgaudit_notify comes at most once per 15 s); the wait
 * is generous for a loaded CI machine.
 */
const ARRIVAL_MS = 20_000;
async function customerSays(text: string) {
  const input = page.getByTestId('mock-customer-input');
  if (!(await input.isVisible())) await page.getByTestId('mock-chat-toggle').click();
  await input.fill(text);
  await page.getByTestId('mock-customer-send').click();
  await expect.poll(() => input.inputValue()).toBe('');
  await page.getByTestId('mock-transcript').getByText(text).waitFor();
  // Fold it again: the sidebar is what is looked at.
  await page.getByTestId('mock-chat-toggle').click();
}

const shot = (name: string) => screenshot(page, name);

beforeAll(async () => {
  // The demo's archive: the stand-in Finance SDK (built once) reading the app's emulator.
  await ensureStandInSdk();
  app = await startApp();
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  await prepare(app);

  customerId = await simulateAdd(REP, CUSTOMER_NAME);
  otherCustomerId = await simulateAdd(REP, '郑思远');
  refusingCustomerId = await simulateAdd(REP, '林晓');
  for (const id of [customerId, otherCustomerId, refusingCustomerId]) await settled(app, id);

  // The script library: a pricing script with the customer's nickname, a shipping one, and one about returns.
  const group = await admin<{ id: number }>('POST', '/api/script-groups', { name: '售前咨询' });
  pricingScriptId = (
    await admin<{ id: number }>('POST', '/api/scripts', {
      groupId: group.id,
      title: PRICING_TITLE,
      kind: 'text',
      content: PRICING_TEMPLATE,
    })
  ).id;
  shippingScriptId = (
    await admin<{ id: number }>('POST', '/api/scripts', {
      groupId: group.id,
      title: SHIPPING_TITLE,
      kind: 'text',
      content: SHIPPING_TEXT,
    })
  ).id;
  imageScriptId = (
    await admin<{ id: number }>('POST', '/api/scripts', {
      groupId: group.id,
      title: IMAGE_TITLE,
      kind: 'image',
      content: '智能手表实拍图，表盘和表带颜色都可以选',
      payload: { url: PICTURE },
    })
  ).id;
  await admin('POST', '/api/scripts', {
    groupId: group.id,
    title: '退换货政策',
    kind: 'text',
    content: '支持七天无理由退换，退货运费我们承担',
  });

  // A history of more than a page, an hour ago: a question, answers, a picture and a file among them.
  const start = Date.now() - 3_600_000;
  await chat(app, { from: customerId, to: REP, text: FIRST_SEEDED, msgtime: start });
  for (let i = 1; i < SEEDED - 2; i++) {
    const fromCustomer = i % 2 === 0;
    await chat(app, {
      from: fromCustomer ? customerId : REP,
      to: fromCustomer ? REP : customerId,
      text: fromCustomer ? `第${i}个问题：表带是什么材质？` : `第${i}条回复：是硅胶表带，可以更换`,
      msgtime: start + i * 60_000,
    });
  }
  await chat(app, { from: customerId, to: REP, msgtype: 'image', msgtime: start + (SEEDED - 2) * 60_000 });
  await chat(app, {
    from: REP,
    to: customerId,
    msgtype: 'file',
    content: { filename: '智能手表报价单.pdf', filesize: 120_000 },
    msgtime: start + (SEEDED - 1) * 60_000,
  });
  // Another customer said no to archiving, just now (after WeCom's answer to the consent check on their add).
  await chat(app, { from: refusingCustomerId, to: REP, msgtype: 'disagree' });
  await pullNow(app, 60_000);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
}, 360_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

describe('sidebar chat, suggestions and tasks (mock mode, 360×800)', { timeout: 120_000 }, () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(() => failureShot(page, ctx.task.name));
  });

  it('shows the seeded history, newest at the bottom, and pages backwards on scrolling up', async () => {
    await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(customerId)}`);
    await page.waitForURL(/\/emulator\/connect\/oauth2\/authorize/);
    await page.click(`button[data-userid="${REP}"]`);
    await page.waitForURL(/\/sidebar\//);
    await page.getByTestId('customer-card').waitFor();
    await sidebarTab('聊天记录').click();

    // The newest page: the file placeholder at the bottom, the customer's picture as a thumbnail.
    await chatMessage('[文件] 智能手表报价单.pdf').waitFor();
    const thumbnail = history().getByTestId('chat-thumbnail');
    await thumbnail.waitFor();
    await expect
      .poll(() => thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    const texts = await history().getByTestId('chat-message').allTextContents();
    expect(texts.at(-1)).toContain('智能手表报价单.pdf');
    expect(texts.length).toBeLessThan(SEEDED);
    expect(await chatMessage(FIRST_SEEDED).count()).toBe(0);
    // The box starts scrolled to the bottom.
    const atBottom = await history().evaluate((el) => {
      const box = el as unknown as { scrollHeight: number; scrollTop: number; clientHeight: number };
      return box.scrollHeight - box.scrollTop - box.clientHeight < 5;
    });
    expect(atBottom).toBe(true);
    await shot('chat-01-history');

    // Scrolling up reads the page before, down to the first message.
    await history().evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
    await chatMessage(FIRST_SEEDED).waitFor();
    await history().getByText('没有更早的消息了').waitFor();
    expect(await history().getByTestId('chat-message').count()).toBe(SEEDED);
    const direction = await chatMessage(FIRST_SEEDED).getAttribute('data-direction');
    expect(direction).toBe('customer_to_rep');
  });

  it(
    'suggests the pricing script for 有没有优惠 within 2 s and sends it with one tap',
    { timeout: 60_000 },
    async () => {
      await openChat(customerId);
      await chatMessage('智能手表报价单.pdf').waitFor();
      // The strip never shows for the picture the customer sent last (nothing to answer in it).
      expect(await page.getByTestId('suggestion-strip').count()).toBe(0);

      await customerSays('有没有优惠');
      // Live: the customer's message arrives through the archive and the stream, without a reload.
      const asked = chatMessage('有没有优惠');
      await asked.waitFor({ timeout: ARRIVAL_MS });
      const arrivedAt = Date.now();
      const strip = page.getByTestId('suggestion-strip');
      await strip.waitFor({ timeout: 2000 });
      expect(Date.now() - arrivedAt).toBeLessThan(2000);

      const items = strip.getByTestId('suggestion');
      const count = await items.count();
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(3);
      const pricing = strip.locator(`[data-script-id="${pricingScriptId}"]`);
      await pricing.waitFor();
      // The text as it will be sent (the nickname filled in), and why, in small print.
      await expect(pricing.textContent()).resolves.toContain(PRICING_TEXT);
      const reason = await pricing.getByTestId('suggestion-reason').textContent();
      expect(reason).toMatch(/优惠/);
      // (The page's getComputedStyle: this file is typed without the DOM library.)
      const reasonSize = await pricing
        .getByTestId('suggestion-reason')
        .evaluate(
          (el) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el)
              .fontSize,
        );
      expect(reasonSize).toBe('11px');
      // The strip sits right under the customer's message.
      const under = await strip.evaluate((el) => el.previousElementSibling?.textContent ?? '');
      expect(under).toContain('有没有优惠');
      await strip.scrollIntoViewIfNeeded();
      await shot('chat-02-suggestion-strip');

      // Shown: one feedback row per suggestion on screen.
      await waitFor(
        async () => (await feedbackRows()).filter((r) => r.message === '有没有优惠').length === count,
        'the shown feedback rows',
      );

      await pricing.getByTestId('suggestion-send').click();
      await pricing.getByTestId('suggestion-decided').waitFor();
      // In the chat history (recorded by the server), and in the stand-in chat (what sendChatMessage received).
      const sent = chatMessage(PRICING_TEXT);
      await sent.waitFor();
      await expect(sent.getAttribute('data-direction')).resolves.toBe('rep_to_customer');
      await expect(page.getByTestId('mock-transcript').textContent()).resolves.toContain(PRICING_TEXT);
      await waitFor(
        async () =>
          (await feedbackRows()).some(
            (r) => r.script_id === pricingScriptId && r.message === '有没有优惠' && r.outcome === 'sent',
          ),
        'the sent feedback row',
      );
      const rows = await feedbackRows();
      expect(rows.filter((r) => r.outcome === 'sent')).toHaveLength(1);
      const stored = await sql<{ text: string; direction: string }>(
        app,
        `SELECT text, direction FROM messages WHERE external_user_id = ? AND text = ?`,
        customerId,
        PRICING_TEXT,
      );
      expect(stored).toEqual([{ text: PRICING_TEXT, direction: 'rep_to_customer' }]);
      await shot('chat-03-sent');
    },
  );

  it('edits a suggestion before sending it, recorded as edited', { timeout: 60_000 }, async () => {
    await openChat(customerId);
    await customerSays('多久能发货？');
    await chatMessage('多久能发货？').waitFor({ timeout: ARRIVAL_MS });
    const shipping = page.getByTestId('suggestion-strip').locator(`[data-script-id="${shippingScriptId}"]`);
    await shipping.waitFor({ timeout: 2000 });
    await shipping.getByTestId('suggestion-edit').click();
    const field = page.getByTestId('text-edit-field').locator('textarea');
    await expect(field.inputValue()).resolves.toBe(SHIPPING_TEXT);
    await field.fill(EDITED_TEXT);
    await shot('chat-04-edit');
    await page.getByTestId('text-edit-save').click();

    await chatMessage(EDITED_TEXT).waitFor();
    await expect(shipping.getByTestId('suggestion-decided').textContent()).resolves.toContain('已改写发送');
    await waitFor(
      async () =>
        (await feedbackRows()).some(
          (r) => r.script_id === shippingScriptId && r.message === '多久能发货？' && r.outcome === 'edited',
        ),
      'the edited feedback row',
    );
  });

  it('sends a suggested picture through the library send route, recorded as sent', { timeout: 60_000 }, async () => {
    await openChat(customerId);
    await customerSays('有手表的实拍图吗');
    await chatMessage('有手表的实拍图吗').waitFor({ timeout: ARRIVAL_MS });
    const picture = page.getByTestId('suggestion-strip').locator(`[data-script-id="${imageScriptId}"]`);
    await picture.waitFor({ timeout: 2000 });
    // A picture goes as it is: no edit.
    expect(await picture.getByTestId('suggestion-edit').count()).toBe(0);
    await picture.getByTestId('suggestion-send').click();
    await picture.getByTestId('suggestion-decided').waitFor();

    // sendChatMessage received the uploaded picture; the stand-in chat shows it.
    await page.getByTestId('mock-chat-toggle').click();
    const sentPicture = page.getByTestId('mock-transcript').getByTestId('chat-picture').last();
    await sentPicture.waitFor();
    await expect
      .poll(() => sentPicture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    await page.getByTestId('mock-chat-toggle').click();
    // Recorded by the send route with the suggestion's key: the send, the chat message and the feedback.
    await chatMessage('[图片]').last().waitFor();
    await waitFor(
      async () =>
        (await feedbackRows()).some(
          (r) => r.script_id === imageScriptId && r.message === '有手表的实拍图吗' && r.outcome === 'sent',
        ),
      'the sent feedback row of the picture',
    );
    const sends = await sql<{ n: number }>(
      app,
      `SELECT count(*) AS n FROM script_sends WHERE script_id = ? AND external_user_id = ?`,
      imageScriptId,
      customerId,
    );
    expect(Number(sends[0]?.n)).toBe(1);
  });

  it('shows no strip when the engine abstains, and sends what the rep types', { timeout: 60_000 }, async () => {
    await openChat(customerId);
    await customerSays('好的谢谢');
    await chatMessage('好的谢谢').waitFor({ timeout: ARRIVAL_MS });
    // Give the request its 2 s: still nothing.
    await page.waitForTimeout(2000);
    expect(await page.getByTestId('suggestion-strip').count()).toBe(0);

    // The rep answers in their own words: recorded in the chat and put into the chat box.
    await page.getByTestId('chat-composer-input').fill('不客气，有问题随时找我～');
    await page.getByTestId('chat-composer-send').click();
    const reply = chatMessage('不客气，有问题随时找我～');
    await reply.waitFor();
    await expect(reply.getAttribute('data-direction')).resolves.toBe('rep_to_customer');
    await expect.poll(() => page.getByTestId('chat-composer-input').inputValue()).toBe('');
    await expect(page.getByTestId('mock-transcript').textContent()).resolves.toContain('不客气，有问题随时找我～');
  });

  it('says so when the customer has not agreed to archiving', async () => {
    await openChat(refusingCustomerId);
    const notice = page.getByTestId('consent-refused');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain('客户未同意存档');
    await shot('chat-05-consent');
  });

  it("lists the customer's open tasks, counts all of them, and marks one done and snoozes another", async () => {
    const now = Date.now();
    const followUp = await addTask(customerId, '回访：确认优惠后的下单意向', now - 60_000);
    const sizing = await addTask(customerId, '确认表带尺码', now - 2 * 86_400_000);
    await addTask(otherCustomerId, '发送新品介绍', now - 60_000);

    await openChat(customerId);
    await sidebarTab('待办').click();
    const panel = page.getByTestId('tasks');
    await panel.getByTestId('task').first().waitFor();
    await expect(panel.getByTestId('task-count').textContent()).resolves.toMatch(/共 3 项/);
    await expect(sidebarTab('待办').textContent()).resolves.toContain('3');
    // Only this customer's, soonest due first; the one due two days ago is overdue.
    await expect(
      panel.getByTestId('task').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id'))),
    ).resolves.toEqual([String(sizing), String(followUp)]);
    await expect(panel.locator(`[data-task-id="${sizing}"]`).textContent()).resolves.toContain('已逾期');
    await shot('chat-06-tasks');

    await panel.locator(`[data-task-id="${followUp}"]`).getByTestId('task-done').click();
    await panel.locator(`[data-task-id="${followUp}"]`).waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByTestId('task-count').textContent()).toMatch(/共 2 项/);
    const [done] = await sql<{ status: string; done_at: number | null }>(
      app,
      `SELECT status, done_at FROM tasks WHERE id = ?`,
      followUp,
    );
    expect(done?.status).toBe('done');
    expect(Number(done?.done_at)).toBeGreaterThan(0);

    await panel.locator(`[data-task-id="${sizing}"]`).getByTestId('task-snooze').click();
    await page.locator('.van-action-sheet__item').filter({ hasText: '1 小时后提醒' }).click();
    await panel.locator(`[data-task-id="${sizing}"]`).waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByTestId('task-count').textContent()).toMatch(/共 1 项/);
    const [snoozed] = await sql<{ status: string; snoozed_until: number | null }>(
      app,
      `SELECT status, snoozed_until FROM tasks WHERE id = ?`,
      sizing,
    );
    expect(snoozed?.status).toBe('open');
    expect(Number(snoozed?.snoozed_until)).toBeGreaterThan(now + 50 * 60_000);
    await panel.getByText('这位客户暂无待办').waitFor();
    await shot('chat-07-tasks-done');
  });
});
