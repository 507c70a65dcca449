import {
  addWayOf,
  DEMO_PERSONAS,
  followAddedAt,
  followOutcome,
  personaExternalUserId,
  personaMobile,
  personaUnionId,
  TESTER_GROUP_KEYS,
  VIP_GROUP_KEYS,
  type DemoPersona,
} from '../demo/personas.js';
import { newChatId, newTagId, randomChars, type Random } from './ids.js';
import { intBetween, pick, seededRandom } from './prng.js';
import type { Customer, Department, EmulatorData, Follow, GroupChat, GroupChatMember, Rep } from './types.js';

/**
 * The demo corp's directory, tags, customers and groups. The customers are the demo personas (server/demo/personas.ts),
 * each with one coherent story; their ids derive from the persona, the other ids from one seeded PRNG consumed in a
 * fixed order, so the same ids come back on every start. Only times are relative to "now" (the last 90 days).
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

/**
 * The corp tag library. No group repeats the sales stages (新客户 / 跟进中 / 已成交 / 已流失): those are the product's
 * own customer attribute, not WeCom tags.
 */
const TAG_GROUP_SEEDS: readonly [string, readonly string[]][] = [
  ['客户等级', ['重要客户', '普通客户', '潜在客户']],
  ['意向产品', ['智能手表', '无线耳机', '扫地机器人', '空气净化器', '智能门锁']],
  ['客户来源', ['线下门店', '直播间', '官网咨询', '电商包裹卡', '朋友推荐', '展会']],
  ['购买用途', ['自用', '送礼', '企业采购']],
];

/** Name pools for customers the emulator creates at run time (simulated adds, QR scans). */
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

/** A demo persona as WeCom knows them: the profile and each rep's follow as the story left it. */
function buildCustomer(persona: DemoPersona, nowMs: number, tagIdByName: Map<string, string>): Customer {
  const externalUserId = personaExternalUserId(persona.key);
  const company = persona.company;
  const follows: Follow[] = persona.follows.map((f) => {
    const outcome = followOutcome(f);
    const { addWay, state } = addWayOf(f);
    // A scan or a shared card is the customer's doing; searching a phone number, a WeChat contact or an
    // assignment is the rep's.
    const customerInitiated = addWay === 1 || addWay === 3;
    // The number is known for a company contact, a customer found by phone, and an online order's buyer.
    const knowsMobile = company !== undefined || addWay === 2 || addWay === 202 || state === 'parcel_card';
    return {
      userid: f.rep,
      remark: outcome.remark,
      description: outcome.description,
      createtime: followAddedAt(f, nowMs),
      tag_ids: outcome.tags.map((name) => {
        const id = tagIdByName.get(name);
        if (!id) throw new Error(`persona ${persona.key}: no seeded tag named ${name}`);
        return id;
      }),
      remark_corp_name: company?.short ?? '',
      remark_mobiles: knowsMobile ? [personaMobile(persona.key)] : [],
      oper_userid: customerInitiated ? externalUserId : f.rep,
      add_way: addWay,
      state,
    };
  });

  return {
    external_userid: externalUserId,
    name: persona.name,
    type: company ? 2 : 1,
    gender: persona.gender,
    position: company?.position ?? '',
    corp_name: company?.short ?? '',
    corp_full_name: company?.full ?? '',
    unionid: company ? '' : personaUnionId(persona.key),
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
      // Invited once they were a customer: a few hours to a few days after the first add, never in the future.
      join_time: Math.min(
        nowSec - 3600,
        Math.max(createTime, Math.min(...c.follows.map((f) => f.createtime))) + intBetween(random, 2, 72) * 3600,
      ),
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
  TAG_GROUP_SEEDS.forEach(([groupName, tagNames], gi) => {
    const groupId = newTagId(random);
    const createTime = nowSec - 120 * DAY + gi * 600;
    tagGroups.push({
      group_id: groupId,
      group_name: groupName,
      create_time: createTime,
      order: TAG_GROUP_SEEDS.length - gi,
    });
    tagNames.forEach((tagName, ti) => {
      const id = newTagId(random);
      tags.push({ id, group_id: groupId, name: tagName, create_time: createTime + ti, order: tagNames.length - ti });
    });
  });

  const tagIdByName = new Map(tags.map((t) => [t.name, t.id]));
  const customers = DEMO_PERSONAS.map((p) => buildCustomer(p, nowMs, tagIdByName));
  const byKey = (keys: readonly string[]) =>
    keys.map((key) => customers.find((c) => c.external_userid === personaExternalUserId(key)) as Customer);

  const byId = (id: string) => reps.find((r) => r.userid === id) as Rep;
  const groupChats = [
    buildGroupChat(
      random,
      nowSec,
      '星河优选VIP客户群',
      byId('zhangwei'),
      [byId('lina'), byId('sunli')],
      byKey(VIP_GROUP_KEYS),
      '欢迎加入星河优选VIP群，新品首发和专属优惠会第一时间在群里通知～',
    ),
    buildGroupChat(
      random,
      nowSec,
      '智能家居体验官交流群',
      byId('liuyang'),
      [byId('chenjing')],
      byKey(TESTER_GROUP_KEYS),
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
