import { createHash } from 'node:crypto';
import { demoChannel, type DemoChannelKey } from './channels.js';

/**
 * The demo corp's customers, one story each: who they are, what they bought or asked about (from what the script
 * library sells: smart watches, earbuds, robot vacuums, air purifiers, smart locks), the channel that brought them,
 * what their rep wrote down, and where they are now. The emulator seeds them into WeCom (name, follows, remarks,
 * tags, `state`); the demo seeder writes the product's side of the same story (timeline, stage, channel).
 */

export type DemoStage = '新客户' | '跟进中' | '已成交' | '已流失';

/** One thing the rep did, `h` hours after adding the customer. */
export type StoryStep =
  | { h: number; note: string; /** A reminder this many hours after the note. */ dueAfterH?: number }
  | { h: number; tags: { add?: string[]; remove?: string[] } }
  | { h: number; stage: DemoStage }
  | { h: number; remark: string }
  | { h: number; description: string };

/** WeCom's add_way values used here: 1 扫描二维码, 2 搜索手机号, 3 名片分享, 6 微信联系人, 202 管理员分配. */
export type DemoAddWay = 2 | 3 | 6 | 202 | 1;

export interface PersonaFollow {
  rep: string;
  /** A channel code (a scan, add_way 1, with the code's state), or another way to become a customer. */
  via: { channel: DemoChannelKey } | { addWay: DemoAddWay };
  addedDaysAgo: number;
  /** Local time (Asia/Shanghai) of the add, HH:MM. */
  at: string;
  /** The remark and description when the rep added the customer; steps may change them. */
  remark: string;
  description?: string;
  steps: StoryStep[];
}

export interface DemoPersona {
  key: string;
  name: string;
  gender: 1 | 2;
  /** A WeCom user (type 2) with their company; WeChat users (type 1) have none. */
  company?: { short: string; full: string; position: string };
  /** The rep who owns the story first, then (rarely) a colleague who was brought in. */
  follows: PersonaFollow[];
}

const D = 24;

