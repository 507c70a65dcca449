import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { App } from '../../server/app.js';
import { startApp, waitFor } from '../support/app.js';
import { adminApi, failureShot, launchChromium, screenshot, simulateAdd as simulateAddTo } from '../support/browser.js';
import { prepare, settled } from '../support/scrm.js';
import { sql } from '../support/sidebar.js';

/**
 * The rep sidebar end to end, in mock mode, at WeCom's sidebar size (360×800): the real app (built sidebar, API,
 * worker, emulator as WeCom) driven by Debian's Chromium. Needs `npm run build` first (the pretest script).
 */

const REP = 'lina';
const OTHER_REP = 'wangfang';
const CHANNEL_NAME = '618直播间海报';
const SCRIPT_TITLE = '发货说明';
const SCRIPT_TEXT = '亲，全国包邮，下单后 48 小时内发货哦～';
const NOTE_TEXT = '客户想要两只手表的团购价，周五前给报价';
const IMAGE_SCRIPT = '智能手表产品图';
const PICTURE = '/demo-assets/scripts/smart-watch.png';

let app: App;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let customerId: string;
let otherCustomerId: string;
let channelTagNames: string[];
/** Everything the browser reported against the CSP, and every request that left the app's origin, all run long. */
const cspViolations: string[] = [];
const foreignRequests: string[] = [];

const admin = adminApi(() => base);

const simulateAdd = (userId: string, state?: string, name?: string) => simulateAddTo(base, { userId, state, name });

/** An <img> element as far as these tests read it (the file is typed without the DOM library). */
interface LoadedImage {
  naturalWidth: number;
}

/** The sidebar's own tabs (客户 / 话术), not the timeline's filter chips. */
const sidebarTab = (name: string) => page.locator('.van-tabs__nav').getByRole('tab', { name });

