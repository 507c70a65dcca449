import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { appTableCounts, startApp } from '../support/app.js';
import { consoleClient, consoleLogin, createLocalAccount, type ConsoleClient } from '../support/console.js';
import { adminCall, sql, syncCorp } from '../support/sidebar.js';

/**
 * The console's script library CSV: a preview that writes nothing and names each bad row and column in Chinese, a
 * confirmation that imports exactly the previewed file in one transaction (audited), and an export that the import
 * reads back unchanged. Console admins only.
 */

interface Preview {
  checksum: string;
  total: number;
  creates: number;
  updates: number;
  invalid: number;
  newGroups: string[];
  fileErrors: string[];
  rows: {
    line: number;
    group: string;
    title: string;
    kind: string;
    action: 'create' | 'update' | null;
    scriptId: number | null;
    errors: { column: string; message: string }[];
  }[];
}

const HEADER = '分组,标题,类型,内容,链接,卡片标题,卡片描述,封面图,排序';
const FILE = [
  HEADER,
  '售后,保修政策,文本,整机保修一年，电池保修半年,,,,,1',
  '售后,门店地址,文本,"星河广场一层 A12 号,""旗舰店""\n营业到 22 点",,,,,2',
  '售后,活动海报,图片,,,,,,3',
  '活动,双十一,链接,大促说明,https://shop.example.com/1111,双十一会场,全场五折,/demo-assets/cover.png,4',
  '活动,公式,文本,=1+1,,,,,5',
].join('\n');

let app: App;
let admin: ConsoleClient;
let manager: ConsoleClient;
let existingGroupId: number;
let existingScriptId: number;

const preview = async (client: ConsoleClient, csv: string) => {
  const res = await client.post('/api/console/scripts/import/preview', { csv });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Preview>();
};
const counts = async () => {
  const all = await appTableCounts(app);
  return { scripts: all.scripts ?? 0, groups: all.script_groups ?? 0, audit: all.audit_log ?? 0 };
};

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  await createLocalAccount(app, { username: 'boss', role: 'admin', name: '老板' });
  await createLocalAccount(app, { username: 'lead', role: 'manager', departmentIds: [2], name: '主管' });
  admin = consoleClient(app, await consoleLogin(app, 'boss'));
  manager = consoleClient(app, await consoleLogin(app, 'lead'));
  const group = await adminCall(app, 'POST', '/api/script-groups', { name: '售后' });
  expect(group.statusCode, group.body).toBe(201);
  existingGroupId = group.json<{ id: number }>().id;
  const script = await adminCall(app, 'POST', '/api/scripts', {
    groupId: existingGroupId,
    title: '门店地址',
    kind: 'text',
    content: '旧地址',
  });
  expect(script.statusCode, script.body).toBe(201);
  existingScriptId = script.json<{ id: number }>().id;
});

afterAll(async () => {
  await app?.close();
});