export const DEMO_PERSONAS: readonly DemoPersona[] = [
  {
    key: 'chen-yutong',
    name: '陈雨桐',
    gender: 2,
    follows: [
      {
        rep: 'lina',
        via: { channel: 'store' },
        addedDaysAgo: 12,
        at: '14:20',
        remark: '陈女士-给父母买手表',
        steps: [
          { h: 0.3, note: '在门店试戴了智能手表，想给父母各买一只，最关心心率监测和跌倒提醒，预算每只1500左右。' },
          { h: 0.35, tags: { add: ['智能手表', '送礼'] } },
          { h: 0.4, description: '给父母买智能手表，关注心率和跌倒提醒，预算1500/只' },
          { h: 50, stage: '跟进中' },
          { h: 50.2, note: '电话沟通：已发两款手表的对比资料和报价，客户说周末和父母一起商量。', dueAfterH: 3 * D },
          {
            h: 8 * D,
            note: '客户回复父母更喜欢大表盘的款式，等双十一活动再下单，活动开始前提醒她。',
            dueAfterH: 12 * D,
          },
        ],
      },
    ],
  },
  {
    key: 'liu-jianguo',
    name: '刘建国',
    gender: 1,
    follows: [
      {
        rep: 'lina',
        via: { channel: 'store' },
        addedDaysAgo: 40,
        at: '11:05',
        remark: '刘先生-X9扫地机',
        description: '家里120平，有猫，想买扫拖一体机',
        steps: [
          { h: 0.5, note: '到店看了扫拖一体机器人，家里120平、养了一只猫，担心猫毛缠绕滚刷。现场演示了自动集尘。' },
          { h: 0.6, tags: { add: ['扫地机器人', '自用'] } },
          { h: 26, stage: '跟进中' },
          { h: 27, note: '发了X9详情页和以旧换新政策，旧扫地机可以抵扣300元。' },
          { h: 75, stage: '已成交' },
          { h: 75.1, tags: { add: ['普通客户'], remove: ['潜在客户'] } },
          { h: 75.2, note: '客户在门店下单X9扫拖一体机，参加以旧换新，约好周六送货上门并教使用。' },
          { h: 30 * D, note: '回访：X9用了一个月，猫毛清理效果满意，提醒他每两个月换一次边刷。' },
          { h: 30 * D + 0.1, description: '已购X9扫拖一体机（以旧换新），家里有猫' },
        ],
      },
    ],
  },
  {
    key: 'huang-zihan',
    name: '黄梓涵',
    gender: 2,
    follows: [
      {
        rep: 'zhangwei',
        via: { channel: 'store' },
        addedDaysAgo: 8,
        at: '16:40',
        remark: '黄女士-婴儿房净化器',
        steps: [
          { h: 0.2, note: '新手妈妈，宝宝三个月，想给婴儿房买一台空气净化器，关心噪音和除甲醛。' },
          { h: 0.3, tags: { add: ['空气净化器', '自用'] } },
          { h: 0.3, description: '婴儿房用空气净化器，关注夜间噪音和除甲醛' },
          { h: 48, stage: '跟进中' },
          {
            h: 48.5,
            note: '发了净化器产品图和参数，夜间模式22分贝她很满意，问能不能分期。',
            dueAfterH: 2 * D,
          },
          { h: 5 * D, note: '已确认支持12期免息，客户说下周发工资后下单，届时发专属下单链接。', dueAfterH: 4 * D },
        ],
      },
    ],
  },
  {
    key: 'yang-zhiqiang',
    name: '杨志强',
    gender: 1,
    follows: [
      {
        rep: 'zhangwei',
        via: { channel: 'store' },
        addedDaysAgo: 60,
        at: '10:15',
        remark: '杨先生-新房门锁',
        description: '新房装修，要装智能门锁',
        steps: [
          { h: 0.5, note: '新房下个月交付，想装智能门锁，门厚7厘米，需要确认锁体是否匹配。' },
          { h: 0.6, tags: { add: ['智能门锁', '自用'] } },
          { h: 30, stage: '跟进中' },
          { h: 30.5, note: '让客户拍了门的侧面照片，技术同事确认锁体可以直接安装，已报价。' },
          { h: 20 * D, stage: '已成交' },
          { h: 20 * D + 0.1, tags: { add: ['普通客户'], remove: ['潜在客户'] } },
          { h: 20 * D + 0.2, note: '客户下单3D人脸款智能门锁，预约本周六上门安装。' },
          { h: 22 * D, note: '安装完成，教会了添加家人指纹和临时密码，客户很满意，答应推荐给邻居。' },
        ],
      },
    ],
  },
  {
    key: 'wu-siyu',
    name: '吴思雨',
    gender: 2,
    follows: [
      {
        rep: 'lina',
        via: { channel: 'store' },
        addedDaysAgo: 2,
        at: '19:10',
        remark: '吴同学-降噪耳机',
        description: '大学生，地铁通勤用降噪耳机，预算800以内',
        steps: [
          { h: 0.2, note: '大学生，路过门店试听了降噪耳机，想要地铁通勤用的，预算800以内。' },
          { h: 0.25, tags: { add: ['无线耳机', '自用'] } },
          { h: 20, note: '发了学生优惠说明，客户说要和另一款对比一下再决定。', dueAfterH: 2 * D },
        ],
      },
    ],
  },
  {
    key: 'zhou-xinyi',
    name: '周欣怡',
    gender: 2,
    follows: [
      {
        rep: 'wangfang',
        via: { channel: 'live' },
        addedDaysAgo: 15,
        at: '20:30',
        remark: '周女士-直播间扫地机',
        steps: [
          { h: 0.1, note: '直播间领了扫地机器人优惠券，想买给父母，家里有老人，要操作简单的。' },
          { h: 0.15, tags: { add: ['扫地机器人', '送礼'] } },
          { h: 0.2, description: '给父母买扫地机器人，要操作简单，已领直播间券' },
          { h: 40, stage: '跟进中' },
          { h: 40.2, note: '发了基础款和Pro款的对比，建议选Pro款：自动集尘，老人不用天天倒垃圾。' },
          { h: 10 * D, note: '客户对价格比较敏感，想等双十一预售付定金，活动开始前提醒她。', dueAfterH: 8 * D },
        ],
      },
    ],
  },
  {
    key: 'xu-haoran',
    name: '徐浩然',
    gender: 1,
    follows: [
      {
        rep: 'wangfang',
        via: { channel: 'live' },
        addedDaysAgo: 30,
        at: '21:05',
        remark: '徐先生-耳机已购',
        steps: [
          { h: 0.1, note: '在直播间下单了降噪耳机，加微信问什么时候发货。' },
          { h: 0.15, tags: { add: ['无线耳机', '自用', '普通客户'], remove: ['潜在客户'] } },
          { h: 0.2, stage: '已成交' },
          { h: 14, note: '已把顺丰单号发给客户，预计次日送达。' },
          { h: 7 * D, note: '回访：耳机降噪效果满意，又问了智能手表，已发手表卖点，有需要再联系。' },
          { h: 7 * D + 0.1, tags: { add: ['智能手表'] } },
          { h: 7 * D + 0.2, description: '直播间购买降噪耳机，对智能手表有兴趣' },
        ],
      },
    ],
  },
  {
    key: 'sun-xiaoyan',
    name: '孙晓燕',
    gender: 2,
    follows: [
      {
        rep: 'lina',
        via: { channel: 'live' },
        addedDaysAgo: 45,
        at: '20:45',
        remark: '孙女士-跑步手表',
        description: '跑步用智能手表',
        steps: [
          { h: 0.2, note: '直播间过来的，想买智能手表记录跑步，关心GPS和防水。' },
          { h: 0.25, tags: { add: ['智能手表', '自用'] } },
          { h: 30, stage: '跟进中' },
          { h: 31, note: '发了手表卖点和50米防水说明，客户问能不能再便宜100元。' },
          { h: 6 * D, note: '客户说已经在别的平台买了同类手表，暂时不需要了，以后有新品可以推荐给她。' },
          { h: 6 * D + 0.1, stage: '已流失' },
          { h: 6 * D + 0.2, description: '跑步用智能手表，已在别处购买' },
        ],
      },
    ],
  },
  {
    key: 'ma-junjie',
    name: '马俊杰',
    gender: 1,
    follows: [
      {
        rep: 'wangfang',
        via: { channel: 'live' },
        addedDaysAgo: 1,
        at: '20:50',
        remark: '马先生-新房除甲醛',
        description: '刚装修完，想除甲醛',
        steps: [
          { h: 0.2, note: '直播间看到空气净化器，家里刚装修完，想除甲醛，问CADR值和适用面积。' },
          { h: 0.25, tags: { add: ['空气净化器', '自用'] } },
        ],
      },
    ],
  },
  {
    key: 'guo-wanting',
    name: '郭婉婷',
    gender: 2,
    company: { short: '启明智能', full: '深圳启明智能设备有限公司', position: '行政主管' },
    follows: [
      {
        rep: 'chenjing',
        via: { channel: 'web' },
        addedDaysAgo: 20,
        at: '10:20',
        remark: '郭主管-启明智能',
        steps: [
          { h: 0.3, note: '启明智能行政主管，新办公区要采购约20台空气净化器，需要增值税专用发票。' },
          { h: 0.35, tags: { add: ['空气净化器', '企业采购', '重要客户'], remove: ['潜在客户'] } },
          { h: 0.4, description: '企业采购约20台空气净化器，需要专票' },
          { h: 5, stage: '跟进中' },
          { h: 26, note: '已按20台报了团购价，并把开专票需要的信息模板发给客户。' },
          { h: 6 * D, note: '客户说采购要总经理审批，请张总一起对接，已拉张总加客户微信。' },
        ],
      },
      {
        rep: 'zhangwei',
        via: { addWay: 3 },
        addedDaysAgo: 14,
        at: '15:00',
        remark: '启明智能-郭主管',
        description: '20台净化器团购，与陈静一起跟进',
        steps: [
          { h: 0.5, note: '和郭主管、陈静一起电话沟通，客户希望分两批到货，第一批12台月底前。' },
          { h: 0.6, tags: { add: ['空气净化器', '企业采购', '重要客户'] } },
          { h: 10 * D, note: '审批已过财务，等盖章合同，约好下周一签。', dueAfterH: 5 * D },
        ],
      },
    ],
  },
  {
    key: 'lin-zixuan',
    name: '林子轩',
    gender: 1,
    company: { short: '云帆科技', full: '杭州云帆科技有限公司', position: '采购经理' },
    follows: [
      {
        rep: 'liuyang',
        via: { channel: 'web' },
        addedDaysAgo: 50,
        at: '09:40',
        remark: '林经理-云帆科技',
        steps: [
          { h: 0.5, note: '云帆科技采购经理，年会要采购50只智能手表做员工礼品。' },
          { h: 0.6, tags: { add: ['智能手表', '企业采购', '送礼'] } },
          { h: 0.7, description: '年会礼品：50只智能手表，企业团购' },
          { h: 3, stage: '跟进中' },
          { h: 24, note: '已发企业团购报价：50只享团购价，表背可刻企业logo。客户要和另一家对比。' },
          { h: 5 * D, note: '客户确认下单50只，合同已签，两周内交货。' },
          { h: 5 * D + 0.1, stage: '已成交' },
          { h: 5 * D + 0.2, tags: { add: ['重要客户'], remove: ['潜在客户'] } },
          { h: 20 * D, note: '货已全部签收，客户反馈员工很喜欢，明年年会还考虑合作。' },
        ],
      },
      {
        rep: 'zhangwei',
        via: { addWay: 3 },
        addedDaysAgo: 30,
        at: '11:00',
        remark: '云帆科技-林经理',
        description: '年会手表已交付，新办公室有智能门锁需求',
        steps: [
          {
            h: 1,
            note: '年会礼品交付后拜访客户，新办公室明年装修，有意采购智能门锁，约好装修前再沟通。',
            dueAfterH: 40 * D,
          },
          { h: 1.1, tags: { add: ['智能手表', '智能门锁', '企业采购', '重要客户'] } },
        ],
      },
    ],
  },
  {
    key: 'he-jiaqi',
    name: '何佳琪',
    gender: 2,
    follows: [
      {
        rep: 'zhaolei',
        via: { channel: 'web' },
        addedDaysAgo: 3,
        at: '13:30',
        remark: '何女士-门锁咨询',
        description: '租房住，担心安装会破坏门',
        steps: [
          { h: 0.3, note: '官网咨询智能门锁，租房住，担心安装会破坏门，问有没有免打孔的款式。' },
          { h: 0.35, tags: { add: ['智能门锁', '自用'] } },
          { h: 26, note: '说明需要先看门的类型，请客户拍门侧面的照片发过来。', dueAfterH: 3 * D },
        ],
      },
    ],
  },
  {
    key: 'luo-minghui',
    name: '罗明辉',
    gender: 1,
    follows: [
      {
        rep: 'chenjing',
        via: { channel: 'web' },
        addedDaysAgo: 10,
        at: '21:15',
        remark: '罗先生-扫地机对比',
        steps: [
          { h: 12, note: '晚上在官网留言，第二天回电：150平复式，纠结扫地机器人基础款和Pro款。' },
          { h: 12.1, tags: { add: ['扫地机器人', '自用'] } },
          { h: 12.2, stage: '跟进中' },
          { h: 12.3, description: '150平复式，纠结扫地机基础款和Pro款' },
          { h: 4 * D, note: '建议大户型选Pro款（激光导航、自动集尘），客户想周末到门店看实物。', dueAfterH: 7 * D },
        ],
      },
    ],
  },
  {
    key: 'zheng-shiqi',
    name: '郑诗琪',
    gender: 2,
    follows: [
      {
        rep: 'liuyang',
        via: { channel: 'web' },
        addedDaysAgo: 35,
        at: '12:10',
        remark: '郑女士-耳机送礼',
        description: '给男朋友买生日礼物',
        steps: [
          { h: 0.5, note: '官网咨询降噪耳机，想给男朋友当生日礼物。' },
          { h: 0.6, tags: { add: ['无线耳机', '送礼'] } },
          { h: 2, stage: '跟进中' },
          { h: 2 * D, note: '发了耳机产品图和本周满减活动，客户未回复。', dueAfterH: 3 * D },
          { h: 9 * D, note: '再次跟进仍未回复，生日已经过了，暂停跟进。' },
          { h: 9 * D + 0.1, stage: '已流失' },
        ],
      },
    ],
  },
  {
    key: 'liang-tianyou',
    name: '梁天佑',
    gender: 1,
    company: { short: '嘉禾连锁', full: '南京嘉禾商业连锁有限公司', position: '门店店长' },
    follows: [
      {
        rep: 'zhaolei',
        via: { channel: 'web' },
        addedDaysAgo: 25,
        at: '10:50',
        remark: '梁店长-嘉禾连锁',
        steps: [
          { h: 0.4, note: '嘉禾连锁门店店长，想给5家门店各配一台扫地机器人，晚上闭店后清洁。' },
          { h: 0.5, tags: { add: ['扫地机器人', '企业采购'] } },
          { h: 1, stage: '跟进中' },
          { h: 24, note: '已报5台团购价，说明可以开专票，客户需要总部采购部确认。' },
          {
            h: 12 * D,
            note: '总部要求先试用一台，已安排样机寄到南京门店试用两周。',
            dueAfterH: 14 * D,
          },
          { h: 12 * D + 0.1, description: '5家门店采购扫地机器人，样机试用中' },
        ],
      },
    ],
  },
  {
    key: 'xie-mengyao',
    name: '谢梦瑶',
    gender: 2,
    follows: [
      {
        rep: 'chenjing',
        via: { channel: 'web' },
        addedDaysAgo: 18,
        at: '11:30',
        remark: '谢女士-送老公手表',
        description: '给老公买生日礼物',
        steps: [
          { h: 0.3, note: '想给老公买智能手表当生日礼物，下周五生日，要能赶上。' },
          { h: 0.35, tags: { add: ['智能手表', '送礼'] } },
          { h: 1, stage: '跟进中' },
          { h: 2, note: '推荐了S3，发了爆款下单页，顺丰次日达来得及。' },
          { h: 5, stage: '已成交' },
          { h: 5.1, tags: { add: ['普通客户'], remove: ['潜在客户'] } },
          { h: 5.2, note: '客户已下单S3，备注了礼品包装和贺卡。' },
          { h: 12 * D, note: '回访：老公很喜欢，客户问有没有女款，推荐了新款表带，顺便请她推荐朋友。' },
        ],
      },
    ],
  },
  {
    key: 'song-haitao',
    name: '宋海涛',
    gender: 1,
    follows: [
      {
        rep: 'liuyang',
        via: { channel: 'web' },
        addedDaysAgo: 70,
        at: '15:20',
        remark: '宋先生-组合购',
        description: '新家入住，一次配齐清洁和空气',
        steps: [
          { h: 0.5, note: '新家入住，想一次配齐扫地机器人和空气净化器。' },
          { h: 0.6, tags: { add: ['扫地机器人', '空气净化器', '自用'] } },
          { h: 1, stage: '跟进中' },
          { h: 26, note: '推荐了组合购（再减200元），客户比较后决定下单。' },
          { h: 48, stage: '已成交' },
          { h: 48.1, tags: { add: ['重要客户'], remove: ['潜在客户'] } },
          { h: 48.2, note: '组合购下单：X9扫拖一体机加空气净化器，客户要求周末送货。' },
          { h: 60 * D, note: '满两个月回访，提醒净化器滤芯用满半年再换；客户又问了智能门锁。' },
          { h: 60 * D + 0.1, tags: { add: ['智能门锁'] } },
          { h: 60 * D + 0.2, description: '已购扫地机器人+空气净化器，对智能门锁有兴趣' },
        ],
      },
    ],
  },
  {
    key: 'tang-lijuan',
    name: '唐丽娟',
    gender: 2,
    follows: [
      {
        rep: 'sunli',
        via: { channel: 'parcel' },
        addedDaysAgo: 22,
        at: '18:30',
        remark: '唐女士-X9售后',
        steps: [
          { h: 0.2, note: '扫包裹卡添加，网店买的X9扫地机器人，反馈边角清洁不干净。' },
          { h: 0.25, tags: { add: ['扫地机器人', '自用'] } },
          { h: 0.3, stage: '已成交' },
          { h: 1, note: '视频指导她调整了边刷，并开启沿边清扫模式，约好一周后回访。', dueAfterH: 7 * D },
          { h: 8 * D, note: '回访：边角清洁明显改善，客户很满意。' },
          { h: 8 * D + 0.1, description: '网店购买X9，边角清洁问题已解决' },
        ],
      },
    ],
  },
  {
    key: 'xu-wenbo',
    name: '许文博',
    gender: 1,
    follows: [
      {
        rep: 'zhouxin',
        via: { channel: 'parcel' },
        addedDaysAgo: 9,
        at: '12:40',
        remark: '许先生-手表',
        steps: [
          { h: 0.3, note: '网店买了智能手表，问怎么连接手机、开启微信消息提醒。' },
          { h: 0.35, tags: { add: ['智能手表', '自用'] } },
          { h: 0.4, stage: '已成交' },
          { h: 0.6, note: '发了收货开箱指南，一步步教会了配对和消息提醒设置。' },
          { h: 3 * D, note: '客户问表带能否单独买，已登记，新款表带到货后通知他。', dueAfterH: 10 * D },
          { h: 3 * D + 0.1, description: '网店购买智能手表，想加购表带' },
        ],
      },
    ],
  },
  {
    key: 'han-jingyi',
    name: '韩静怡',
    gender: 2,
    follows: [
      {
        rep: 'zhouxin',
        via: { channel: 'parcel' },
        addedDaysAgo: 80,
        at: '09:30',
        remark: '韩女士-净化器',
        steps: [
          { h: 1, note: '扫包裹卡添加，网店买了空气净化器，问滤芯多久换一次。' },
          { h: 1.1, tags: { add: ['空气净化器', '自用'] } },
          { h: 1.2, stage: '已成交' },
          { h: 1.5, note: '告知正常使用约6个月更换滤芯，App会提前提醒。' },
          { h: 45 * D, note: '客户又下单了一台放父母家，还买了两套备用滤芯。' },
          { h: 45 * D + 0.1, tags: { add: ['重要客户', '送礼'], remove: ['普通客户'] } },
          { h: 45 * D + 0.2, remark: '韩女士-净化器复购' },
          { h: 45 * D + 0.3, description: '复购客户：两台空气净化器（自用+父母家）' },
          { h: 75 * D, note: '第一台的滤芯快到期了，已提醒客户并发了滤芯购买链接。', dueAfterH: 7 * D },
        ],
      },
    ],
  },
  {
    key: 'feng-pengfei',
    name: '冯鹏飞',
    gender: 1,
    follows: [
      {
        rep: 'sunli',
        via: { channel: 'parcel' },
        addedDaysAgo: 5,
        at: '21:40',
        remark: '冯先生-耳机断连',
        steps: [
          { h: 0.2, note: '网店买的降噪耳机，右耳偶尔断连。' },
          { h: 0.25, tags: { add: ['无线耳机', '自用'] } },
          { h: 0.3, stage: '已成交' },
          { h: 12, note: '按故障排查步骤重置并更新固件后恢复正常，约好几天后再确认一次。', dueAfterH: 4 * D },
          { h: 12.1, description: '降噪耳机右耳断连，已重置固件' },
        ],
      },
    ],
  },
  {
    key: 'deng-yaqin',
    name: '邓雅琴',
    gender: 2,
    follows: [
      {
        rep: 'zhangwei',
        via: { addWay: 3 },
        addedDaysAgo: 85,
        at: '14:00',
        remark: '邓姐-老客户',
        steps: [
          { h: 1, note: '老同事推荐来的，想换智能门锁，也在看扫地机器人。' },
          { h: 1.1, tags: { add: ['朋友推荐', '智能门锁', '扫地机器人', '自用', '潜在客户'] } },
          { h: 2, stage: '跟进中' },
          { h: 3 * D, note: '到店体验后下单了智能门锁，预约上门安装。' },
          { h: 3 * D + 0.1, stage: '已成交' },
          { h: 3 * D + 0.2, tags: { add: ['普通客户'], remove: ['潜在客户'] } },
          { h: 40 * D, note: '门锁用着满意，又下单了X9扫拖一体机；推荐购买双方各领50元券，已登记。' },
          { h: 40 * D + 0.1, tags: { add: ['重要客户'], remove: ['普通客户'] } },
          {
            h: 80 * D,
            note: '客户想给女儿家也装一把门锁，下周带女儿到店看款式。',
            dueAfterH: 7 * D,
          },
          { h: 80 * D + 0.1, description: '老客户：已购门锁和X9，准备给女儿家再买门锁' },
        ],
      },
    ],
  },
  {
    key: 'cao-lixin',
    name: '曹立新',
    gender: 1,
    company: { short: '远景教育', full: '北京远景教育科技有限公司', position: 'IT负责人' },
    follows: [
      {
        rep: 'liuyang',
        via: { addWay: 1 },
        addedDaysAgo: 28,
        at: '15:30',
        remark: '曹工-远景教育',
        steps: [
          { h: 0.5, note: '深圳展会上加的微信，远景教育IT负责人，学校教室要配空气净化器，约30台。' },
          { h: 0.6, tags: { add: ['展会', '空气净化器', '企业采购', '潜在客户'] } },
          { h: 2 * D, stage: '跟进中' },
          { h: 2 * D + 0.1, note: '已发教室场景方案和30台团购报价，客户要走学校招标流程。' },
          { h: 20 * D, note: '招标文件预计下月发布，客户请我们提前准备资质材料。', dueAfterH: 14 * D },
          { h: 20 * D + 0.1, description: '学校教室采购约30台净化器，走招标' },
        ],
      },
    ],
  },
  {
    key: 'wang-huimin',
    name: '王慧敏',
    gender: 2,
    follows: [
      {
        rep: 'chenjing',
        via: { addWay: 6 },
        addedDaysAgo: 4,
        at: '10:10',
        remark: '王女士-谢女士推荐',
        description: '孩子过敏，关注除过敏原',
        steps: [
          { h: 0.3, note: '谢女士推荐来的，孩子是过敏体质，想了解空气净化器除过敏原的效果。' },
          { h: 0.35, tags: { add: ['朋友推荐', '空气净化器', '自用', '潜在客户'] } },
          { h: 26, note: '发了除过敏原的检测报告，客户想在换季前买。', dueAfterH: 10 * D },
        ],
      },
    ],
  },
  {
    key: 'li-yuhang',
    name: '李宇航',
    gender: 1,
    follows: [
      {
        rep: 'zhaolei',
        via: { addWay: 2 },
        addedDaysAgo: 11,
        at: '16:00',
        remark: '李先生-电话咨询',
        steps: [
          { h: 0.2, note: '客户打400热线咨询智能手表，按他留的手机号加了企业微信。' },
          { h: 0.3, tags: { add: ['官网咨询', '智能手表', '自用', '潜在客户'] } },
          { h: 24, stage: '跟进中' },
          { h: 24.5, note: '发了手表卖点，客户最看重续航，已说明续航14天。' },
          { h: 8 * D, note: '客户在等发工资，月底下单，提醒月底跟进。', dueAfterH: 6 * D },
          { h: 8 * D + 0.1, description: '看重手表续航，月底下单' },
        ],
      },
    ],
  },
  {
    key: 'zhang-ruoxi',
    name: '张若曦',
    gender: 2,
    follows: [
      {
        rep: 'wangfang',
        via: { addWay: 6 },
        addedDaysAgo: 33,
        at: '13:00',
        remark: '张女士-耳机送礼',
        description: '给弟弟买毕业礼物',
        steps: [
          { h: 0.3, note: '朋友介绍来的，想给弟弟买降噪耳机当毕业礼物。' },
          { h: 0.35, tags: { add: ['朋友推荐', '无线耳机', '送礼', '潜在客户'] } },
          { h: 1, stage: '跟进中' },
          { h: 3, note: '推荐了主动降噪款，说明有30天价保，客户当天下单。' },
          { h: 3.1, stage: '已成交' },
          { h: 3.2, tags: { add: ['普通客户'], remove: ['潜在客户'] } },
          { h: 10 * D, note: '客户反馈弟弟很喜欢，答应在朋友圈帮忙推荐。' },
        ],
      },
    ],
  },
  {
    key: 'zhao-jiahao',
    name: '赵嘉豪',
    gender: 1,
    company: { short: '鼎盛物业', full: '广州鼎盛物业管理有限公司', position: '运营总监' },
    follows: [
      {
        rep: 'zhangwei',
        via: { addWay: 1 },
        addedDaysAgo: 55,
        at: '11:20',
        remark: '赵总-鼎盛物业',
        steps: [
          { h: 1, note: '深圳展会认识的，鼎盛物业运营总监，新交付的小区想做智能门锁样板间。' },
          { h: 1.1, tags: { add: ['展会', '智能门锁', '企业采购', '重要客户'] } },
          { h: 3 * D, stage: '跟进中' },
          { h: 3 * D + 0.1, note: '带技术同事去小区看了门型，初步方案是样板间先装10套。' },
          { h: 30 * D, note: '样板间10套已报价，客户要和开发商一起评估，下月初答复。' },
          {
            h: 50 * D,
            note: '客户反馈开发商倾向采购，但要求保修延长到3年，已向公司申请。',
            dueAfterH: 7 * D,
          },
          { h: 50 * D + 0.1, description: '小区智能门锁样板间10套，要求3年保修' },
        ],
      },
    ],
  },
  {
    key: 'hu-xiuying',
    name: '胡秀英',
    gender: 2,
    follows: [
      {
        rep: 'lina',
        via: { addWay: 202 },
        addedDaysAgo: 65,
        at: '09:50',
        remark: '胡女士',
        steps: [
          { h: 0.5, note: '原跟进同事离职，客户分配给我接手。客户去年在门店买过扫地机器人。' },
          { h: 0.6, tags: { add: ['线下门店', '扫地机器人', '自用', '普通客户'] } },
          { h: 0.7, stage: '已成交' },
          { h: 2 * D, note: '电话问候并做了自我介绍，客户说机器最近声音有点大。' },
          { h: 2 * D + 1, note: '已预约免费上门清洁保养，师傅周四上门。' },
          { h: 5 * D, note: '保养完成，声音问题解决，客户很满意。' },
          { h: 5 * D + 0.1, remark: '胡阿姨-X9保养' },
          { h: 5 * D + 0.2, description: '门店老客户，已做年度保养' },
        ],
      },
    ],
  },
  {
    key: 'gao-chenyang',
    name: '高晨阳',
    gender: 1,
    follows: [
      {
        rep: 'zhouxin',
        via: { channel: 'parcel' },
        addedDaysAgo: 6,
        at: '17:20',
        remark: '高先生-门锁安装',
        steps: [
          { h: 0.3, note: '网店买了智能门锁，扫包裹卡添加，想预约上门安装。' },
          { h: 0.35, tags: { add: ['智能门锁', '自用'] } },
          { h: 0.4, stage: '已成交' },
          { h: 0.5, note: '发了安装预约说明，客户在小程序约了周六上午，师傅会提前一天确认。', dueAfterH: 6 * D },
          { h: 0.6, description: '网店购买智能门锁，已约周六安装' },
        ],
      },
    ],
  },
  {
    key: 'zhu-siyuan',
    name: '朱思远',
    gender: 1,
    follows: [
      {
        rep: 'sunli',
        via: { channel: 'parcel' },
        addedDaysAgo: 26,
        at: '20:10',
        remark: '朱先生-退货',
        steps: [
          { h: 0.3, note: '网店买的扫地机器人，家里门槛太高机器过不去，想退货。' },
          { h: 0.35, tags: { add: ['扫地机器人', '自用'] } },
          { h: 0.4, stage: '已成交' },
          { h: 1, note: '在七天无理由期内，已帮客户提交退货申请，安排上门取件。' },
          { h: 4 * D, note: '退款已到账，客户说以后换了房子再考虑。' },
          { h: 4 * D + 0.1, stage: '已流失' },
          { h: 4 * D + 0.2, description: '门槛太高，已退货退款' },
        ],
      },
    ],
  },
];

