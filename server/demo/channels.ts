import type { CreateChannelBody } from '../../shared/schemas/channels.js';

const WEEKDAYS = [1, 2, 3, 4, 5];
const WEEKEND = [6, 7];

/** Which demo channel code a demo customer came through (see DEMO_PERSONAS). */
export type DemoChannelKey = 'store' | 'live' | 'web' | 'parcel';

export type DemoChannel = Omit<CreateChannelBody, 'tagIds' | 'state'> & {
  key: DemoChannelKey;
  /** Fixed, so the seeded customers' `state` (in the emulator's corp) points at these codes. Never reused. */
  state: string;
  /** Tag names, resolved against the mirrored tag library when the code is created. */
  tags: string[];
};

/**
 * The channel codes a retail brand (星河优选) prints or publishes. Their names are what WeCom shows too (the
 * contact way's remark carries the name), so the emulator, the sidebar and the admin API agree.
 */
export const DEMO_CHANNELS: readonly DemoChannel[] = [
  {
    key: 'store',
    name: '门店海报',
    groupName: '线下门店',
    remark: '张贴在各门店收银台',
    state: 'store_poster',
    reps: ['zhangwei', 'lina'],
    backupReps: ['wangfang'],
    dailyCap: 50,
    tags: ['线下门店', '潜在客户'],
    welcome: {
      text: '{客户昵称}您好！我是门店顾问{员工姓名}，感谢您扫码关注～到店出示本聊天页面，可领取一份新客小礼品。有任何产品问题都可以直接问我哦！',
    },
  },
  {
    key: 'live',
    name: '直播间福利码',
    groupName: '线上推广',
    remark: '直播间口播与贴片',
    state: 'live_room',
    reps: ['wangfang', 'lina'],
    tags: ['直播间', '潜在客户'],
    welcome: {
      text: '{客户昵称}您好，我是{员工姓名}～欢迎从直播间过来，直播间专属优惠券已为您预留，下单前跟我说一声就能用。',
    },
  },
  {
    key: 'web',
    name: '官网落地页',
    groupName: '线上推广',
    remark: '官网咨询浮窗',
    state: 'web_landing',
    reps: ['liuyang', 'chenjing', 'zhaolei'],
    tags: ['官网咨询', '潜在客户'],
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
  {
    key: 'parcel',
    name: '快递包裹卡',
    groupName: '电商',
    remark: '网店订单随包裹附赠',
    state: 'parcel_card',
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
];

export function demoChannel(key: DemoChannelKey): DemoChannel {
  const found = DEMO_CHANNELS.find((c) => c.key === key);
  if (!found) throw new Error(`no demo channel ${key}`);
  return found;
}
