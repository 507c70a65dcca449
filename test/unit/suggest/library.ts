import type { ScriptDoc } from '../../../server/modules/suggest/engine/index.js';

/** A small shop's script library for unit tests (not the labelled sets). */
export const LIBRARY: ScriptDoc[] = [
  {
    id: 'ship',
    group: '物流',
    title: '全国包邮说明',
    content: '我们全国包邮（偏远地区除外），下单后48小时内发货，不用额外付运费。',
  },
  { id: 'ship-insure', group: '物流', title: '运费险说明', content: '每单都送运费险，退货时运费由保险公司赔付。' },
  {
    id: 'ship-time',
    group: '物流',
    title: '发货时效',
    content: '一般江浙沪次日达，其他地区2-3天送到，物流单号稍后发给您。',
  },
  {
    id: 'vacuum',
    group: '产品介绍',
    title: '扫地机器人卖点',
    content: '扫地机器人是扫拖一体的，激光导航建图，自动集尘、自动洗拖布。',
  },
  {
    id: 'vacuum-price',
    group: '价格',
    title: '扫地机器人价格',
    content: '扫地机器人X9现在活动价2999元，Pro款3599元。',
  },
  {
    id: 'watch',
    group: '产品介绍',
    title: '智能手表卖点',
    content: '智能手表支持心率、血氧和睡眠监测，续航14天，50米防水。',
  },
  { id: 'watch-price', group: '价格', title: '智能手表价格', content: '智能手表S3标准版1299元，NFC版1499元。' },
  { id: 'return', group: '售后', title: '七天无理由退货', content: '收货7天内支持无理由退货，退货运费由我们承担。' },
  { id: 'warranty', group: '售后', title: '保修政策', content: '整机保修2年，保修期内非人为损坏免费维修。' },
  { id: 'invoice', group: '售后', title: '发票开具', content: '可以开电子发票，个人和公司抬头都可以。' },
  { id: 'store', group: '门店', title: '门店地址', content: '体验店在万象城B1层108号，地铁2号线万象城站C口。' },
];

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 30);