/** The personas of the two seeded customer groups (VIP customers; buyers sharing their experience). */
export const VIP_GROUP_KEYS = [
  'guo-wanting',
  'lin-zixuan',
  'song-haitao',
  'han-jingyi',
  'deng-yaqin',
  'zhao-jiahao',
  'liu-jianguo',
  'yang-zhiqiang',
];
export const TESTER_GROUP_KEYS = ['xie-mengyao', 'song-haitao', 'tang-lijuan', 'xu-wenbo', 'zhang-ruoxi', 'xu-haoran'];

function digest(key: string, salt: string): Buffer {
  return createHash('sha256').update(`wecom-scrm-demo:${salt}:${key}`).digest();
}

/** The persona's external_userid: WeCom's shape (`wm` + 30 characters), the same on every start and machine. */
export function personaExternalUserId(key: string): string {
  return `wm${digest(key, 'external_userid').toString('base64url').slice(0, 30)}`;
}

export function personaUnionId(key: string): string {
  return `o${digest(key, 'unionid').toString('base64url').slice(0, 27)}`;
}

export function personaMobile(key: string): string {
  const digits = [...digest(key, 'mobile')].map((b) => String(b % 10)).join('');
  return `1${['35', '37', '38', '39', '58', '86'][digest(key, 'prefix')[0]! % 6]}${digits.slice(0, 8)}`;
}

