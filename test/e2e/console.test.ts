import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { App } from '../../server/app.js';
import { seedDemo } from '../../server/demo/seed-sidebar.js';
import { personaExternalUserId } from '../../server/demo/personas.js';
import { waitFor } from '../support/app.js';
import { E2E_OUTPUT, launchChromium } from '../support/browser.js';
import { archiveSettled, chat, pullNow } from '../support/archive.js';
import { CONSOLE_DIST, startConsoleApp } from '../support/console-app.js';
import { createLocalAccount, grantMember, STRONG_PASSWORD } from '../support/console.js';
import { CORP, sql } from '../support/sidebar.js';

/**
 * The manager console end to end at a desktop size (1440×900): the real app (built console, API, worker, the
 * emulator as WeCom, the demo's customers, chats and figures) driven by Debian's Chromium. Needs
 * `npx vite build --config console/vite.config.ts` first.
 */

const ADMIN = { username: 'yunying', name: '运营管理员' };
/** 刘洋 leads 销售二部 (department 3: 刘洋, 陈静, 赵磊); 李娜 is in 销售一部. */
const MANAGER = { userId: 'liuyang', name: '刘洋', department: 3 };
const OWN_REPS = ['刘洋', '陈静', '赵磊'];
const OTHER_REPS = ['张伟', '李娜', '王芳'];
const ALERT_TEXT = '这单可以私下转账给我，价格再给您便宜两百';

let app: App;
let base: string;
let browser: Browser;
let adminContext: BrowserContext;
let managerContext: BrowserContext;
let admin: Page;
let manager: Page;
/** Page errors (uncaught exceptions) of every console page, all run long: a page that throws fails its test. */
const pageErrors: string[] = [];

/** expect.poll with the patience of a page that loads (vitest's default gives up after one second). */
const poll = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 15_000, message });

async function shot(page: Page, name: string) {
  await page.waitForTimeout(300); // let transitions (dialogs, messages) settle
  await page.screenshot({ path: join(E2E_OUTPUT, `console-${name}.png`), fullPage: true });
}

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return { context, page };
}

/** The console's series colours (console/src/lib/echarts.ts). */
const SERIES_COLOURS = [0x2f6bff, 0xf05b5b, 0x16a34a, 0xf59e0b];

/**
 * What an echarts canvas shows: how many pixels are drawn, in how many distinct colours, and how many below the
 * legend (the top 32 CSS pixels) are in a series colour.
 */
async function canvasInk(page: Page, testId: string): Promise<{ drawn: number; colours: number; series: number }> {
  const canvas = page.getByTestId(testId).locator('canvas').first();
  await canvas.waitFor();
  return canvas.evaluate((el, seriesColours) => {
    // The file is typed without the DOM library: the canvas as far as this reads it.
    const c = el as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const colours = new Set<number>();
    const legendRows = Math.round(32 * (c.width / (el as unknown as { clientWidth: number }).clientWidth));
    let drawn = 0;
    let series = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! === 0) continue;
      drawn++;
      const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      colours.add(rgb);
      if (i / 4 / c.width >= legendRows && seriesColours.includes(rgb)) series++;
    }
    return { drawn, colours: colours.size, series };
  }, SERIES_COLOURS);
}

/**
 * The console's own words on the page (titles, labels, buttons, tabs, column heads, empty states, alerts, menu,
 * placeholders) that have Latin words in them: the UI is Simplified Chinese. Data (names, codes, addresses) is not
 * checked.
 */
