import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { mediaRoot } from '../../server/modules/messages/media-store.js';
import type { ErasureRecord } from '../../shared/schemas/messages.js';
import { waitFor } from '../support/app.js';
import { archiveSettled, chat, CORP, jobsOfKind, messageRows, pullNow, startArchiveApp } from '../support/archive.js';
import { adminCall, login, repClient } from '../support/sidebar.js';

/**
 * PIPL on the run's backend: messages exported as CSV or JSON Lines (streamed), everything about one customer as a
 * zip, erasure (nothing of the customer left but the audit record: no row, no media file), and retention.
 */

/** A PNG-looking file with random bytes: its own hash, shared with no other message. */
function uniqueImage(): Buffer {
  const bytes = randomBytes(300);
  Buffer.from('89504e470d0a1a0a', 'hex').copy(bytes, 0);
  return bytes;
}

/**
 * Every row of every table that mentions `text`, but audit records: the erasure's own, and the console's log of admin
 * actions (which names whom the erasure was about, as an audit record must).
 */
async function rowsMentioning(app: App, text: string): Promise<string[]> {
  const tables =
    app.db.backend === 'postgres'
      ? await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
        )
      : await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name NOT LIKE 'messages_fts%'`,
        );
  const found: string[] = [];
  for (const { name } of tables) {
    if (name === 'erasures' || name === 'audit_log') continue;
    const rows = await app.db.rows(app.db, sql`SELECT * FROM ${sql.identifier(name)}`);
    for (const row of rows)
      if (JSON.stringify(row).includes(text)) found.push(`${name}: ${JSON.stringify(row).slice(0, 200)}`);
  }
  return found;
}

describe('export, erasure and retention', () => {
  let app: App;
  let rep: string;
  let customer: string;
  let other: string;

  beforeAll(async () => {
    app = await startArchiveApp({ retentionDays: 30 });
    const customers = app.emulator!.snapshot().customers.filter((c) => c.follow_user.length > 0);
    rep = customers[0]!.follow_user[0]!.userid;
    const mine = customers.filter((c) => c.follow_user.some((f) => f.userid === rep));
    customer = mine[0]!.external_userid;
    other = mine[1]!.external_userid;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('exports messages as CSV or JSON Lines, streamed, filtered by customer, rep or dates', async () => {
    await chat(app, { from: customer, to: rep, text: '你好，我想咨询一下净化器' });
    await chat(app, { from: rep, to: customer, text: '=HYPERLINK("http://x","点我")' });
    await chat(app, { from: rep, to: customer, text: '带,逗号和"引号"\n和换行' });
    await chat(app, { from: other, to: rep, text: '另一位客户的消息' });
    for (let i = 0; i < 1100; i++) await chat(app, { from: other, to: rep, text: `批量导出 ${i}` });
    await pullNow(app, 60_000);

    const csv = await adminCall(app, 'GET', `/api/messages/export?format=csv&externalUserId=${customer}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="messages-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.body.startsWith('\uFEFFid,msgid,sent_at,type,direction,sender')).toBe(true);
    expect(csv.body).toContain(`,"'=HYPERLINK(""http://x"",""点我"")",`);
    expect(csv.body).toContain('"带,逗号和""引号""\n和换行"');
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(1 + 3);

    const jsonl = await adminCall(app, 'GET', `/api/messages/export?format=jsonl&userId=${rep}`);
    expect(jsonl.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = jsonl.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; text: string });
    expect(lines).toHaveLength(1104);
    expect(new Set(lines.map((l) => l.id)).size).toBe(1104);
    const newest = lines[0]!;
    const dated = await adminCall(
      app,
      'GET',
      `/api/messages/export?format=jsonl&userId=${rep}&from=${Date.now() + 60_000}`,
    );
    expect(dated.body).toBe('');
    expect(newest.text).toBe('批量导出 1099');
    expect((await adminCall(app, 'GET', '/api/messages/export?format=xml')).statusCode).toBe(400);
  }, 120_000);

  it('exports everything about a customer as one zip and erases it all, leaving only the audit record', async () => {
    const cookie = await login(app, rep);
    const client = repClient(app, cookie);
    expect((await client.post(`/api/customers/${customer}/notes`, { content: '客户家里有两只猫' })).statusCode).toBe(
      201,
    );
    await adminCall(app, 'POST', '/api/keyword-rules', { name: '测试敏感词', words: ['投诉'] });
    await chat(app, { from: customer, to: rep, text: '不处理就投诉' });
    await chat(app, { from: customer, to: rep, msgtype: 'image', image: uniqueImage() });
    await chat(app, { from: customer, to: rep, msgtype: 'file', content: { filename: '发票.pdf', filesize: 2048 } });
    await chat(app, { from: customer, to: rep, msgtype: 'image' }); // the shared 1×1 picture
    await chat(app, { from: other, to: rep, msgtype: 'image' }); // the same picture, another customer's
    await pullNow(app);
    await archiveSettled(app);

    const zip = await adminCall(app, 'GET', `/api/customer-export?externalUserId=${customer}`);
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const dir = mkdtempSync(join(tmpdir(), 'scrm-zip-'));
    const file = join(dir, 'c.zip');
    writeFileSync(file, zip.rawPayload);
    const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort();
    const media = names.filter((n) => n.startsWith('media/'));
    expect(names.filter((n) => !n.startsWith('media/'))).toEqual(
      [
        'README.txt',
        'birthday.json',
        'consents.json',
        'follows.json',
        'messages.jsonl',
        'notifications.json',
        'orders.json',
        'profile.json',
        'tags.json',
        'tasks.json',
        'timeline.jsonl',
      ].sort(),
    );
    expect(media).toHaveLength(3);
    expect(media.filter((n) => n.endsWith('.png'))).toHaveLength(2);
    expect(media.filter((n) => n.endsWith('.pdf'))).toHaveLength(1);
    const unzip = (name: string) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' });
    expect(JSON.parse(unzip('profile.json'))).toMatchObject({ externalUserId: customer });
    expect(unzip('messages.jsonl').trim().split('\n')).toHaveLength(7);
    expect(unzip('timeline.jsonl')).toContain('客户家里有两只猫');

    const hashes = media.map((n) => n.slice('media/'.length).split('.')[0]!);
    const root = mediaRoot(app.config.dataDir);
    const pathOf = (h: string) => join(root, CORP, h.slice(0, 2), h);
    expect(hashes.every((h) => existsSync(pathOf(h)))).toBe(true);
    // The 1×1 picture is also another customer's: it must stay.
    const shared = (await messageRows(app)).find((m) => m.externalUserId === other && m.type === 'image')!;
    const sharedHash = (await app.modules.messages.repo.mediaOf(app.db, [shared.id]))[0]!.hash!;
    expect(hashes).toContain(sharedHash);

    const wrong = await adminCall(app, 'POST', '/api/erasures', { externalUserId: customer, confirm: 'someone-else' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toBe('确认内容与要删除的客户 ID 不一致');
    const erased = await adminCall(app, 'POST', '/api/erasures', {
      externalUserId: customer,
      confirm: customer,
      operator: '张经理',
      reason: '客户要求删除个人信息',
    });
    expect(erased.statusCode, erased.body).toBe(201);
    const record = erased.json() as ErasureRecord;
    expect(record).toMatchObject({ externalUserId: customer, reason: '客户要求删除个人信息' });
    expect(record.erasedBy).toMatch(/^张经理 \(admin token, /);
    expect(record.counts).toMatchObject({ messages: 7, mediaFiles: 2, profile: 1, keywordAlerts: 1 });
    // The note is counted (notes written per rep): it stays, empty, without the customer.
    expect(record.counts).toMatchObject({ timelineItemsAnonymised: 1 });
    expect(record.counts.timelineItems).toBeGreaterThanOrEqual(7);

    expect(await rowsMentioning(app, customer)).toEqual([]);
    expect(hashes.filter((h) => existsSync(pathOf(h)))).toEqual([sharedHash]);
    expect((await adminCall(app, 'GET', `/api/customer-export?externalUserId=${customer}`)).statusCode).toBe(404);
    const again = await adminCall(app, 'POST', '/api/erasures', { externalUserId: customer, confirm: customer });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toBe('客户不存在或已删除');
    expect((await adminCall(app, 'GET', `/api/media/${sharedHash}`)).statusCode).toBe(200);

    const audit = (await adminCall(app, 'GET', '/api/erasures')).json() as ErasureRecord[];
    expect(audit).toEqual([record]);
    // Search finds nothing of the customer any more.
    expect((await adminCall(app, 'GET', `/api/messages?q=${encodeURIComponent('投诉')}`)).json().items).toEqual([]);
  }, 120_000);

  it('deletes messages and media older than MESSAGE_RETENTION_DAYS daily', async () => {
    const old = Date.now() - 40 * 86_400_000;
    await chat(app, { from: other, to: rep, text: '四十天前的消息', msgtime: old });
    await chat(app, { from: other, to: rep, msgtype: 'image', image: uniqueImage(), msgtime: old + 1000 });
    await chat(app, { from: other, to: rep, text: '今天的消息' });
    await pullNow(app);
    const before = await messageRows(app);
    const oldImage = before.find((m) => m.sentAt === old + 1000)!;
    const [ref] = await app.modules.messages.repo.mediaOf(app.db, [oldImage.id]);
    const path = join(mediaRoot(app.config.dataDir), CORP, ref!.hash!.slice(0, 2), ref!.hash!);
    expect(existsSync(path)).toBe(true);

    await app.scheduler.fire('messages_retention');
    await waitFor(
      async () => (await jobsOfKind(app, 'messages_retention')).every((j) => j.status === 'done'),
      'retention',
    );
    const [job] = await jobsOfKind(app, 'messages_retention');
    expect(job!.result).toContain('2 messages and 1 media files older than 30 days deleted');
    const after = await messageRows(app);
    expect(after).toHaveLength(before.length - 2);
    expect(after.some((m) => m.text === '四十天前的消息')).toBe(false);
    expect(after.some((m) => m.text === '今天的消息')).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(await rowsMentioning(app, '四十天前的消息')).toEqual([]);
  }, 60_000);
});
