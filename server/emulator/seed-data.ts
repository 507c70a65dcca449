import { newChatId, newExternalUserId, newTagId, randomChars, type Random } from './ids.js';
import { intBetween, pick, sample, seededRandom } from './prng.js';
import type { Customer, Department, EmulatorData, Follow, GroupChat, GroupChatMember, Rep } from './types.js';

/**
 * The demo corp's directory, tags, customers and groups. Every id comes from one seeded PRNG consumed in a fixed
 * order, so the same ids come back on every start; only times are relative to "now" (the last 90 days).
 */

const SEED = 'wecom-scrm-demo-corp-v1';
const DAY = 86_400;

export const DEPARTMENTS: readonly Department[] = [
  { id: 1, name: '总部', name_en: 'HQ', parentid: 0, order: 100000000, department_leader: ['zhangwei'] },
  { id: 2, name: '销售一部', name_en: 'Sales 1', parentid: 1, order: 99999000, department_leader: ['zhangwei'] },
  { id: 3, name: '销售二部', name_en: 'Sales 2', parentid: 1, order: 99998000, department_leader: ['liuyang'] },
  { id: 4, name: '客服部', name_en: 'Service', parentid: 1, order: 99997000, department_leader: ['sunli'] },
];

type RepSeed = [userid: string, name: string, dept: number, position: string, gender: '1' | '2', leader: boolean];

const REP_SEEDS: readonly RepSeed[] = [
  ['zhangwei', '张伟', 2, '销售总监', '1', true],
  ['lina', '李娜', 2, '销售顾问', '2', false],
  ['wangfang', '王芳', 2, '销售顾问', '2', false],
  ['liuyang', '刘洋', 3, '销售经理', '1', true],
  ['chenjing', '陈静', 3, '高级销售顾问', '2', false],
  ['zhaolei', '赵磊', 3, '销售顾问', '1', false],
  ['sunli', '孙丽', 4, '客服主管', '2', true],
  ['zhouxin', '周欣', 4, '客服专员', '2', false],
];

/** The demo corp's sales reps (the seeded customers are spread over them). */
export const SALES_REPS = ['zhangwei', 'lina', 'wangfang', 'liuyang', 'chenjing', 'zhaolei'];
const SERVICE_REPS = ['sunli', 'zhouxin'];

const TAG_GROUP_SEEDS: readonly [string, readonly string[]][] = [
  ['客户等级', ['重要客户', '普通客户', '潜在客户']],
  ['意向产品', ['智能手表', '无线耳机', '扫地机器人', '空气净化器', '智能门锁']],
  ['客户来源', ['线下门店', '电商包裹卡', '直播间', '朋友推荐', '展会']],
  ['跟进状态', ['待跟进', '已报价', '已成交', '已流失']],
];

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
  '郑',
  '梁',
  '谢',
  '宋',
  '唐',
  '许',
  '韩',
  '冯',
  '邓',
  '曹',
];
const MALE_GIVEN = [
  '浩然',
  '子轩',
  '宇航',
  '俊杰',
  '志强',
  '建国',
  '文博',
  '明辉',
  '晨阳',
  '嘉豪',
  '思远',
  '天佑',
  '立新',
  '海涛',
  '鹏飞',
];
const FEMALE_GIVEN = [
  '雨桐',
  '欣怡',
  '梓涵',
  '诗琪',
  '晓燕',
  '婉婷',
  '佳琪',
  '思雨',
  '梦瑶',
  '静怡',
  '丽娟',
  '雅琴',
  '慧敏',
  '秀英',
  '若曦',
];

const COMPANIES: readonly [short: string, full: string][] = [
  ['云帆科技', '杭州云帆科技有限公司'],
  ['启明智能', '深圳启明智能设备有限公司'],
  ['蓝海贸易', '上海蓝海国际贸易有限公司'],
  ['青禾文化', '成都青禾文化传媒有限公司'],
  ['鼎盛物业', '广州鼎盛物业管理有限公司'],
  ['远景教育', '北京远景教育科技有限公司'],
  ['嘉禾连锁', '南京嘉禾商业连锁有限公司'],
];
const POSITIONS = ['采购经理', '行政主管', '总经理', '运营总监', '门店店长', '市场专员', 'IT负责人'];