async function englishTexts(page: Page): Promise<string[]> {
  const chrome = [
    'h1',
    'h2',
    '.panel-title',
    '.el-form-item__label',
    '.el-button',
    '.el-tabs__item',
    'th',
    '.el-empty__description',
    '.el-table__empty-text',
    '.el-alert__title',
    '.el-menu-item',
    '.el-radio__label',
    '.el-radio-button__inner',
    '.el-checkbox__label',
    '.stat-card .label',
    '.stat-card .sub',
  ].join(', ');
  const texts = await page.locator(chrome).allInnerTexts();
  const placeholders = await page
    .locator('input[placeholder]:visible, textarea[placeholder]:visible')
    .evaluateAll((els) => els.map((el) => (el as unknown as { placeholder: string }).placeholder));
  return [...new Set([...texts, ...placeholders].map((t) => t.trim()))]
    .filter((t) => /[A-Za-z]{3,}/.test(t.replace(/\b(CSV|PNG|IP|ID|P90|SCRM|State|CorpID|UTF-8|Excel|Webhook)\b/g, '')))
    .filter((t) => !/^(https?:|[\w.-]+@)/.test(t));
}

/**
 * Waits for what a step should show, or for the error the console shows instead (an error alert or message), and
 * then fails with the console's own words rather than a timeout.
 */
async function shownOrRefused(expected: Locator, within: Page | Locator, what: string): Promise<void> {
  const refusal = within.locator('.el-alert--error:visible, .el-message--error:visible').first();
  await expected.or(refusal).first().waitFor();
  if (!(await expected.isVisible())) throw new Error(`${what}: the console says 「${await refusal.innerText()}」`);
}

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
    throw new Error('the console is not built: npx vite build --config console/vite.config.ts');
  }
  // The demo as `npm start` seeds it: customers with stories, the channel codes, chats through the archive (with
  // the demo's keyword rules), the script library.
  app = await startConsoleApp();
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  await seedDemo(app);
  await archiveSettled(app, 180_000);
  // The dashboards' figures of past days, as the nightly rollup (run at start) makes them.
  await app.modules.jobs.service.enqueue(
    app.db,
    app.modules.dashboards.jobs.nightlyJob,
    { period: 'e2e' },
    { corpId: CORP, dedupeKey: 'console-rollup:e2e' },
  );
  await waitFor(
    async () =>
      Number(
        (
          await sql<{ n: number }>(
            app,
            `SELECT count(*) AS n FROM jobs WHERE kind IN ('console_rollup_nightly', 'console_rollup') AND status IN ('pending', 'running')`,
          )
        )[0]?.n,
      ) === 0 &&
      Number((await sql<{ n: number }>(app, `SELECT count(*) AS n FROM jobs WHERE kind = 'console_rollup'`))[0]?.n) > 0,
    'the dashboard rollups',
    120_000,
  );

  await createLocalAccount(app, { username: ADMIN.username, name: ADMIN.name, role: 'admin' });
  await grantMember(app, MANAGER.userId, 'manager', [MANAGER.department]);

  browser = await launchChromium();
  ({ context: adminContext, page: admin } = await newContext());
  ({ context: managerContext, page: manager } = await newContext());
}, 360_000);

afterAll(async () => {
  await adminContext?.close();
  await managerContext?.close();
  await browser?.close();
  await app?.close();
});