const SHANGHAI_OFFSET_S = 8 * 3600;

/** Unix seconds of the add: `addedDaysAgo` days before today (Asia/Shanghai), at `at`. */
export function followAddedAt(follow: Pick<PersonaFollow, 'addedDaysAgo' | 'at'>, nowMs: number): number {
  const nowSec = Math.floor(nowMs / 1000);
  const localMidnight = Math.floor((nowSec + SHANGHAI_OFFSET_S) / 86_400) * 86_400 - SHANGHAI_OFFSET_S;
  const [hh, mm] = follow.at.split(':').map(Number);
  return localMidnight - follow.addedDaysAgo * 86_400 + (hh ?? 0) * 3600 + (mm ?? 0) * 60;
}

/** The channel tags a code put on the customer, or none for another way of adding. */
export function initialTags(follow: PersonaFollow): string[] {
  return 'channel' in follow.via ? [...demoChannel(follow.via.channel).tags] : [];
}

/** What WeCom holds for the follow at the end of the story: the remark, description and tag names. */
export function followOutcome(follow: PersonaFollow): { remark: string; description: string; tags: string[] } {
  let remark = follow.remark;
  let description = follow.description ?? '';
  const tags = initialTags(follow);
  for (const step of follow.steps) {
    if ('remark' in step) remark = step.remark;
    else if ('description' in step) description = step.description;
    else if ('tags' in step) {
      for (const name of step.tags.remove ?? []) {
        const i = tags.indexOf(name);
        if (i >= 0) tags.splice(i, 1);
      }
      for (const name of step.tags.add ?? []) if (!tags.includes(name)) tags.push(name);
    }
  }
  return { remark, description, tags };
}

/** WeCom's add_way and state of the follow. */
export function addWayOf(follow: PersonaFollow): { addWay: number; state: string } {
  return 'channel' in follow.via
    ? { addWay: 1, state: demoChannel(follow.via.channel).state }
    : { addWay: follow.via.addWay, state: '' };
}