/** Opens the sidebar on a customer (signed in already): each test starts from a freshly created sidebar. */
async function openSidebar(externalUserId: string) {
  await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(externalUserId)}`);
  await page.getByTestId('customer-card').waitFor();
}

const shot = (name: string) => screenshot(page, name);

beforeAll(async () => {
  app = await startApp();
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;

  // The corp's reps and tags (the boot syncs them; tests do not boot), a channel code with two tags, a customer
  // who scans it.
  await prepare(app);
  const library = await admin<{ groups: { name: string; tags: { id: string; name: string }[] }[] }>('GET', '/api/tags');
  const pickTag = (group: string, tag: string) => {
    const found = library.groups.find((g) => g.name === group)?.tags.find((t) => t.name === tag);
    if (!found) throw new Error(`no tag ${group}/${tag}`);
    return found;
  };
  const channelTags = [pickTag('客户来源', '直播间'), pickTag('意向产品', '智能手表')];
  channelTagNames = channelTags.map((t) => t.name);
  const channel = await admin<{ id: number; state: string }>('POST', '/api/channels', {
    name: CHANNEL_NAME,
    reps: [REP],
    tagIds: channelTags.map((t) => t.id),
  });
  customerId = await simulateAdd(REP, channel.state, '周梓涵');
  await settled(app, customerId);
  await waitFor(
    async () =>
      Number(
        (
          await sql<{ n: number }>(
            app,
            `SELECT count(*) AS n FROM follow_tags WHERE external_user_id = ? AND user_id = ?`,
            customerId,
            REP,
          )
        )[0]?.n,
      ) === channelTags.length,
    'the channel tags on the new customer',
    15_000,
  );
  // Another rep's customer, for the refusal.
  otherCustomerId = await simulateAdd(OTHER_REP, undefined, '郑思远');
  await settled(app, otherCustomerId);

  // The script library.
  const group = await admin<{ id: number }>('POST', '/api/script-groups', { name: '售前咨询' });
  await admin('POST', '/api/scripts', { groupId: group.id, title: SCRIPT_TITLE, kind: 'text', content: SCRIPT_TEXT });
  await admin('POST', '/api/scripts', {
    groupId: group.id,
    title: '退换货',
    kind: 'text',
    content: '支持七天无理由退换',
  });
  await admin('POST', '/api/scripts', {
    groupId: group.id,
    title: IMAGE_SCRIPT,
    kind: 'image',
    content: '智能手表新款产品图',
    payload: { url: PICTURE },
  });

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  // Generous: on a loaded CI machine the first render of a sheet has taken over 10 s; a real hang still fails.
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(`${base}/`) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
  });
}, 360_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

describe('sidebar (mock mode, 360×800)', { timeout: 120_000 }, () => {
  // A failed step leaves a picture of what the rep would have seen.
  beforeEach((ctx) => {
    ctx.onTestFailed(() => failureShot(page, ctx.task.name));
  });

  it('signs the rep in through OAuth and shows the customer who came through a channel code', async () => {
    await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(customerId)}`);
    // No session: the page goes through OAuth; the emulator's authorize page is where the rep is chosen.
    await page.waitForURL(/\/emulator\/connect\/oauth2\/authorize/);
    await page.click(`button[data-userid="${REP}"]`);
    await page.waitForURL(/\/sidebar\//);

    const card = page.getByTestId('customer-card');
    await card.waitFor();
    await expect(card.getByTestId('customer-name').textContent()).resolves.toBe('周梓涵');
    await expect(card.getByTestId('customer-channel').textContent()).resolves.toContain(CHANNEL_NAME);
    const tags = await card.getByTestId('tag').allTextContents();
    expect(tags).toEqual(expect.arrayContaining(channelTagNames));
    expect(page.url()).toContain(`customer=${customerId}`);
    await page.getByTestId('timeline-item').first().waitFor();
    await shot('01-card');
  });

  it('adds a tag through mark_tag', async () => {
    await openSidebar(customerId);
    // The editor lists the corp tag library, which the rep's session must be allowed to read.
    const tagsStatus = await page.evaluate(async () => (await fetch('/api/tags')).status);
    expect(tagsStatus, 'GET /api/tags must accept a rep session (the sidebar tag editor reads it)').toBe(200);
    await page.getByTestId('edit-tags').click();
    await page.getByTestId('tag-option').filter({ hasText: '重要客户' }).click();
    await shot('02-tag-editor');
    await page.getByTestId('tag-editor-save').click();
    await page.getByTestId('customer-card').getByTestId('tag').filter({ hasText: '重要客户' }).waitFor();
    // …through WeCom's mark_tag (the emulator records the call).
    await waitFor(async () => {
      const res = await fetch(`${base}/emulator/_calls?path=/cgi-bin/externalcontact/mark_tag`);
      const calls = (await res.json()) as { body: { external_userid?: string; userid?: string; add_tag?: string[] } }[];
      return calls.some(
        (c) => c.body.external_userid === customerId && c.body.userid === REP && c.body.add_tag?.length === 1,
      );
    }, 'mark_tag with the new tag');
  });

  it('changes the stage and the remark', async () => {
    await openSidebar(customerId);
    await page.getByTestId('stage-button').click();
    await page.locator('.van-action-sheet__item').filter({ hasText: '跟进中' }).click();
    await expect.poll(() => page.getByTestId('stage-button').textContent()).toContain('跟进中');
    await page.getByTestId('timeline-item').filter({ hasText: '跟进中' }).first().waitFor();

    await page.getByTestId('customer-card').getByRole('button', { name: '编辑' }).first().click();
    await page.getByTestId('text-edit-field').locator('input').fill('周姐-直播间');
    await page.getByTestId('text-edit-save').click();
    await expect.poll(() => page.getByTestId('customer-remark').textContent()).toBe('周姐-直播间');
    await waitFor(async () => {
      const res = await fetch(`${base}/emulator/_calls?path=/cgi-bin/externalcontact/remark`);
      const calls = (await res.json()) as { body: { external_userid?: string; remark?: string } }[];
      return calls.some((c) => c.body.external_userid === customerId && c.body.remark === '周姐-直播间');
    }, 'externalcontact/remark with the new remark');
  });

  it('writes a follow-up note with a due date', async () => {
    await openSidebar(customerId);
    await page.getByTestId('add-note').click();
    await page.getByTestId('note-content').locator('textarea').fill(NOTE_TEXT);
    await page.getByTestId('note-due').fill('2030-06-21T10:00');
    await page.getByTestId('note-save').click();
    const note = page.getByTestId('timeline-item').filter({ hasText: NOTE_TEXT });
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('提醒：2030-06-21 10:00');
    await shot('03-note');

    // The author may edit it; clearing the due date removes the reminder.
    await note.getByTestId('edit-note').click();
    await page.getByTestId('note-content').locator('textarea').fill(`${NOTE_TEXT}（已报价）`);
    await page.getByTestId('note-due').fill('');
    await page.getByTestId('note-save').click();
    const edited = page.getByTestId('timeline-item').filter({ hasText: '（已报价）' });
    await edited.waitFor();
    await expect(edited.textContent()).resolves.not.toContain('提醒');
  });

  it('finds a script by a Chinese word and sends it into the stand-in chat and onto the timeline', async () => {
    await openSidebar(customerId);
    await sidebarTab('话术').click();
    await page.getByTestId('script-search').locator('input').fill('包邮');
    const script = page.getByTestId('script-card').filter({ hasText: SCRIPT_TITLE });
    // The search runs after a short pause in typing: wait until the other script is filtered out.
    await expect.poll(() => page.getByTestId('script-card').count()).toBe(1);
    await script.waitFor();
    await script.getByTestId('script-send').click();
    await page.locator('.van-toast').filter({ hasText: '已发送' }).waitFor();

    // The stand-in chat (folded above the sidebar at 360 px) shows what sendChatMessage received.
    await page.getByTestId('mock-chat-toggle').click();
    await page.getByTestId('mock-transcript').getByTestId('chat-bubble').filter({ hasText: SCRIPT_TEXT }).waitFor();
    await shot('04-script-sent');

    const [send] = await sql<{ user_id: string; script_id: number }>(
      app,
      `SELECT user_id, script_id FROM script_sends WHERE external_user_id = ?`,
      customerId,
    );
    expect(send?.user_id).toBe(REP);

    await page.getByTestId('mock-chat-toggle').click();
    await sidebarTab('客户').click();
    const sent = page.getByTestId('timeline-item').filter({ hasText: SCRIPT_TITLE });
    await sent.waitFor();
    await expect(sent.getAttribute('data-kind')).resolves.toBe('script_sent');
    await page.getByTestId('timeline-filter-scripts').click();
    await expect.poll(() => page.getByTestId('timeline-item').count()).toBe(1);
    await page.getByTestId('timeline-item').filter({ hasText: SCRIPT_TITLE }).waitFor();
    await shot('05-timeline');
  });

  it('sends an image script: the stand-in chat shows the picture, never its media id', async () => {
    await openSidebar(customerId);
    await sidebarTab('话术').click();
    await page.getByTestId('script-search').locator('input').fill('产品图');
    await expect.poll(() => page.getByTestId('script-card').count()).toBe(1);
    await page.getByTestId('script-card').filter({ hasText: IMAGE_SCRIPT }).getByTestId('script-send').click();
    await page.locator('.van-toast').filter({ hasText: '已发送' }).waitFor();

    await page.getByTestId('mock-chat-toggle').click();
    const picture = page.getByTestId('mock-transcript').getByTestId('chat-picture');
    await picture.waitFor();
    await expect.poll(() => picture.evaluate((img) => (img as unknown as LoadedImage).naturalWidth)).toBe(480);
    await expect(picture.getAttribute('alt')).resolves.toBe(`图片：${IMAGE_SCRIPT}`);
    // The picture is the script's own image, as WeCom (the emulator) received it.
    const state = (await (await fetch(`${base}/emulator/_state`)).json()) as { media: { media_id: string }[] };
    const mediaId = state.media.at(-1)!.media_id;
    await expect(picture.getAttribute('src')).resolves.toBe(`/emulator/media/${mediaId}`);
    const uploaded = Buffer.from(await (await fetch(`${base}/emulator/media/${mediaId}`)).arrayBuffer());
    const original = Buffer.from(await (await fetch(`${base}${PICTURE}`)).arrayBuffer());
    expect(uploaded.equals(original)).toBe(true);
    await expect(page.getByTestId('mock-transcript').textContent()).resolves.not.toContain(mediaId.slice(0, 8));
    await shot('09-image-script');
    await page.getByTestId('mock-chat-toggle').click();
  });

  it('a description edit is 修改描述 on the timeline; 已保存 does not linger under the next sheet', async () => {
    await openSidebar(customerId);
    const card = page.getByTestId('customer-card');
    await card.getByRole('button', { name: '编辑' }).nth(1).click();
    await page.getByTestId('text-edit-field').locator('textarea').fill('想给父母买两只手表，关注续航');
    await page.getByTestId('text-edit-save').click();
    await page.locator('.van-toast').filter({ hasText: '已保存' }).waitFor();
    const item = page.getByTestId('timeline-item').filter({ hasText: '想给父母买两只手表' });
    await item.waitFor();
    await expect(item.locator('.entry__label').textContent()).resolves.toBe('修改描述');

    // At once the next sheet: the toast is gone rather than showing through its overlay. (Once the edit sheet has
    // closed: a click on its fading overlay only closes it, as it would for a rep; under load that took a while.)
    await page.getByTestId('text-edit-field').waitFor({ state: 'hidden' });
    await page.getByTestId('edit-tags').click();
    await page.getByTestId('tag-option').first().waitFor();
    await expect.poll(() => page.locator('.van-toast').filter({ hasText: '已保存' }).isVisible()).toBe(false);
    await shot('10-sheet-without-toast');
    await page.locator('.edit-sheet').getByRole('button', { name: '取消' }).click();
    await item.scrollIntoViewIfNeeded();
    await shot('11-description-changed');
  });

  it('a search among favourites with no match says so', async () => {
    await openSidebar(customerId);
    await sidebarTab('话术').click();
    await page.getByTestId('script-favorites').click();
    await page.getByTestId('script-search').locator('input').fill('不存在的话术');
    await page.getByText('没有匹配的收藏话术').waitFor();
    await expect(page.getByText('还没有收藏的话术').count()).resolves.toBe(0);
    await shot('12-favourites-no-match');
    await page.getByTestId('script-search').locator('input').fill('');
  });

  it('a customer that is not there: 未找到, without a 重试 that cannot help', async () => {
    await page.goto(`${base}/sidebar/?mock=1&customer=wmNotInThisCorp0123456789abcdefgh`);
    await page.getByText('未找到').waitFor();
    await expect(page.locator('.error-state__retry').count()).resolves.toBe(0);
    await shot('13-not-found');
  });

  it("the emulator's scan result lists the tags applied and every attachment; its badge stays on one line", async () => {
    const library = await admin<{ groups: { name: string; tags: { id: string; name: string }[] }[] }>(
      'GET',
      '/api/tags',
    );
    const tag = (group: string, name: string) =>
      library.groups.find((g) => g.name === group)!.tags.find((t) => t.name === name)!.id;
    const channel = await admin<{ configId: string }>('POST', '/api/channels', {
      name: '门店收银台海报',
      reps: [REP],
      tagIds: [tag('客户来源', '线下门店'), tag('意向产品', '扫地机器人')],
      welcome: {
        text: '{客户昵称}您好！我是门店顾问{员工姓名}，到店出示本页可领新客礼品。',
        attachments: [
          { type: 'image', imageUrl: '/demo-assets/scripts/robot-vacuum.png' },
          { type: 'link', title: '售后服务指南', url: 'https://www.example.com/after-sales', desc: '一页看懂' },
          {
            type: 'miniprogram',
            title: '星河优选商城',
            appId: 'wx8bd80126147dfa1f',
            page: '/pages/index/index',
            picUrl: '/demo-assets/scripts/promo-poster.png',
          },
        ],
      },
    });
    await page.goto(`${base}/emulator/qr/${channel.configId}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('渠道活码：门店收银台海报');
    await page.locator('input[name="name"]').fill('刘建国');
    await page.getByRole('button', { name: '模拟扫码添加' }).click();
    await page.waitForURL(/\/result\?customer=/);
    // The page reloads itself until the welcome message arrives.
    await page.locator('ul.attachments').waitFor({ timeout: 20_000 });
    const chips = await page.locator('ul.chips li').allTextContents();
    expect(chips.sort()).toEqual(['客户来源：线下门店', '意向产品：扫地机器人'].sort());
    const kinds = await page
      .locator('ul.attachments li')
      .evaluateAll((items) => items.map((i) => (i as unknown as { dataset: { kind: string } }).dataset.kind));
    expect(kinds).toEqual(['image', 'link', 'miniprogram']);
    await expect(page.locator('ul.attachments').textContent()).resolves.toContain('售后服务指南');
    await expect(page.locator('ul.attachments').textContent()).resolves.toContain('星河优选商城');
    for (const img of await page.locator('ul.attachments img.thumb').all()) {
      await expect.poll(() => img.evaluate((el) => (el as unknown as LoadedImage).naturalWidth)).toBeGreaterThan(0);
    }
    await expect(page.getByText('附件 3 个').count()).resolves.toBe(0);
    const badge = (await page.locator('header .tag').boundingBox())!;
    expect(badge.height).toBeLessThan(24);
    // Nothing is wider than the 360 px screen (the callback URL and ids wrap).
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(360);
    await shot('14-emulator-scan-result');
  });

  it("refuses another rep's customer, in Chinese", async () => {
    await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(otherCustomerId)}`);
    await page.getByText('该客户不是你跟进的客户').waitFor();
    await expect(page.getByTestId('customer-card').count()).resolves.toBe(0);
    await shot('06-refused');
  });

  it('shows the stand-in chat beside the sidebar on a wide screen', async () => {
    await page.setViewportSize({ width: 1100, height: 800 });
    await openSidebar(customerId);
    await page.getByTestId('mock-transcript').getByTestId('chat-bubble').filter({ hasText: SCRIPT_TEXT }).waitFor();
    await shot('08-wide');
    await page.setViewportSize({ width: 360, height: 800 });
  });

  it("switching the stand-in chat's rep signs in again as that rep", async () => {
    await openSidebar(customerId);
    await page.getByTestId('mock-chat-toggle').click();
    await page.getByTestId('mock-rep').selectOption(OTHER_REP);
    await page.locator('.van-dialog__confirm').click();
    await page.waitForURL(/\/emulator\/connect\/oauth2\/authorize/);
    await page.click(`button[data-userid="${OTHER_REP}"]`);
    await page.waitForURL(/\/sidebar\//);

    // A new rep starts without a customer; their own customer is in the picker and opens.
    await page.getByText('还没有选择客户').waitFor();
    await expect.poll(() => page.getByTestId('mock-rep').inputValue()).toBe(OTHER_REP);
    await page.getByTestId('mock-customer').selectOption(otherCustomerId);
    await page.getByTestId('customer-card').waitFor();
    await expect(page.getByTestId('customer-name').textContent()).resolves.toBe('郑思远');
    await shot('07-other-rep');

    // …and the first rep's customer is now the refused one.
    await page.goto(`${base}/sidebar/?mock=1&customer=${encodeURIComponent(customerId)}`);
    await page.getByText('该客户不是你跟进的客户').waitFor();
  });

  it('broke no CSP rule and asked no other origin for anything in all of the above (icons are embedded)', async () => {
    expect(await page.locator('.van-icon').count()).toBeGreaterThan(0);
    // A string, as this file is typed without the DOM library.
    const iconFont = await page.evaluate(
      `document.fonts.ready.then((all) => [...all].filter((f) => f.family === 'vant-icon').map((f) => f.status))`,
    );
    expect(iconFont).toEqual(['loaded']);
    expect(cspViolations).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
