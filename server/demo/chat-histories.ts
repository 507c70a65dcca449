import { DEMO_PERSONAS, personaExternalUserId, type DemoPersona, type PersonaFollow } from './personas.js';

/**
 * The demo customers' chats with their reps, in Chinese, written from each persona's story (server/demo/personas.ts)
 * and what the script library sells: the customer's first question after the add, the rep's answers, a quote, the
 * order and its shipping, after-sales, or the loss. Dated on the story's own clock (hours after the add) and sent
 * through the emulator's archive, so they reach the product the way WeCom's would: pulled, decrypted, stored.
 */

export type ChatKind = 'text' | 'image' | 'file' | 'link' | 'voice' | 'agree';

export interface DemoChatLine {
  /** The customer's external_userid. */
  customer: string;
  rep: string;
  /** Who writes this line. */
  from: 'customer' | 'rep';
  /** Hours after the follow's add. */
  h: number;
  kind: ChatKind;
  text?: string;
  content?: Record<string, unknown>;
}

type Product = 'watch' | 'earbuds' | 'vacuum' | 'purifier' | 'lock';

interface ProductTalk {
  name: string;
  ask: string[];
  answer: string;
  follow: string;
  followAnswer: string;
  quoteFile: string;
  price: string;
}

const PRODUCTS: Record<Product, ProductTalk> = {
  watch: {
    name: '智能手表',
    ask: ['这款手表能测心率和血氧吗？', '续航大概多久？充一次电能用几天？', '防水吗？洗澡可以戴吗？'],
    answer: '可以的，心率、血氧和睡眠都能监测，续航14天，50米防水，日常洗手游泳都没问题。',
    follow: '老人用的话字够大吗？有没有跌倒提醒？',
    followAnswer: '字体可以调大，还有跌倒检测和一键SOS，老人戴着很合适。',
    quoteFile: 'S3智能手表报价单.pdf',
    price: '1299',
  },
  earbuds: {
    name: '降噪耳机',
    ask: ['这款耳机降噪效果怎么样？地铁里能用吗？', '戴久了耳朵会疼吗？', '能连两台设备吗？'],
    answer: '主动降噪深度40dB，地铁里基本听不到报站以外的噪音，单次续航8小时，加充电盒30小时。',
    follow: '有学生优惠吗？预算800以内。',
    followAnswer: '学生认证后可以再减100元，到手价在800以内。',
    quoteFile: '降噪耳机型号对比.pdf',
    price: '699',
  },
  vacuum: {
    name: '扫地机器人',
    ask: ['家里养猫，猫毛会缠滚刷吗？', 'X9和基础款差别大吗？', '能自动集尘吗？多久倒一次？'],
    answer: 'X9是扫拖一体的，激光导航建图，自动集尘、自动洗拖布，滚刷是防缠绕设计，猫毛也不怕，一个月倒一次尘袋。',
    follow: '120平的房子一次能扫完吗？',
    followAnswer: '可以的，一次充电能扫200平，电量不够会自动回充再接着扫。',
    quoteFile: 'X9扫拖一体机报价单.pdf',
    price: '2999',
  },
  purifier: {
    name: '空气净化器',
    ask: ['刚装修完，能除甲醛吗？', 'CADR值多少？适用多大面积？', '晚上开着吵不吵？'],
    answer: 'CADR值500m³/h，适用60平米，除甲醛、除过敏原都可以，夜间模式只有22分贝，放卧室也不吵。',
    follow: '滤芯多久换一次？一个多少钱？',
    followAnswer: '滤芯一般6到8个月换一次，会员价299元一个。',
    quoteFile: '空气净化器报价单.pdf',
    price: '1899',
  },
  lock: {
    name: '智能门锁',
    ask: ['我家门厚7厘米，能装吗？', '租的房子，装锁会破坏门吗？', '可以用手机远程开门吗？'],
    answer: '支持3D人脸、指纹、密码、NFC和机械钥匙五种开锁方式，C级锁芯，门厚5到12厘米都能装，师傅免费上门安装。',
    follow: '我拍个门侧面的照片给你看看？',
    followAnswer: '好的，拍清楚门的侧面和锁孔，我请技术同事帮您确认。',
    quoteFile: '智能门锁安装报价单.pdf',
    price: '2599',
  },
};

const GREETING: Record<string, string> = {
  store: '你好，我刚才在门店扫码加的你。',
  live: '你好，我是直播间过来的，优惠券还能用吗？',
  web: '你好，我在官网留了言。',
  parcel: '你好，扫了包裹里的卡片加的你。',
};

/** The product a follow is about, from what the rep wrote (first one named). */
function productOf(follow: PersonaFollow): Product {
  const text = [follow.remark, follow.description ?? '', ...follow.steps.map((s) => ('note' in s ? s.note : ''))].join(
    ' ',
  );
  const found = (
    [
      ['lock', /门锁/],
      ['purifier', /净化器/],
      ['vacuum', /扫地|扫拖|X9/],
      ['earbuds', /耳机/],
      ['watch', /手表/],
    ] as const
  ).find(([, re]) => re.test(text));
  return found ? found[0] : 'watch';
}

function stageAt(follow: PersonaFollow, stage: string): number | null {
  const step = follow.steps.find((s) => 'stage' in s && s.stage === stage);
  return step ? step.h : null;
}

function notesLike(follow: PersonaFollow, re: RegExp): number[] {
  return follow.steps.flatMap((s) => ('note' in s && re.test(s.note) ? [s.h] : []));
}

