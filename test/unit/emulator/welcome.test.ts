import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmulatorApp, type TestEmulator } from './helpers.js';

/** A multipart body like WeCom SDKs send to media/upload (file in the `media` field). */
function multipart(filename: string, data: Buffer, contentType = 'image/png') {
  const boundary = '----WeComEmulatorTest7MA4YWxkTrZu0gW';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${filename}"; filelength=${data.length}\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

describe('emulator: send_welcome_msg and media/upload', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  const newWelcomeCode = async () => {
    const r = await t.emulator.simulate({ changeType: 'add_external_contact', userId: 'lina', state: 'poster' });
    expect(r.welcomeCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return r;
  };

  const upload = async (filename: string, data: Buffer, type = 'image') => {
    const token = await t.token();
    const { body, contentType } = multipart(filename, data);
    const res = await t.app.inject({
      method: 'POST',
      url: `/emulator/cgi-bin/media/upload?access_token=${token}&type=${type}`,
      headers: { 'content-type': contentType },
      payload: body,
    });
    return res.json();
  };

  it('sends once: the second call with the same code answers 41051; the message is recorded', async () => {
    const { welcomeCode, externalUserId } = await newWelcomeCode();
    const msg = {
      welcome_code: welcomeCode,
      text: { content: '您好，欢迎关注星河优选！' },
      attachments: [{ msgtype: 'link', link: { title: '新人礼包', url: 'https://example.com/gift' } }],
    };
    expect(await t.post('/cgi-bin/externalcontact/send_welcome_msg', msg)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await t.post('/cgi-bin/externalcontact/send_welcome_msg', msg)).errcode).toBe(41051);

    const sent = t.emulator.snapshot().welcomeMessages;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      welcome_code: welcomeCode,
      userid: 'lina',
      external_userid: externalUserId,
      text: { content: '您好，欢迎关注星河优选！' },
      attachments: msg.attachments,
    });
    const state = await t.app.inject({ url: '/emulator/_state' });
    expect(state.json().welcomeMessages).toHaveLength(1);
  });

  it('accepts the code within 20 s of the event and rejects it afterwards with a distinct errcode', async () => {
    const early = await newWelcomeCode();
    t.emulator.advanceClock(19_999);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: early.welcomeCode,
          text: { content: 'hi' },
        })
      ).errcode,
    ).toBe(0);

    const late = await newWelcomeCode();
    t.emulator.advanceClock(20_000);
    const res = await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
      welcome_code: late.welcomeCode,
      text: { content: 'hi' },
    });
    expect(res.errcode).toBe(40058);
    expect(res.errmsg).toMatch(/welcome_code/);
    expect(
      (await t.post('/cgi-bin/externalcontact/send_welcome_msg', { welcome_code: 'unknown', text: { content: 'hi' } }))
        .errcode,
    ).toBe(40058);
    expect(t.emulator.snapshot().welcomeMessages).toHaveLength(1);
  });

  it('validates the content without using up the code', async () => {
    const { welcomeCode } = await newWelcomeCode();
    const link = { msgtype: 'link', link: { title: 't', url: 'https://example.com' } };
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: welcomeCode,
          attachments: Array(10).fill(link),
        })
      ).errcode,
    ).toBe(40058);
    expect((await t.post('/cgi-bin/externalcontact/send_welcome_msg', { welcome_code: welcomeCode })).errcode).toBe(
      40058,
    );
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: welcomeCode,
          attachments: [{ msgtype: 'image', image: { media_id: 'nope' } }],
        })
      ).errcode,
    ).toBe(40007);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: welcomeCode,
          attachments: [{ msgtype: 'voice', voice: {} }],
        })
      ).errcode,
    ).toBe(40008);
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: welcomeCode,
          attachments: Array(9).fill(link),
        })
      ).errcode,
    ).toBe(0);
  });

  it('an add with welcomeCode:false carries no code', async () => {
    const r = await t.emulator.simulate({ changeType: 'add_external_contact', userId: 'lina', welcomeCode: false });
    expect(r.welcomeCode).toBeNull();
  });

  it('media/upload parses multipart and the media_id works in a welcome attachment', async () => {
    const up = await upload('poster.png', PNG);
    expect(up).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      type: 'image',
      created_at: String(Math.floor(t.emulator.now() / 1000)),
    });
    expect(typeof up.media_id).toBe('string');

    const { welcomeCode } = await newWelcomeCode();
    const res = await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
      welcome_code: welcomeCode,
      attachments: [{ msgtype: 'image', image: { media_id: up.media_id } }],
    });
    expect(res.errcode).toBe(0);
    const logged = t.emulator.calls('/cgi-bin/media/upload')[0]!;
    expect(logged.body).toEqual({ filename: 'poster.png', contentType: 'image/png', size: PNG.length });

    expect((await upload('poster.gif', PNG)).errcode).toBe(40004);
    expect((await upload('poster.png', PNG, 'sticker')).errcode).toBe(40005);
    expect((await upload('tiny.png', Buffer.from('abc'))).errcode).toBe(40009);
  });

  it('media/upload understands the multipart body fetch builds from FormData (as our WeCom client sends it)', async () => {
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), '海报.png');
    const request = new Request('http://emulator.test/', { method: 'POST', body: form });
    const token = await t.token();
    const res = await t.app.inject({
      method: 'POST',
      url: `/emulator/cgi-bin/media/upload?access_token=${token}&type=image`,
      headers: { 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(res.json()).toMatchObject({ errcode: 0, type: 'image' });
    expect(t.emulator.snapshot().media[0]).toMatchObject({
      filename: '海报.png',
      size: PNG.length,
      content_type: 'image/png',
    });
  });

  it('media expire after 3 days (40007)', async () => {
    const up = await upload('poster.png', PNG);
    t.emulator.advanceClock(3 * 86_400_000);
    await t.token(); // the old access_token expired too
    const { welcomeCode } = await newWelcomeCode();
    const res = await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
      welcome_code: welcomeCode,
      attachments: [{ msgtype: 'image', image: { media_id: up.media_id } }],
    });
    expect(res.errcode).toBe(40007);
  });
});