const DESCRIPTIONS = [
  '关注智能手表，预算2000元左右',
  '老客户，复购意向强，喜欢新品首发',
  '企业团购需求，需提供发票',
  '对价格敏感，等大促活动',
  '咨询过扫地机器人售后，已解决',
  '直播间下单，需跟进物流',
  '朋友推荐来的，想了解空气净化器滤芯',
  '计划装修新房，关注智能门锁',
  '',
];

/** Channel `state` values of the seeded customers (as a 「联系我」 would have set them). */
const STATES = ['store_poster_01', 'parcel_card_2024', 'live_room_618', 'expo_shenzhen', 'wechat_article'];

/** add_way values (see externalcontact/get): 1 扫描二维码, 2 搜索手机号, 3 名片分享, 6 微信联系人, 16 获客链接, 202 管理员分配. */
const ADD_WAYS = [1, 1, 1, 1, 2, 3, 6, 16, 202];

function buildReps(): Rep[] {
  return REP_SEEDS.map(([userid, name, dept, position, gender, leader], i) => ({
    userid,
    name,
    department: [dept],
    main_department: dept,
    position,
    gender,
    mobile: `1380013${String(1000 + i * 137).padStart(4, '0')}`,
    email: `${userid}@xinghe-demo.cn`,
    alias: '',
    status: 1,
    is_leader_in_dept: [leader ? 1 : 0],
  }));
}

function mobile(random: Random): string {
  return `1${pick(random, ['35', '37', '38', '39', '50', '58', '86', '88'])}${randomChars('0123456789', 8, random)}`;
}

function buildCustomer(random: Random, nowSec: number, tagIdsByGroup: string[][]): Customer {
  const externalUserId = newExternalUserId(random);
  const male = random() < 0.5;
  const surname = pick(random, SURNAMES);
  const name = surname + pick(random, male ? MALE_GIVEN : FEMALE_GIVEN);
  const isWecom = random() < 0.3;
  const company = pick(random, COMPANIES);
  const position = pick(random, POSITIONS);
  const hasUnionid = random() < 0.7;
  const unionid = `o${randomChars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 27, random)}`;

  const followCount = random() < 0.3 ? 2 : 1;
  const pool = random() < 0.15 ? [...SERVICE_REPS, ...SALES_REPS] : SALES_REPS;
  const followers = sample(random, pool, followCount);
  const follows: Follow[] = followers.map((userid) => {
    const addWay = pick(random, ADD_WAYS);
    const customerInitiated = addWay === 1 || addWay === 16;
    const tags = [
      pick(random, tagIdsByGroup[0] ?? []),
      ...sample(random, tagIdsByGroup[1] ?? [], intBetween(random, 0, 2)),
      pick(random, tagIdsByGroup[2] ?? []),
      ...(random() < 0.7 ? [pick(random, tagIdsByGroup[3] ?? [])] : []),
    ];
    const withMobile = random() < 0.5;
    const phone = mobile(random);
    return {
      userid,
      remark: `${surname}${male ? '先生' : '女士'}${isWecom ? `-${company[0]}` : ''}`,
      description: pick(random, DESCRIPTIONS),
      createtime: nowSec - intBetween(random, 0, 89) * DAY - intBetween(random, 0, DAY - 1),
      tag_ids: tags,
      remark_corp_name: isWecom ? company[0] : '',
      remark_mobiles: withMobile ? [phone] : [],
      oper_userid: customerInitiated ? externalUserId : userid,
      add_way: addWay,
      state: addWay === 1 ? pick(random, STATES) : '',
    };
  });

  return {
    external_userid: externalUserId,
    name,
    type: isWecom ? 2 : 1,
    gender: male ? 1 : 2,
    position: isWecom ? position : '',
    corp_name: isWecom ? company[0] : '',
    corp_full_name: isWecom ? company[1] : '',
    unionid: !isWecom && hasUnionid ? unionid : '',
    follows,
  };
}

