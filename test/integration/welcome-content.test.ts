import { createServer, type Server } from 'node:http';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import { DEFAULT_TIME_ZONE, wallTime, zonedTime } from '../../shared/time-zone.js';
import { testConfig } from '../support/app.js';
import { admin, calls, EC, prepare, settled, simulate, timeline, welcomesFor } from '../support/scrm.js';

let app: App;
let images: Server;
let imageBase: string;
let imageHits = 0;

beforeAll(async () => {
  const png = await QRCode.toBuffer('https://example.com/poster', { type: 'png', width: 200 });
  images = createServer((req, res) => {
    imageHits += 1;
    if (req.url === '/poster.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    if (req.url === '/not-an-image.png')
      return res.writeHead(200, { 'content-type': 'image/png' }).end('<html>oops</html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(images.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => images.close(resolve));
});
afterEach(async () => {
  await app?.close();
});

/** The server's clock, movable, always in the past so durable jobs stay due. */
function movableClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    /**
     * Sets the clock to the most recent past `weekday` (1 Mon … 7 Sun) at hh:mm on the corp's clocks (the test
     * config's CORP_TIME_ZONE, not the process zone), at least a day back.
     */
    set(weekday: number, hh: number, mm: number) {
      for (let back = 1; ; back++) {
        const day = wallTime(Date.now() - back * 86_400_000, DEFAULT_TIME_ZONE);
        if (day.weekday !== weekday) continue;
        offset = zonedTime(DEFAULT_TIME_ZONE, day.year, day.month, day.day, hh, mm) - Date.now();
        return;
      }
    },
  };
}

async function start(now?: () => number) {
  app = await buildApp(testConfig(), { logger: false, ...(now ? { now } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await prepare(app);
}

async function createChannel(welcome: unknown) {
  const res = await admin(app, 'POST', '/api/channels', { name: '官网落地页', reps: ['chenjing'], welcome });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; state: string };
}

describe('placeholders', () => {
  it('fills the customer and rep names once; a hostile name is text, never a placeholder or markup', async () => {
    await start();
    const ch = await createChannel({ text: '{客户昵称}，您好！我是{员工姓名}。{未知占位符}保持原样' });
    const r = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'chenjing',
      state: ch.state,
      name: '{员工姓名}$&$1\u202e<b>',
    });
    await settled(app, r.externalUserId);
    const [welcome] = await welcomesFor(app, r.externalUserId);
    expect(welcome!.text!.content).toBe('{员工姓名}$&$1 <b>，您好！我是陈静。{未知占位符}保持原样');
  });
});

describe('time-slot variants', () => {
  const welcome = {
    text: '您好{客户昵称}，我是{员工姓名}',
    variants: [
      {
        weekdays: [1, 2, 3, 4, 5],
        start: '18:00',
        end: '09:00',
        text: '下班啦，{员工姓名}明早9点回复您',
        attachments: [],
      },
      { weekdays: [6, 7], start: '00:00', end: '00:00', text: '周末愉快，{员工姓名}周一联系您', attachments: [] },
    ],
  };

  it('picks the variant by the time of the add, across midnight and weekdays', async () => {
    const clock = movableClock();
    await start(clock.now);
    const ch = await createChannel(welcome);
    const textAt = async (weekday: number, hh: number, mm: number) => {
      clock.set(weekday, hh, mm);
      const r = await simulate(app, {
        changeType: 'add_external_contact',
        userId: 'chenjing',
        state: ch.state,
        name: '周周',
      });
      await settled(app, r.externalUserId);
      const [w] = await welcomesFor(app, r.externalUserId);
      return w!.text!.content;
    };
    expect(await textAt(3, 10, 30)).toBe('您好周周，我是陈静'); // Wednesday morning: base
    expect(await textAt(3, 22, 0)).toBe('下班啦，陈静明早9点回复您'); // Wednesday night
    expect(await textAt(4, 8, 59)).toBe('下班啦，陈静明早9点回复您'); // Thursday early: Wednesday's night slot
    expect(await textAt(4, 9, 0)).toBe('您好周周，我是陈静'); // the slot ends at 09:00
    expect(await textAt(6, 8, 0)).toBe('下班啦，陈静明早9点回复您'); // Saturday 08:00: Friday's night slot comes first
    expect(await textAt(6, 15, 0)).toBe('周末愉快，陈静周一联系您');
    // Monday 08:00: the weekday night slot starts on weekdays only, and Sunday's whole-day slot ended at midnight.
    expect(await textAt(1, 8, 0)).toBe('您好周周，我是陈静');
  });

  it('the preview renders a channel, the default, or an unsaved welcome for a sample customer', async () => {
    await start();
    const ch = await createChannel(welcome);
    const saturday = '2024-06-15T14:00:00+08:00'; // 2024-06-15 was a Saturday (Shanghai, the corp's zone)
    const wednesday = '2024-06-12T10:00:00+08:00';
    const sat = await admin(app, 'POST', '/api/welcome/preview', {
      channelId: ch.id,
      customerName: '小王',
      at: saturday,
    });
    expect(sat.statusCode, sat.body).toBe(200);
    expect(sat.json()).toEqual({ source: 'channel', variant: 1, text: '周末愉快，陈静周一联系您', attachments: [] });
    const wed = await admin(app, 'POST', '/api/welcome/preview', { channelId: ch.id, at: wednesday });
    expect(wed.json()).toEqual({ source: 'channel', variant: null, text: '您好王小明，我是陈静', attachments: [] });

    const inline = await admin(app, 'POST', '/api/welcome/preview', {
      welcome: {
        text: '{员工姓名}向{客户昵称}问好',
        attachments: [{ type: 'link', title: '新品', url: 'https://example.com/new' }],
      },
      userId: 'zhangwei',
      customerName: '阿强',
    });
    expect(inline.json()).toEqual({
      source: 'inline',
      variant: null,
      text: '张伟向阿强问好',
      attachments: [{ type: 'link', title: '新品', url: 'https://example.com/new' }],
    });
    expect((await admin(app, 'POST', '/api/welcome/preview', {})).json()).toEqual({
      source: 'none',
      variant: null,
      text: '',
      attachments: [],
    });
    const bad = await admin(app, 'POST', '/api/welcome/preview', { welcome: { text: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'welcome' });
    expect((await admin(app, 'POST', '/api/welcome/preview', { channelId: 999 })).statusCode).toBe(404);
  });
});

describe('attachments', () => {
  it('uploads images once for their media id (cached), sends link and mini-program, omits an unusable image', async () => {
    await start();
    const poster = `${imageBase}/poster.png`;
    const ch = await createChannel({
      text: '欢迎{客户昵称}',
      attachments: [
        { type: 'image', imageUrl: poster },
        {
          type: 'link',
          title: '新人礼包',
          url: 'https://example.com/gift',
          desc: '领取',
          picUrl: 'https://example.com/gift.png',
        },
        { type: 'miniprogram', title: '商城', appId: 'wx1234567890', page: 'pages/index', picUrl: poster },
        { type: 'image', imageUrl: `${imageBase}/not-an-image.png` },
      ],
    });
    const first = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'chenjing',
      state: ch.state,
      name: '甲',
    });
    await settled(app, first.externalUserId);
    const second = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'chenjing',
      state: ch.state,
      name: '乙',
    });
    await settled(app, second.externalUserId);

    const uploads = await calls(app, '/cgi-bin/media/upload');
    expect(uploads).toHaveLength(1);
    const mediaId = (uploads[0]!.response as { media_id: string }).media_id;
    for (const id of [first.externalUserId, second.externalUserId]) {
      const [w] = await welcomesFor(app, id);
      expect(w!.attachments).toEqual([
        { msgtype: 'image', image: { media_id: mediaId } },
        {
          msgtype: 'link',
          link: {
            title: '新人礼包',
            url: 'https://example.com/gift',
            desc: '领取',
            picurl: 'https://example.com/gift.png',
          },
        },
        {
          msgtype: 'miniprogram',
          miniprogram: { title: '商城', appid: 'wx1234567890', page: 'pages/index', pic_media_id: mediaId },
        },
      ]);
      const sent = (await timeline(app, id)).find((t) => t.kind === 'welcome_sent')!;
      expect(sent.content).toContain('部分附件未发送');
      expect(sent.payload).toMatchObject({ attachments: 3, omitted: ['图片格式须为 JPG 或 PNG'] });
    }
    const { mediaUploads } = app.db.t;
    const cached = await app.db
      .select({ mediaId: mediaUploads.mediaId, expiresAt: mediaUploads.expiresAt })
      .from(mediaUploads);
    expect(cached).toHaveLength(1);
    expect(cached[0]!.mediaId).toBe(mediaId);
    expect(cached[0]!.expiresAt - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    expect(imageHits).toBeGreaterThanOrEqual(2);
    expect(
      (await calls(app, `${EC}/send_welcome_msg`)).every((c) => (c.response as { errcode: number }).errcode === 0),
    ).toBe(true);
  });
});
