import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCallback } from '../../../server/wecom/crypto.js';
import { parseEnvelope, parseEvent } from '../../../server/wecom/events.js';
import { scriptImage } from '../../../server/demo/script-images.js';
import {
  buildEmulatorApp,
  CRED,
  ORIGIN,
  startReceiver,
  uploadMedia,
  type CallbackReceiver,
  type TestEmulator,
} from './helpers.js';

describe('emulator: QR page and simulated scans', () => {
  let receiver: CallbackReceiver;
  let t: TestEmulator;
  beforeEach(async () => {
    receiver = await startReceiver();
    t = await buildEmulatorApp({ callbackUrl: () => receiver.url });
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  const addWay = async (body: Record<string, unknown>) => {
    const res = await t.post('/cgi-bin/externalcontact/add_contact_way', { scene: 2, ...body });
    expect(res.errcode).toBe(0);
    return res.config_id as string;
  };
  /** The page a scan's POST redirected to. */
  const resultOf = (scanned: { headers: Record<string, unknown> }) =>
    t.app.inject({ url: scanned.headers.location as string });
  const scan = (configId: string, name: string) =>
    t.app.inject({
      method: 'POST',
      url: `/emulator/qr/${configId}/scan`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name }).toString(),
    });

  it('renders a real QR image, the channel and its reps, and the scan form', async () => {
    const id = await addWay({ type: 2, remark: '双十一包裹卡', state: 'parcel_1111', user: ['lina', 'chenjing'] });
    const res = await t.app.inject({ url: `/emulator/qr/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const img = /<img src="(data:image\/png;base64,[A-Za-z0-9+/=]+)" alt="渠道活码二维码">/.exec(res.body);
    expect(img).not.toBeNull();
    const png = Buffer.from(img![1]!.split(',')[1]!, 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(500);
    for (const text of [
      '双十一包裹卡',
      'parcel_1111',
      '李娜',
      '陈静',
      '模拟扫码添加',
      `action="/emulator/qr/${id}/scan"`,
    ]) {
      expect(res.body).toContain(text);
    }
    expect(res.body).not.toContain('http-equiv="refresh"');
  });

  it('escapes a hostile remark and state', async () => {
    const hostile = '<script>alert(1)</script>';
    const id = await addWay({ type: 1, remark: hostile, state: '"><img src=x onerror=1>', user: ['lina'] });
    const res = await t.app.inject({ url: `/emulator/qr/${id}` });
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).toContain('&quot;&gt;&lt;img src=x onerror=1&gt;');
  });

  it('a scan adds the customer to the next rep in turn and sends add_external_contact with the way’s State', async () => {
    const id = await addWay({ type: 2, state: 'expo_sz', user: ['lina', 'chenjing', 'zhaolei'] });
    const reps: string[] = [];
    for (const name of ['顾客甲', '顾客乙', '顾客丙', '顾客丁']) {
      const res = await scan(id, name);
      expect(res.statusCode).toBe(303);
      const location = res.headers.location as string;
      expect(location).toMatch(new RegExp(`^/emulator/qr/${id}/result\\?customer=wm`));
      const customerId = new URL(location, ORIGIN).searchParams.get('customer')!;

      const cb = receiver.received.at(-1)!;
      const event = parseEvent(
        openCallback(
          CRED,
          { msgSignature: cb.query.msg_signature!, timestamp: cb.query.timestamp!, nonce: cb.query.nonce! },
          parseEnvelope(cb.body).encrypt,
        ),
      );
      expect(event).toMatchObject({
        kind: 'external_contact',
        changeType: 'add_external_contact',
        state: 'expo_sz',
        externalUserId: customerId,
      });
      if (event.kind === 'external_contact') {
        expect(event.welcomeCode).toBeTruthy();
        reps.push(event.userId);
      }
      const got = await t.get('/cgi-bin/externalcontact/get', { external_userid: customerId });
      expect((got.external_contact as { name: string }).name).toBe(name);

      const page = await t.app.inject({ url: location });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('添加成功');
      expect(page.body).toContain(name);
      expect(page.body).toContain('HTTP 200');
      expect(page.body).toContain(`href="/emulator/qr/${id}"`);
    }
    expect(reps).toEqual(['lina', 'chenjing', 'zhaolei', 'lina']);
  });

  it('the result page shows a failed delivery and escapes the customer name', async () => {
    receiver.plan({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const id = await addWay({ type: 1, state: 's', user: ['lina'] });
    const res = await scan(id, '<b>坏人</b>');
    const page = await resultOf(res);
    expect(page.body).toContain('回调投递失败');
    expect(page.body).toContain('HTTP 500');
    expect(page.body).toContain('&lt;b&gt;坏人&lt;/b&gt;');
    expect(page.body).not.toContain('<b>坏人</b>');
    // The server never got the welcome code: nothing to wait for.
    expect(page.body).toContain('未收到欢迎语：回调没有投递成功，服务器收不到欢迎语代码。');
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  const REFRESH = '<meta http-equiv="refresh" content="2">';

  it('the result page reloads itself until our server sent the welcome message, then shows it', async () => {
    const id = await addWay({ type: 1, state: 's', user: ['lina'] });
    const res = await scan(id, '王小明');
    const waiting = await resultOf(res);
    expect(waiting.body).toContain(REFRESH);
    expect(waiting.body).toContain('等待服务器发送欢迎语');
    const welcomeCode = t.emulator.callbacks().at(-1)!.welcomeCode!;
    expect(
      (
        await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
          welcome_code: welcomeCode,
          text: { content: '王先生您好，欢迎光临！' },
        })
      ).errcode,
    ).toBe(0);
    const page = await resultOf(res);
    expect(page.body).toContain('王先生您好，欢迎光临！');
    expect(page.body).not.toContain(REFRESH);
  });

  it('the result page stops reloading once the welcome code has expired unused, and says so', async () => {
    const id = await addWay({ type: 1, state: 's', user: ['lina'] });
    const res = await scan(id, '李小红');
    expect((await resultOf(res)).body).toContain(REFRESH);
    const moved = await t.app.inject({ method: 'POST', url: '/emulator/_clock', payload: { advanceMs: 20_000 } });
    expect(moved.statusCode).toBe(200);
    const page = await resultOf(res);
    expect(page.body).not.toContain(REFRESH);
    expect(page.body).toContain('未收到欢迎语：服务器没有在 20 秒内用欢迎语代码发送欢迎语。');
  });

  it('the result page names the channel, lists the tags applied and every attachment of the welcome', async () => {
    const id = await addWay({ type: 1, remark: '门店海报', state: 'store_poster', user: ['lina'] });
    const res = await scan(id, '刘建国');
    const customerId = new URL(res.headers.location as string, ORIGIN).searchParams.get('customer')!;
    const before = (await resultOf(res)).body;
    expect(before).toContain('<dt>渠道活码</dt><dd>门店海报</dd>');
    expect(before).toContain('暂无：服务器还没有为该客户打标签');

    // What our server does after the callback: tag the customer, then welcome them with three attachments.
    const groups = (await t.post('/cgi-bin/externalcontact/get_corp_tag_list', {})).tag_group as {
      group_name: string;
      tag: { id: string; name: string }[];
    }[];
    const tagId = (group: string, name: string) =>
      groups.find((g) => g.group_name === group)!.tag.find((x) => x.name === name)!.id;
    const marked = await t.post('/cgi-bin/externalcontact/mark_tag', {
      userid: 'lina',
      external_userid: customerId,
      add_tag: [tagId('客户来源', '线下门店'), tagId('客户等级', '潜在客户')],
    });
    expect(marked.errcode).toBe(0);
    const picture = await uploadMedia(t, 'smart-watch.png', scriptImage('smart-watch')!);
    const cover = await uploadMedia(t, 'cover.png', scriptImage('promo-poster')!);
    expect(picture.errcode).toBe(0);
    const sent = await t.post('/cgi-bin/externalcontact/send_welcome_msg', {
      welcome_code: t.emulator.callbacks().at(-1)!.welcomeCode,
      text: { content: '刘建国您好！我是门店顾问李娜' },
      attachments: [
        { msgtype: 'image', image: { media_id: picture.media_id } },
        {
          msgtype: 'link',
          link: { title: '售后服务指南', url: 'https://www.example.com/after-sales', desc: '一页看懂' },
        },
        {
          msgtype: 'miniprogram',
          miniprogram: {
            title: '星河优选商城',
            appid: 'wx8bd80126147dfa1f',
            page: '/pages/index',
            pic_media_id: cover.media_id,
          },
        },
      ],
    });
    expect(sent.errcode).toBe(0);

    const page = (await resultOf(res)).body;
    expect(page).toContain('<span class="group">客户来源：</span>线下门店');
    expect(page).toContain('<span class="group">客户等级：</span>潜在客户');
    expect(page).not.toContain('暂无：服务器还没有为该客户打标签');
    expect(page).not.toContain('附件 3 个');
    expect(page).toContain(`<img class="thumb" src="/emulator/media/${picture.media_id}" alt="图片">`);
    expect(page).toContain(
      '<a href="https://www.example.com/after-sales" target="_blank" rel="noopener noreferrer">售后服务指南</a>',
    );
    expect(page).toContain('一页看懂');
    expect(page).toContain('星河优选商城');
    expect(page).toContain(`src="/emulator/media/${cover.media_id}" alt="小程序封面"`);
    // The thumbnail is the picture that was uploaded.
    const served = await t.app.inject({ url: `/emulator/media/${picture.media_id}` });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.rawPayload.equals(scriptImage('smart-watch')!)).toBe(true);
  });

  it('serves only uploaded pictures that are real PNG or JPEG data, and keeps their bytes out of _state', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const fake = await uploadMedia(t, 'fake.png', html);
    expect(fake.errcode).toBe(0);
    expect((await t.app.inject({ url: `/emulator/media/${fake.media_id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/emulator/media/nope' })).statusCode).toBe(404);
    const real = await uploadMedia(t, 'a.png', scriptImage('earbuds')!);
    expect((await t.app.inject({ url: `/emulator/media/${real.media_id}` })).statusCode).toBe(200);
    const state = (await t.app.inject({ url: '/emulator/_state' })).json() as { media: Record<string, unknown>[] };
    expect(state.media).toHaveLength(2);
    for (const m of state.media) expect(Object.keys(m)).not.toContain('data');
    // Expired media (3 days) are gone, pictures too.
    await t.app.inject({ method: 'POST', url: '/emulator/_clock', payload: { advanceMs: 3 * 86_400_000 + 1000 } });
    expect((await t.app.inject({ url: `/emulator/media/${real.media_id}` })).statusCode).toBe(404);
  });

  it('the emulator badge never wraps (模拟/器 at 360 px)', async () => {
    const res = await t.app.inject({ url: '/emulator/' });
    expect(res.body).toContain('<span class="tag">模拟器</span>');
    expect(res.body).toMatch(/header \.tag \{[^}]*white-space: nowrap/);
    expect(res.body).toMatch(/header \.tag \{[^}]*flex: none/);
  });

  it('the home page links to every channel code', async () => {
    const id = await addWay({ type: 1, remark: '官网落地页', user: ['lina'] });
    const res = await t.app.inject({ url: '/emulator/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('官网落地页');
    expect(res.body).toContain(`href="/emulator/qr/${id}"`);
    expect(res.body).not.toContain('http-equiv="refresh"');
    // The icon is inline: no page makes the browser ask for /favicon.ico.
    expect(res.body).toContain('<link rel="icon" href="data:image/svg+xml,');
  });
});