describe('script library CSV', () => {
  it('previews a file with one bad row: the error names the row and column in Chinese; nothing is written', async () => {
    const before = await counts();
    const p = await preview(admin, FILE);
    expect(p.fileErrors).toEqual([]);
    expect(p.total).toBe(5);
    expect(p.invalid).toBe(1);
    expect(p.creates).toBe(3);
    expect(p.updates).toBe(1);
    expect(p.newGroups).toEqual(['活动']);
    // Lines count from the header; the quoted cell spanning two lines moves the rows after it down.
    expect(p.rows.map((r) => r.line)).toEqual([2, 3, 5, 6, 7]);
    const address = p.rows.find((r) => r.title === '门店地址')!;
    expect(address).toMatchObject({ action: 'update', scriptId: existingScriptId, errors: [] });
    const bad = p.rows.find((r) => r.title === '活动海报')!;
    expect(bad.action).toBeNull();
    expect(bad.line).toBe(5);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]!.column).toBe('url');
    expect(bad.errors[0]!.message).toBe('第 5 行「链接」：图片话术需要图片地址');
    expect(await counts()).toEqual(before);
  });

  it('refuses to confirm a file with errors (400 with the preview) and writes nothing', async () => {
    const before = await counts();
    const { checksum } = await preview(admin, FILE);
    const res = await admin.post('/api/console/scripts/import', { csv: FILE, checksum });
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json<{ message: string; preview: Preview }>();
    expect(body.message).toMatch(/1 行有错误/);
    expect(body.preview.rows.find((r) => r.line === 5)!.errors[0]!.column).toBe('url');
    expect(await counts()).toEqual(before);
  });

  it('refuses a checksum that is not the preview of this file (409, in Chinese)', async () => {
    const good = FILE.split('\n')
      .filter((l) => !l.includes('活动海报'))
      .join('\n');
    const { checksum } = await preview(admin, good);
    const before = await counts();
    const changed = good.replace('全场五折', '全场四折');
    const res = await admin.post('/api/console/scripts/import', { csv: changed, checksum });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json<{ message: string }>().message).toMatch(/预览/);
    expect(await counts()).toEqual(before);
    const wrong = await admin.post('/api/console/scripts/import', { csv: good, checksum: 'f'.repeat(64) });
    expect(wrong.statusCode).toBe(409);
  });

  it('imports the good rows in one go: creates, updates, the new group, an audit entry', async () => {
    const good = FILE.split('\n')
      .filter((l) => !l.includes('活动海报'))
      .join('\n');
    const p = await preview(admin, good);
    expect(p.invalid).toBe(0);
    const before = await counts();
    const res = await admin.post('/api/console/scripts/import', { csv: good, checksum: p.checksum });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ created: 3, updated: 1, groupsCreated: 1 });
    const after = await counts();
    expect(after.scripts).toBe(before.scripts + 3);
    expect(after.groups).toBe(before.groups + 1);
    expect(after.audit).toBe(before.audit + 1);

    const [address] = await sql<{ content: string; group_id: number }>(
      app,
      'SELECT content, group_id FROM scripts WHERE id = ?',
      existingScriptId,
    );
    expect(address).toEqual({ content: '星河广场一层 A12 号,"旗舰店"\n营业到 22 点', group_id: existingGroupId });
    const list = await adminCall(app, 'GET', '/api/scripts?q=双十一');
    const link = list.json<{ items: { kind: string; groupName: string; payload: Record<string, string> }[] }>()
      .items[0]!;
    expect(link).toMatchObject({
      kind: 'link',
      groupName: '活动',
      payload: {
        url: 'https://shop.example.com/1111',
        title: '双十一会场',
        desc: '全场五折',
        imgUrl: '/demo-assets/cover.png',
      },
    });
    const [entry] = await sql<{ action: string; summary: string; actor_name: string }>(
      app,
      'SELECT action, summary, actor_name FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    expect(entry).toEqual({
      action: 'script.import',
      summary: '导入话术：新建 3 条，更新 1 条，新建分组 1 个',
      actor_name: '老板',
    });

    // The same checksum again: the library changed (the rows now update), so the preview no longer holds.
    const again = await admin.post('/api/console/scripts/import', { csv: good, checksum: p.checksum });
    expect(again.statusCode, again.body).toBe(409);
  });

  it('exports the library in the import columns; the export previews back with no errors, creates or new groups', async () => {
    const res = await admin.get('/api/console/scripts/export.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const csv = res.body;
    const records = parse(csv, { bom: true }) as string[][];
    expect(records[0]).toEqual(HEADER.split(','));
    const rows = records.slice(1);
    const formula = rows.find((r) => r[1] === '公式')!;
    // A spreadsheet would run =1+1: it leaves with a quote, and the import takes the quote off again.
    expect(formula[3]).toBe("'=1+1");
    expect(rows.find((r) => r[1] === '双十一')).toEqual([
      '活动',
      '双十一',
      '链接',
      '大促说明',
      'https://shop.example.com/1111',
      '双十一会场',
      '全场五折',
      '/demo-assets/cover.png',
      '4',
    ]);

    const total = Number(
      (await sql<{ n: number }>(app, 'SELECT COUNT(*) AS n FROM scripts WHERE deleted_at IS NULL'))[0]!.n,
    );
    expect(rows).toHaveLength(total);
    const p = await preview(admin, csv);
    expect(p.fileErrors).toEqual([]);
    expect(p.invalid).toBe(0);
    expect(p.creates).toBe(0);
    expect(p.newGroups).toEqual([]);
    expect(p.updates).toBe(total);
    // Importing it back changes no script.
    const before = await sql(
      app,
      'SELECT id, group_id, title, kind, content, payload, "order" FROM scripts ORDER BY id',
    );
    const imported = await admin.post('/api/console/scripts/import', { csv, checksum: p.checksum });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toEqual({ created: 0, updated: total, groupsCreated: 0 });
    expect(
      await sql(app, 'SELECT id, group_id, title, kind, content, payload, "order" FROM scripts ORDER BY id'),
    ).toEqual(before);
  });

  it('names the problems of the file itself and of each bad cell', async () => {
    const unknown = await preview(admin, '分组,标题,类型,备注\n售后,a,文本\n');
    expect(unknown.fileErrors).toEqual([
      '表头第 4 列「备注」不是可导入的列（可用：分组、标题、类型、内容、链接、卡片标题、卡片描述、封面图、排序）',
    ]);
    expect(unknown.rows).toEqual([]);
    const missing = await preview(admin, 'title,content\nA,B\n');
    expect(missing.fileErrors).toEqual(['表头缺少「分组」列', '表头缺少「类型」列']);
    const quote = await preview(admin, `${HEADER}\n售后,a,文本,"没有闭合\n`);
    expect(quote.fileErrors[0]).toMatch(/引号未闭合/);
    const headerOnly = await preview(admin, `${HEADER}\n`);
    expect(headerOnly.fileErrors).toEqual(['文件中没有话术：表头下面至少要有一行']);

    const cells = await preview(
      admin,
      [
        'group,title,kind,content,url,order',
        ',无分组,text,内容,,',
        '售后,类型错,视频,内容,,',
        '售后,排序错,text,内容,,-1',
        '售后,文本带链接,text,内容,https://a.example.com,',
        `售后,${'长'.repeat(51)},text,内容,,`,
        '售后,重复,text,一,,',
        '售后,重复,text,二,,',
        '售后,坏链接,link,,ftp://x,',
      ].join('\r\n'),
    );
    const errorsOf = (line: number) => cells.rows.find((r) => r.line === line)!.errors;
    expect(errorsOf(2)).toEqual([{ column: 'group', message: '第 2 行「分组」：分组不能为空' }]);
    expect(errorsOf(3)).toEqual([
      { column: 'kind', message: '第 3 行「类型」：类型「视频」无效，应为文本、图片或链接' },
    ]);
    expect(errorsOf(4)).toEqual([{ column: 'order', message: '第 4 行「排序」：排序须为 0 到 100000 之间的整数' }]);
    expect(errorsOf(5)).toEqual([{ column: 'url', message: '第 5 行「链接」：文本话术不使用此列，请留空' }]);
    expect(errorsOf(6)).toEqual([{ column: 'title', message: '第 6 行「标题」：最多 50 个字，现为 51 个字' }]);
    expect(errorsOf(7)).toEqual([]);
    expect(errorsOf(8)).toEqual([
      { column: 'title', message: '第 8 行「标题」：分组「售后」中的标题「重复」与第 7 行重复' },
    ]);
    expect(errorsOf(9)).toEqual([{ column: 'url', message: '第 9 行「链接」：链接话术需要完整的 http(s) 链接' }]);
    expect(cells.invalid).toBe(7);
  });

  it('is for console admins only: a manager and a signed-out client are refused', async () => {
    const before = await counts();
    const previewed = await manager.post('/api/console/scripts/import/preview', { csv: FILE });
    expect(previewed.statusCode).toBe(403);
    expect(previewed.json<{ message: string }>().message).toBe('需要管理员权限');
    const imported = await manager.post('/api/console/scripts/import', { csv: FILE, checksum: 'x' });
    expect(imported.statusCode).toBe(403);
    expect((await manager.get('/api/console/scripts/export.csv')).statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'GET', url: '/api/console/scripts/export.csv' });
    expect(anonymous.statusCode).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('agrees with the other script routes: a manager reads the library, only an admin changes it (by CSV too)', async () => {
    // What the console's scripts page offers a manager (the list, no import, export or editing buttons).
    const me = await manager.get('/api/console/me');
    expect(me.json<{ user: { role: string } }>().user.role).toBe('manager');
    for (const url of ['/api/scripts', '/api/script-groups']) {
      expect((await manager.get(url)).statusCode, url).toBe(200);
      expect((await admin.get(url)).statusCode, url).toBe(200);
    }
    const before = await counts();
    const changes: [string, (c: ConsoleClient) => ReturnType<ConsoleClient['get']>][] = [
      [
        'create a script',
        (c) => c.post('/api/scripts', { groupId: existingGroupId, title: '新话术', kind: 'text', content: '你好' }),
      ],
      [
        'edit a script',
        (c) =>
          c.put(`/api/scripts/${existingScriptId}`, {
            groupId: existingGroupId,
            title: '门店地址',
            kind: 'text',
            content: '主管改的地址',
          }),
      ],
      ['delete a script', (c) => c.delete(`/api/scripts/${existingScriptId}`)],
      ['create a group', (c) => c.post('/api/script-groups', { name: '主管的分组' })],
      ['preview a CSV', (c) => c.post('/api/console/scripts/import/preview', { csv: FILE })],
      ['export the CSV', (c) => c.get('/api/console/scripts/export.csv')],
    ];
    for (const [what, call] of changes) {
      const res = await call(manager);
      expect(res.statusCode, what).toBe(403);
      expect(res.json<{ message: string }>().message, what).toBe('需要管理员权限');
    }
    expect(await counts()).toEqual(before);
    // The CSV routes answer an admin (the other changes are an admin's in the tests of the scripts module).
    expect((await admin.post('/api/console/scripts/import/preview', { csv: FILE })).statusCode).toBe(200);
    expect((await admin.get('/api/console/scripts/export.csv')).statusCode).toBe(200);
  });

  it('refuses unknown fields and missing ones in the body, in Chinese', async () => {
    const extra = await admin.post('/api/console/scripts/import/preview', { csv: FILE, dryRun: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json<{ message: string }>().message).toMatch(/未知字段：dryRun/);
    const extraImport = await admin.post('/api/console/scripts/import', { csv: FILE, checksum: 'x', force: true });
    expect(extraImport.statusCode).toBe(400);
    expect(extraImport.json<{ message: string }>().message).toMatch(/未知字段：force/);
    const noChecksum = await admin.post('/api/console/scripts/import', { csv: FILE });
    expect(noChecksum.statusCode).toBe(400);
    expect(noChecksum.json<{ message: string }>().message).toMatch(/[\u4e00-\u9fff]/);
    const empty = await admin.post('/api/console/scripts/import/preview', { csv: '' });
    expect(empty.statusCode).toBe(400);
  });
});