/** A deterministic pick (the same history on every machine). */
function pick<T>(list: readonly T[], seed: string): T {
  let n = 0;
  for (const c of seed) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  return list[n % list.length]!;
}

/** One follow's chat, oldest first. */
function followChat(persona: DemoPersona, follow: PersonaFollow, index: number): DemoChatLine[] {
  const customer = personaExternalUserId(persona.key);
  const product = PRODUCTS[productOf(follow)];
  const lines: DemoChatLine[] = [];
  const say = (from: DemoChatLine['from'], h: number, text: string) =>
    lines.push({ customer, rep: follow.rep, from, h, kind: 'text', text });
  const send = (
    from: DemoChatLine['from'],
    h: number,
    kind: ChatKind,
    content: Record<string, unknown> = {},
    text?: string,
  ) => lines.push({ customer, rep: follow.rep, from, h, kind, content, text });
  const channel = 'channel' in follow.via ? follow.via.channel : '';
  const company = persona.company;

  // The customer agreed to chat archiving when WeCom asked, right after the add.
  send('customer', 0.01, 'agree');
  say('customer', 0.05, GREETING[channel] ?? (company ? `你好，我是${company.short}的${persona.name}。` : '你好！'));
  say(
    'rep',
    0.07,
    `您好${persona.name.slice(0, 1)}${persona.gender === 1 ? '先生' : '女士'}，我是您的专属顾问，有什么可以帮您？`,
  );
  const ask = pick(product.ask, persona.key);
  say('customer', 0.1, ask);
  say('rep', 0.12, product.answer);
  if (index % 3 === 0) send('rep', 0.13, 'image', {}, undefined);
  say('customer', 0.2, product.follow);
  say('rep', 0.22, product.followAnswer);
  if (product === PRODUCTS.lock) send('customer', 0.25, 'image');
  if (index % 4 === 1) send('customer', 0.3, 'voice', { play_length: 4 + (index % 7) });

  const following = stageAt(follow, '跟进中');
  if (following !== null) {
    send('rep', following + 0.1, 'file', { filename: product.quoteFile, filesize: 180_000 + index * 3_000 });
    say('rep', following + 0.12, `报价单发您了，活动价${product.price}元，本周店铺满1000减100，还支持12期免息。`);
    say('customer', following + 1.5, company ? '我们需要开增值税专用发票，可以吗？' : '能再便宜一点吗？');
    say(
      'rep',
      following + 1.6,
      company ? '可以开专票的，您把开票信息发我就行。' : '价格已经是最低了，我再帮您申请一个赠品。',
    );
    if (index % 5 === 2)
      send('rep', following + 1.7, 'link', { title: '双十一会员专享福利', description: '限时领取满减券' });
  }

  const won = stageAt(follow, '已成交');
  if (won !== null) {
    say('customer', won, '好的，我已经下单了。');
    say('rep', won + 0.05, '收到，谢谢您的信任！今天下午就安排发货。');
    say(
      'rep',
      won + 20,
      `您的订单已经发货了，顺丰单号SF${String(1_300_000_000 + index * 7_919).padStart(10, '0')}，预计明天送到。`,
    );
    say('customer', won + 40, '收到了，包装很好，谢谢！');
  }

  for (const h of notesLike(follow, /回访/)) {
    say('rep', h, `您好，${product.name}用了一段时间了，感觉怎么样？有问题随时找我。`);
    say('customer', h + 2, '挺好用的，家里人都说不错。');
  }

  const lost = stageAt(follow, '已流失');
  if (lost !== null) {
    const refund = follow.steps.some((s) => 'note' in s && /退款|退货/.test(s.note));
    if (refund) {
      say('customer', lost - 30, '东西有质量问题，我要退款！再不处理我就打12315投诉。');
      say('rep', lost - 29.5, '非常抱歉给您带来不好的体验，我马上帮您申请退货退款，运费我们承担。');
      say('customer', lost - 2, '退款收到了。');
    } else {
      say('customer', lost, '不好意思，我已经在别家买了，暂时不需要了。');
      say('rep', lost + 0.1, '没关系，以后有需要随时联系我，祝您生活愉快！');
    }
  }

  // One rep crosses the line once: the demo's keyword alert (员工违规用语) has something to show.
  if (persona.key === 'sun-xiaoyan') say('rep', 31.2, '要不您加我微信，私下转账给我，我按内部价给您便宜100元。');
  return lines;
}

/** Every demo follow's chat lines (with the follow's add time to date them). */
export function demoChats(): Array<{ persona: DemoPersona; follow: PersonaFollow; lines: DemoChatLine[] }> {
  let index = 0;
  return DEMO_PERSONAS.flatMap((persona) =>
    persona.follows.map((follow) => ({ persona, follow, lines: followChat(persona, follow, index++) })),
  );
}

/** What the VIP customer group says (its owner announces, members answer). */
export const GROUP_LINES: Array<{ from: 'owner' | number; h: number; text: string }> = [
  { from: 'owner', h: -48, text: '各位VIP客户好，本周六门店有新品体验会，到店可领取精美礼品一份。' },
  { from: 0, h: -47.5, text: '几点开始？' },
  { from: 'owner', h: -47.4, text: '上午10点到下午5点都可以，凭会员码签到。' },
  { from: 1, h: -46, text: '扫地机器人的滤网在哪里买？' },
  { from: 'owner', h: -45.8, text: '小程序商城“配件”里就有，会员价8折。' },
  { from: 2, h: -20, text: '上次买的净化器很好用，推荐给朋友了。' },
  { from: 'owner', h: -19.5, text: '谢谢支持！推荐成功的朋友下单，您也可以领50元券。' },
];