describe('manager console (1440×900)', () => {
  // A failed step leaves a picture of what the manager would have seen.
  beforeEach((ctx) => {
    pageErrors.length = 0;
    ctx.onTestFailed(async () => {
      const name = ctx.task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
      for (const [who, page] of [
        ['admin', admin],
        ['manager', manager],
      ] as const) {
        await page
          ?.screenshot({ path: join(E2E_OUTPUT, `console-failed-${who}-${name}.png`), fullPage: true })
          .catch(() => {});
      }
    });
  });

  it('signs in with a local account (username and password)', async () => {
    await admin.goto(`${base}/console/`);
    await admin.waitForURL(/\/console\/login/);
    await admin.getByTestId('login').waitFor();
    await shot(admin, '01-login');

    // A wrong password is refused in Chinese, and the form stays.
    await admin.getByTestId('username').fill(ADMIN.username);
    await admin.getByTestId('password').fill('not-the-password');
    await admin.getByTestId('login-submit').click();
    const failure = admin.getByTestId('login-error');
    await failure.waitFor();
    expect(await failure.innerText()).toMatch(/[\u4e00-\u9fff]/);

    await admin.getByTestId('password').fill(STRONG_PASSWORD);
    await admin.getByTestId('login-submit').click();
    await admin.waitForURL(/\/console\/overview/);
    await poll(() => admin.getByTestId('user-menu').innerText()).toContain(ADMIN.name);
    await admin.getByTestId('overview').waitFor();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("signs a member in through WeCom's web sign-in (企业微信扫码登录, played by the emulator)", async () => {
    await manager.goto(`${base}/console/login`);
    await manager.getByRole('tab', { name: '企业微信登录' }).click();
    await manager.getByTestId('wecom-login').click();
    // The emulator's sign-in page: the member who scans is chosen there.
    await manager.waitForURL(/\/emulator\/wwlogin\/sso\/login/);
    await expect(manager.locator('h1').innerText()).resolves.toContain('企业微信扫码登录');
    await shot(manager, '02-wecom-sign-in');
    await manager.click(`button[data-userid="${MANAGER.userId}"]`);
    await manager.waitForURL(/\/console\/overview/);
    await poll(() => manager.getByTestId('user-menu').innerText()).toContain(MANAGER.name);
    // A manager: the menu has no admin pages.
    await expect(manager.getByTestId('nav-channels').count()).resolves.toBe(0);
    await expect(manager.getByTestId('nav-overview').count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('the overview (数据概览) draws its charts and shows its figures', async () => {
    await admin.goto(`${base}/console/overview`);
    await admin.getByTestId('overview').waitFor();
    // The headline figures: numbers, the customer total above zero (the demo's customers).
    const values = admin.getByTestId('stat-value');
    await poll(() => values.count()).toBe(6);
    await poll(async () => (await values.first().innerText()).trim()).toMatch(/^[\d,]+$/);
    const total = Number((await values.first().innerText()).replace(/,/g, ''));
    expect(total).toBeGreaterThan(10);
    for (const text of await values.allInnerTexts()) expect(text.trim()).not.toBe('');

    // The charts are drawn: many pixels, in more than one colour (axes, lines, bars, labels).
    for (const chart of ['overview-trend', 'overview-channels']) {
      await poll(async () => {
        const ink = await canvasInk(admin, chart);
        return ink.drawn > 2_000 && ink.colours > 1;
      }, `${chart} is drawn`).toBe(true);
      // The series are drawn in the plot (below the legend), in the console's series colours.
      expect((await canvasInk(admin, chart)).series, chart).toBeGreaterThan(400);
    }
    // The channel table lists the demo's channel codes with figures.
    await poll(() => admin.locator('.channel-table .el-table__row').count()).toBeGreaterThan(0);
    expect(await englishTexts(admin)).toEqual([]);
    await shot(admin, '03-overview');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('creates a channel code (渠道活码) with a welcome message preview and downloads its QR as a PNG', async () => {
    const name = '双十二门店海报';
    const welcome = '您好，我是{员工姓名}，欢迎来到星河门店！';
    await admin.goto(`${base}/console/channels/new`);
    await admin.getByTestId('channel-edit').waitFor();
    await admin.getByTestId('channel-name').fill(name);
    await admin.getByTestId('channel-reps').click();
    await admin.locator('.el-select-dropdown__item:visible').filter({ hasText: '李娜' }).first().click();
    await admin.keyboard.press('Escape');
    await admin.getByTestId('welcome-custom').click();
    await admin.getByTestId('welcome-text').fill(welcome);

    // The preview shows the message as the customer reads it (the rep's name filled in).
    const preview = admin.getByTestId('welcome-preview');
    await poll(() =>
      preview
        .getByTestId('welcome-preview-text')
        .innerText()
        .catch(() => ''),
    ).toContain('欢迎来到星河门店');
    await expect(preview.getByTestId('welcome-preview-text').innerText()).resolves.toContain('李娜');
    await shot(admin, '04-channel-new');

    await admin.getByTestId('channel-save').click();
    await admin.waitForURL(/\/console\/channels\/\d+$/);
    const [row] = await sql<{ id: number; name: string }>(app, `SELECT id, name FROM channels WHERE name = ?`, name);
    expect(row?.name).toBe(name);

    // The QR code shows, and downloads as a PNG file.
    const qr = await admin.evaluate(async (id) => {
      const res = await fetch(`/api/channels/${id}/qr.png`);
      return { status: res.status, type: res.headers.get('content-type') };
    }, row!.id);
    expect(qr, `GET /api/channels/${row!.id}/qr.png (the image the page shows)`).toEqual({
      status: 200,
      type: 'image/png',
    });
    const image = admin.getByTestId('channel-qr-image');
    await image.waitFor();
    await poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(
      0,
    );
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByTestId('channel-qr-download').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await shot(admin, '05-channel-saved');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('imports a scripts CSV with one bad row: the preview names the error, only the good rows are imported', async () => {
    const csv = [
      '分组,标题,类型,内容,链接,卡片标题,卡片描述,封面图,排序',
      '导入测试,保修政策,文本,整机保修一年，电池保修半年,,,,,1',
      '导入测试,门店地址,文本,星河广场一层 A12 号,,,,,2',
      '导入测试,活动海报,图片,,,,,,3',
      '导入测试,会员权益,文本,会员享受全年九五折,,,,,4',
    ].join('\n');
    await admin.goto(`${base}/console/scripts`);
    await admin.getByTestId('scripts').waitFor();
    await admin.getByTestId('script-import-open').click();
    const dialog = admin.getByTestId('script-import');
    await admin.getByTestId('script-import-file').setInputFiles({
      name: '话术导入.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await shownOrRefused(dialog.getByTestId('script-import-summary'), dialog, 'the import preview');
    await expect(dialog.getByTestId('script-import-invalid').innerText()).resolves.toContain('1');
    // The bad row (line 4, an image without its address) says why, in Chinese.
    const errors = dialog.getByTestId('script-import-error');
    await poll(() => errors.count()).toBe(1);
    const message = await errors.first().innerText();
    expect(message).toMatch(/[\u4e00-\u9fff]/);
    expect(message).not.toMatch(/[A-Za-z]{4,}/);
    const badRow = dialog.locator('.bad-row');
    await expect(badRow.innerText()).resolves.toContain('活动海报');
    await shot(admin, '06-script-import-preview');

    // Import the rows without errors.
    await dialog.getByTestId('script-import-skip-invalid').click();
    await expect(dialog.getByTestId('script-import-skipped').innerText()).resolves.toContain('活动海报');
    await poll(() => dialog.getByTestId('script-import-invalid').innerText()).toContain('0');
    await dialog.getByTestId('script-import-confirm').click();
    await admin.locator('.el-message--success').waitFor();
    const titles = (
      await sql<{ title: string }>(
        app,
        `SELECT s.title FROM scripts s JOIN script_groups g ON g.id = s.group_id WHERE g.name = ? ORDER BY s.title`,
        '导入测试',
      )
    ).map((r) => r.title);
    expect(titles.sort()).toEqual(['会员权益', '保修政策', '门店地址'].sort());
    await admin.getByTestId('script-table').getByText('门店地址').waitFor();
    await shot(admin, '07-scripts-imported');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('opens a keyword alert and lands on the message in its conversation', async () => {
    // A rep writes a word of the demo's rule 员工违规用语 (私下转账) to a customer of theirs; the archive pulls it.
    const customer = personaExternalUserId('chen-yutong');
    const [follow] = await sql<{ user_id: string }>(
      app,
      `SELECT user_id FROM follows WHERE external_user_id = ? LIMIT 1`,
      customer,
    );
    chat(app, { from: follow!.user_id, to: customer, text: ALERT_TEXT });
    await pullNow(app);

    await admin.goto(`${base}/console/conversations`);
    const alerts = admin.getByTestId('keyword-alerts');
    const alertRow = alerts.locator('.el-table__row').filter({ hasText: '两百' });
    await alertRow.first().waitFor();
    await expect(alertRow.first().innerText()).resolves.toContain('私下转账');
    await shot(admin, '08-keyword-alerts');

    await alertRow.first().getByTestId('alert-context').click();
    await shownOrRefused(admin.getByTestId('conversation'), admin, 'the conversation of the alert');
    await admin.waitForURL(/\/console\/conversations\/\d+\?message=\d+/);
    const target = admin.locator('[data-testid="message"].target');
    await target.waitFor();
    await expect(target.innerText()).resolves.toContain(ALERT_TEXT);
    // In context: the messages before it are there too, and it is on screen.
    await poll(() => admin.getByTestId('message').count()).toBeGreaterThan(3);
    await expect(target.isVisible()).resolves.toBe(true);
    await shot(admin, '09-alert-in-context');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("a department's manager sees only their department's reps; another department's rep is refused", async () => {
    await manager.goto(`${base}/console/reps`);
    const table = manager.getByTestId('rep-table');
    await poll(() => table.locator('.el-table__body-wrapper .el-table__row').count()).toBeGreaterThan(0);
    const names = await table.locator('.el-table__body-wrapper .el-table__row a.link').allInnerTexts();
    expect(new Set(names.map((n) => n.trim()))).toEqual(new Set(OWN_REPS));
    for (const other of OTHER_REPS) expect(names).not.toContain(other);
    await shot(manager, '10-manager-reps');

    // Another department's rep, asked for directly: the server refuses and the page says so.
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const status = await manager.evaluate(
      async (q) => (await fetch(`/api/console/dashboard/reps/lina?${q}`)).status,
      `from=${from}&to=${to}`,
    );
    expect(status).toBe(403);
    await manager.goto(`${base}/console/reps/lina`);
    await manager.getByTestId('rep-detail').waitFor();
    const refusal = manager.getByTestId('rep-refused');
    await refusal.waitFor();
    await expect(refusal.innerText()).resolves.toContain('无权查看该员工');
    // Nothing of that rep's figures: no cards, no charts, no export, no link to their customers.
    await expect(manager.getByTestId('stat-card').count()).resolves.toBe(0);
    await expect(manager.locator('[data-testid="chart"] canvas').count()).resolves.toBe(0);
    await expect(manager.getByText('查看该员工的客户').count()).resolves.toBe(0);
    await shot(manager, '11-manager-refused');

    // An admin page is not theirs either.
    await manager.goto(`${base}/console/users`);
    await manager.waitForURL(/\/console\/overview/);
    await manager.locator('.el-message--warning').filter({ hasText: '没有权限' }).waitFor();
    expect(pageErrors).toEqual([]);
  }, 90_000);
  it('every page of the menu opens without a script error or English text', async () => {
    const failures: string[] = [];
    for (const name of [
      'overview',
      'reps',
      'channel-stats',
      'customers',
      'conversations',
      'channels',
      'tags',
      'stages',
      'scripts',
      'keyword-rules',
      'automations',
      'users',
      'work-calendar',
      'settings',
      'audit',
    ]) {
      await admin.goto(`${base}/console/${name}`);
      await admin.getByTestId(`nav-${name}`).waitFor();
      await admin.waitForLoadState('networkidle');
      await admin.waitForTimeout(300);
      const english = await englishTexts(admin);
      if (english.length) failures.push(`${name}: English text ${JSON.stringify(english)}`);
      const alerts = await admin.locator('.el-alert--error:visible, .el-message--error:visible').allInnerTexts();
      if (alerts.length) failures.push(`${name}: error shown ${JSON.stringify(alerts)}`);
    }
    failures.push(...pageErrors);
    expect(failures).toEqual([]);
  }, 120_000);
});
