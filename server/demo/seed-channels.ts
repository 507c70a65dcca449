import type { FastifyInstance } from 'fastify';
import type { CreateChannelBody } from '../../shared/schemas/channels.js';
import type { WelcomeInput } from '../../shared/schemas/welcome.js';

const WEEKDAYS = [1, 2, 3, 4, 5];
const WEEKEND = [6, 7];

/** Channel codes a retail brand would print or publish; tags are named, resolved against the mirrored library. */
const DEMO_CHANNELS: ReadonlyArray<Omit<CreateChannelBody, 'tagIds'> & { tags: string[] }> = [
  {
    name: '门店海报',
    groupName: '线下门店',
    remark: '门店收银台海报',
    reps: ['zhangwei', 'lina'],
    backupReps: ['wangfang'],
    dailyCap: 50,
    tags: ['线下门店', '潜在客户'],
    welcome: {
      text: '{客户昵称}您好！我是门店顾问{员工姓名}，感谢您扫码关注～到店出示本聊天页面，可领取一份新客小礼品。有任何产品问题都可以直接问我哦！',
    },
  },
  {
    name: '快递包裹卡',
    groupName: '电商',
    remark: '电商订单包裹卡',
    reps: ['sunli', 'zhouxin'],
    tags: ['电商包裹卡', '普通客户'],
    welcome: {
      text: '{客户昵称}您好，我是售后客服{员工姓名}。感谢您的购买！使用中遇到任何问题，直接在这里留言即可，我们会尽快为您处理。',
      attachments: [
        {
          type: 'link',
          title: '售后服务指南',
          url: 'https://www.example.com/after-sales',
          desc: '退换货、保修与常见问题一页看懂',
        },
      ],
    },
  },
  {
    name: '官网落地页',
    groupName: '线上推广',
    remark: '官网咨询浮窗',
    reps: ['liuyang', 'chenjing', 'zhaolei'],
    tags: ['潜在客户', '待跟进'],
    welcome: {
      text: '{客户昵称}您好，我是{员工姓名}，很高兴为您服务！请问您想了解哪款产品？',
      attachments: [
        { type: 'link', title: '新品介绍', url: 'https://www.example.com/new-arrivals', desc: '本季新品与优惠活动' },
      ],
      variants: [
        {
          weekdays: WEEKDAYS,
          start: '18:00',
          end: '09:00',
          text: '{客户昵称}您好，现在是下班时间，{员工姓名}会在明早 9 点后第一时间回复您。您可以先看看新品介绍～',
          attachments: [
            {
              type: 'link',
              title: '新品介绍',
              url: 'https://www.example.com/new-arrivals',
              desc: '本季新品与优惠活动',
            },
          ],
        },
        {
          weekdays: WEEKEND,
          start: '00:00',
          end: '00:00',
          text: '{客户昵称}周末好！我是{员工姓名}，周末回复可能稍慢，留言后我会尽快联系您。',
          attachments: [],
        },
      ],
    },
  },
];

const DEFAULT_WELCOME: WelcomeInput = {
  text: '{客户昵称}您好，我是{员工姓名}，很高兴认识您！有任何问题随时留言，我会尽快回复。',
};

/**
 * Demo channel codes, created through the channel service (so the emulator gets real add_contact_way calls and the
 * QR pages exist), plus a default welcome. Runs once: a corp that has any channel code is left alone.
 */
export async function seedChannels(
  app: FastifyInstance,
  corpId = app.defaultCorp.corpId,
): Promise<{ channels: number }> {
  const { channels, tags, directory, welcome } = app.services;
  if (channels.countLive(corpId) > 0) return { channels: 0 };
  await directory.ensureReps(
    corpId,
    DEMO_CHANNELS.flatMap((c) => [...c.reps, ...(c.backupReps ?? [])]),
  );
  await tags.syncAll(corpId);
  const byName = new Map(tags.list(corpId).groups.flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)));

  if (!welcome.getDefault(corpId)) welcome.setDefault(corpId, DEFAULT_WELCOME);
  for (const { tags: tagNames, ...body } of DEMO_CHANNELS) {
    const tagIds = tagNames.flatMap((name) => byName.get(name) ?? []);
    await channels.create(corpId, { ...body, tagIds });
  }
  return { channels: DEMO_CHANNELS.length };
}
