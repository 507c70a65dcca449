import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

describe('emulator: app messages and the group robot', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  it('message/send records the message and reports invalid users', async () => {
    const res = await t.post('/cgi-bin/message/send', {
      touser: 'lina|ghost',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: '您有新客户' },
    });
    expect(res).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect(typeof res.msgid).toBe('string');
    expect(t.emulator.snapshot().appMessages[0]).toMatchObject({ touser: ['lina'], msgtype: 'text' });
    expect(
      (
        await t.post('/cgi-bin/message/send', {
          touser: 'ghost',
          msgtype: 'text',
          agentid: 1000002,
          text: { content: 'x' },
        })
      ).errcode,
    ).toBe(81013);
    expect(
      (await t.post('/cgi-bin/message/send', { touser: 'lina', msgtype: 'text', agentid: 1, text: { content: 'x' } }))
        .errcode,
    ).toBe(40056);
    expect(
      (
        await t.post('/cgi-bin/message/send', {
          touser: 'lina',
          msgtype: 'text',
          agentid: 1000002,
          text: { content: '' },
        })
      ).errcode,
    ).toBe(44004);
  });

  it('webhook/send needs no access_token, records messages, validates and rate-limits at 20/min', async () => {
    const send = (key: string, body: unknown) =>
      t.app
        .inject({ method: 'POST', url: `/emulator/cgi-bin/webhook/send?key=${key}`, payload: body as object })
        .then((r) => r.json());
    const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    expect(await send(key, { msgtype: 'markdown', markdown: { content: '**客户流失提醒**' } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(t.emulator.snapshot().webhookMessages[0]).toMatchObject({
      key,
      msgtype: 'markdown',
      body: { markdown: { content: '**客户流失提醒**' } },
    });
    expect((await send('', { msgtype: 'text', text: { content: 'x' } })).errcode).toBe(93000);
    expect((await send(key, { msgtype: 'text', text: { content: 'x'.repeat(2049) } })).errcode).toBe(40058);
    expect((await send(key, { msgtype: 'nope' })).errcode).toBe(40008);
    for (let i = 0; i < 19; i++)
      expect((await send(key, { msgtype: 'text', text: { content: `#${i}` } })).errcode).toBe(0);
    expect((await send(key, { msgtype: 'text', text: { content: 'one too many' } })).errcode).toBe(45009);
    t.emulator.advanceClock(60_001);
    expect((await send(key, { msgtype: 'text', text: { content: 'next minute' } })).errcode).toBe(0);
  });

  it('add_msg_template records the task and lists unreachable customers in fail_list', async () => {
    const s = t.emulator.snapshot();
    const mine = s.customers
      .filter((c) => c.follow_user.some((f) => f.userid === 'lina'))
      .map((c) => c.external_userid);
    const other = s.customers.find((c) => !c.follow_user.some((f) => f.userid === 'lina'))!.external_userid;
    const res = await t.post('/cgi-bin/externalcontact/add_msg_template', {
      chat_type: 'single',
      sender: 'lina',
      external_userid: [...mine, other, 'wmNope'],
      text: { content: '双十一大促，全场八折！' },
      attachments: [{ msgtype: 'link', link: { title: '活动详情', url: 'https://example.com/1111' } }],
    });
    expect(res.errcode).toBe(0);
    expect(res.msgid).toMatch(/^msg[A-Za-z0-9]{27}$/);
    expect((res.fail_list as string[]).sort()).toEqual([other, 'wmNope'].sort());
    expect(t.emulator.snapshot().msgTemplates[0]).toMatchObject({
      msgid: res.msgid,
      sender: 'lina',
      external_userid: mine,
    });
    expect((await t.post('/cgi-bin/externalcontact/add_msg_template', { sender: 'lina' })).errcode).toBe(40058);
    expect(
      (await t.post('/cgi-bin/externalcontact/add_msg_template', { sender: 'ghost', text: { content: 'x' } })).errcode,
    ).toBe(40003);
    expect(
      (await t.post('/cgi-bin/externalcontact/add_msg_template', { chat_type: 'group', text: { content: 'x' } }))
        .errcode,
    ).toBe(40058);
  });
});