function buildGroupChat(
  random: Random,
  nowSec: number,
  name: string,
  owner: Rep,
  otherReps: Rep[],
  customers: Customer[],
  notice: string,
): GroupChat {
  const chatId = newChatId(random);
  const createTime = nowSec - intBetween(random, 60, 85) * DAY;
  const members: GroupChatMember[] = [
    { userid: owner.userid, type: 1, join_time: createTime, join_scene: 1, group_nickname: '', name: owner.name },
    ...otherReps.map((r): GroupChatMember => ({
      userid: r.userid,
      type: 1,
      join_time: createTime + intBetween(random, 60, 3600),
      join_scene: 1,
      invitor: { userid: owner.userid },
      group_nickname: '',
      name: r.name,
    })),
    ...customers.map((c): GroupChatMember => ({
      userid: c.external_userid,
      type: 2,
      ...(c.unionid ? { unionid: c.unionid } : {}),
      join_time: createTime + intBetween(random, 1, 50) * DAY,
      join_scene: pick(random, [1, 2, 3]),
      invitor: { userid: owner.userid },
      group_nickname: random() < 0.3 ? `${c.name}（${c.corp_name || '个人'}）` : '',
      name: c.name,
    })),
  ];
  return {
    chat_id: chatId,
    name,
    owner: owner.userid,
    create_time: createTime,
    notice,
    status: 0,
    member_list: members,
    admin_list: otherReps.slice(0, 1).map((r) => ({ userid: r.userid })),
    member_version: randomChars('0123456789abcdef', 32, random),
  };
}

/** Builds the seeded demo corp. `nowMs` anchors createtimes to the last 90 days. */
export function buildSeedData(corpId: string, nowMs: number): EmulatorData {
  const random = seededRandom(SEED);
  const nowSec = Math.floor(nowMs / 1000);
  const reps = buildReps();

  const tagGroups: EmulatorData['tagGroups'] = [];
  const tags: EmulatorData['tags'] = [];
  const tagIdsByGroup: string[][] = [];
  TAG_GROUP_SEEDS.forEach(([groupName, tagNames], gi) => {
    const groupId = newTagId(random);
    const createTime = nowSec - 120 * DAY + gi * 600;
    tagGroups.push({
      group_id: groupId,
      group_name: groupName,
      create_time: createTime,
      order: TAG_GROUP_SEEDS.length - gi,
    });
    const ids: string[] = [];
    tagNames.forEach((tagName, ti) => {
      const id = newTagId(random);
      ids.push(id);
      tags.push({ id, group_id: groupId, name: tagName, create_time: createTime + ti, order: tagNames.length - ti });
    });
    tagIdsByGroup.push(ids);
  });

  const customers: Customer[] = [];
  for (let i = 0; i < 30; i++) customers.push(buildCustomer(random, nowSec, tagIdsByGroup));
  // Every seeded rep has at least one customer (externalcontact/list answers 84061 for a rep with none).
  for (const rep of reps) {
    if (!customers.some((c) => c.follows.some((f) => f.userid === rep.userid))) {
      const customer = customers[reps.indexOf(rep)] ?? customers[0];
      const first = customer?.follows[0];
      if (customer && first)
        customer.follows.push({ ...first, userid: rep.userid, oper_userid: rep.userid, add_way: 202, state: '' });
    }
  }

  const byId = (id: string) => reps.find((r) => r.userid === id) as Rep;
  const groupChats = [
    buildGroupChat(
      random,
      nowSec,
      '星河优选VIP客户群',
      byId('zhangwei'),
      [byId('lina'), byId('sunli')],
      customers.slice(0, 8),
      '欢迎加入星河优选VIP群，新品首发和专属优惠会第一时间在群里通知～',
    ),
    buildGroupChat(
      random,
      nowSec,
      '智能家居体验官交流群',
      byId('liuyang'),
      [byId('chenjing')],
      customers.slice(10, 16),
      '体验官请在群内分享使用心得，每月评选优秀体验官送好礼。',
    ),
  ];

  return { ...buildEmptyData(corpId), reps, customers, tagGroups, tags, groupChats };
}

/** An empty corp (seed: false): the directory only, so OAuth and contact ways still have reps to use. */
export function buildEmptyData(corpId: string): EmulatorData {
  return {
    version: 1,
    corpId,
    departments: DEPARTMENTS.map((d) => ({ ...d, department_leader: [...d.department_leader] })),
    reps: buildReps(),
    customers: [],
    tagGroups: [],
    tags: [],
    contactWays: [],
    groupChats: [],
    welcomeMessages: [],
    webhookMessages: [],
    appMessages: [],
    msgTemplates: [],
    media: [],
    activity: [],
  };
}

/** Profile pools reused when a simulated customer is created at run time. */
export const PROFILE_POOLS = { SURNAMES, MALE_GIVEN, FEMALE_GIVEN, COMPANIES, POSITIONS } as const;
