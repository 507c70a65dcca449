import type { ScriptImageName } from './script-images.js';

/** One demo script: text, an image (a demo picture) or a link card. */
export type DemoScript =
  | { title: string; kind: 'text'; content: string }
  | { title: string; kind: 'image'; content: string; image: ScriptImageName }
  | { title: string; kind: 'link'; content: string; url: string; cardTitle: string; image: ScriptImageName };

/**
 * The demo corp's script library (星河优选, a smart-home electronics shop): the replies its reps use every day.
 * Link targets are on a fictional domain; the server never fetches them.
 */
export const DEMO_SCRIPT_LIBRARY: readonly { group: string; scripts: readonly DemoScript[] }[] = [
  {
    group: '开场问候',
    scripts: [
      {
        title: '首次添加问候',
        kind: 'text',
        content: '您好，我是星河优选的专属顾问，很高兴认识您！有任何关于智能家居产品的问题都可以随时问我～',
      },
      {
        title: '门店扫码欢迎',
        kind: 'text',
        content: '感谢您在门店扫码添加！今天店里的体验机都可以随便试，有想了解的型号告诉我，我帮您详细介绍。',
      },
      {
        title: '直播间来的客户',
        kind: 'text',
        content: '您好，看到您是从直播间过来的～直播间的专属优惠券我已经帮您留好了，下单前跟我说一声就行。',
      },
      {
        title: '包裹卡添加',
        kind: 'text',
        content: '感谢您购买我们的产品！扫包裹卡添加我后，可以享受一年内的专属售后和使用指导，有问题随时找我。',
      },
      {
        title: '久未联系问候',
        kind: 'text',
        content: '好久不见～最近产品用得还顺手吗？我们上了几款新品，有兴趣的话我发资料给您看看。',
      },
      {
        title: '朋友推荐欢迎',
        kind: 'text',
        content: '您好，欢迎朋友推荐过来！推荐购买双方都可以领取50元无门槛券，我这边帮您登记一下。',
      },
      {
        title: '非工作时间回复',
        kind: 'text',
        content: '您好，现在是非工作时间，我明天早上9点上班后第一时间回复您，紧急售后问题可以拨打400-800-1234。',
      },
    ],
  },
  {
    group: '产品介绍',
    scripts: [
      {
        title: '智能手表卖点',
        kind: 'text',
        content: '这款智能手表支持心率、血氧和睡眠监测，续航14天，50米防水，还能微信消息提醒，很适合日常佩戴和运动。',
      },
      {
        title: '无线耳机卖点',
        kind: 'text',
        content: '无线耳机是主动降噪款，降噪深度40dB，单次续航8小时、配合充电盒30小时，通勤地铁里用效果特别明显。',
      },
      {
        title: '扫地机器人卖点',
        kind: 'text',
        content: '扫地机器人是扫拖一体的，激光导航建图，自动集尘、自动洗拖布，一个月倒一次尘袋就行，解放双手。',
      },
      {
        title: '空气净化器卖点',
        kind: 'text',
        content: '空气净化器CADR值500m³/h，适用面积60平米，除甲醛、除过敏原，夜间模式噪音只有22分贝，放卧室也不吵。',
      },
      {
        title: '智能门锁卖点',
        kind: 'text',
        content: '智能门锁支持3D人脸、指纹、密码、NFC、机械钥匙5种开锁方式，C级锁芯，装好可以接入米家和华为鸿蒙。',
      },
      { title: '智能手表产品图', kind: 'image', content: '智能手表新款产品图', image: 'smart-watch' },
      { title: '无线耳机产品图', kind: 'image', content: '降噪耳机产品图', image: 'earbuds' },
      { title: '扫地机器人产品图', kind: 'image', content: '扫拖一体机器人产品图', image: 'robot-vacuum' },
      { title: '空气净化器产品图', kind: 'image', content: '空气净化器产品图', image: 'air-purifier' },
      {
        title: '扫地机器人详情页',
        kind: 'link',
        content: '激光导航 · 自动集尘 · 自动洗拖布',
        url: 'https://www.xinghe-demo.cn/products/robot-vacuum-x9',
        cardTitle: '星河 X9 扫拖一体机器人',
        image: 'robot-vacuum',
      },
      {
        title: '型号对比建议',
        kind: 'text',
        content:
          '两个型号的主要区别在续航和导航方式：基础款适合100平以内的户型，Pro款有激光导航和自动集尘，大户型更推荐Pro。',
      },
    ],
  },
  {
    group: '价格优惠',
    scripts: [
      {
        title: '全国包邮说明',
        kind: 'text',
        content: '我们全国包邮（偏远地区除外），下单后48小时内发货，默认顺丰快递，不用额外付运费。',
      },
      {
        title: '满减活动',
        kind: 'text',
        content: '本周店铺满1000减100、满2000减250，可以和新人券叠加使用，现在下单很划算。',
      },
      {
        title: '以旧换新',
        kind: 'text',
        content: '旧的扫地机、净化器都可以参加以旧换新，最高抵扣500元，不限品牌，上门回收不用您操心。',
      },
      {
        title: '分期免息',
        kind: 'text',
        content: '支持花呗和信用卡12期免息分期，每个月几十块钱就能用上，没有任何手续费。',
      },
      {
        title: '价格保护',
        kind: 'text',
        content: '我们有30天价格保护，购买后30天内如果官方降价，差价直接退给您，放心下单。',
      },
      {
        title: '企业团购报价',
        kind: 'text',
        content: '企业团购10台以上可以申请团购价，另外可以开增值税专用发票，您告诉我数量和型号，我马上给您报价。',
      },
      { title: '618活动海报', kind: 'image', content: '618大促活动海报', image: 'promo-poster' },
      {
        title: '会员优惠券领取',
        kind: 'link',
        content: '新会员领取200元优惠券礼包，全场通用',
        url: 'https://www.xinghe-demo.cn/coupons/new-member',
        cardTitle: '星河优选新会员200元礼包',
        image: 'promo-poster',
      },
    ],
  },
  {
    group: '物流售后',
    scripts: [
      {
        title: '发货时效',
        kind: 'text',
        content: '您的订单已经安排出库了，一般江浙沪次日达，其他地区2-3天送到，物流单号我稍后发给您。',
      },
      {
        title: '查询物流',
        kind: 'text',
        content: '我帮您查了一下，包裹目前在派送中，今天之内会送到，快递员会提前电话联系您。',
      },
      {
        title: '七天无理由退货',
        kind: 'text',
        content: '收货7天内支持无理由退货，15天内有质量问题可以换新，退货运费由我们承担，您在订单页点申请退货就可以。',
      },
      {
        title: '保修政策',
        kind: 'text',
        content: '全部产品整机保修2年，电池保修1年，保修期内非人为损坏免费维修，还提供一次免费上门服务。',
      },
      {
        title: '安装预约',
        kind: 'text',
        content: '智能门锁是免费上门安装的，签收后在小程序里预约时间，师傅会提前一天和您确认。',
      },
      {
        title: '故障排查步骤',
        kind: 'text',
        content:
          '麻烦您先试一下：1. 长按电源键10秒重启；2. 检查App是否最新版本；3. 重新配网。如果还不行，拍个视频发我，我帮您转给技术同事。',
      },
      { title: '收货开箱指南', kind: 'image', content: '开箱验货与安装指南', image: 'parcel-guide' },
      {
        title: '售后服务网点查询',
        kind: 'link',
        content: '输入所在城市，查询最近的售后服务网点',
        url: 'https://www.xinghe-demo.cn/service/stores',
        cardTitle: '星河优选售后网点查询',
        image: 'parcel-guide',
      },
    ],
  },
  {
    group: '促成下单',
    scripts: [
      {
        title: '库存紧张提醒',
        kind: 'text',
        content: '这款是目前最热销的颜色，库存只剩最后几台了，下一批要半个月后到，您考虑好的话建议早点下单。',
      },
      {
        title: '活动截止提醒',
        kind: 'text',
        content: '提醒您一下，这次的优惠活动今晚24点就结束了，明天会恢复原价，需要的话今天下单最划算。',
      },
      {
        title: '客户顾虑打消',
        kind: 'text',
        content: '理解您的顾虑，我们支持7天无理由退货和30天价保，买回去用着不满意可以直接退，没有任何风险。',
      },
      {
        title: '下单链接',
        kind: 'text',
        content: '这是您要的型号的专属下单链接，我已经帮您把优惠券绑定好了，直接付款就是最终优惠价。',
      },
      {
        title: '组合购推荐',
        kind: 'text',
        content: '很多客户会把扫地机器人和空气净化器一起买，组合购再减200元，家里清洁和空气一次搞定。',
      },
      {
        title: '爆款下单页',
        kind: 'link',
        content: '爆款智能手表限时特惠，下单即送表带',
        url: 'https://www.xinghe-demo.cn/deals/watch-s3',
        cardTitle: '星河智能手表S3 限时特惠',
        image: 'smart-watch',
      },
    ],
  },
  {
    group: '节日关怀',
    scripts: [
      {
        title: '春节祝福',
        kind: 'text',
        content: '新春快乐！感谢您一年来对星河优选的支持，祝您和家人新的一年身体健康、万事如意！',
      },
      {
        title: '中秋祝福',
        kind: 'text',
        content: '中秋快乐！月圆人团圆，祝您阖家幸福。节日期间正常发货，有需要随时联系我。',
      },
      {
        title: '生日祝福',
        kind: 'text',
        content: '生日快乐！为您准备了一张100元生日专属券，本月内有效，祝您天天开心～',
      },
      {
        title: '双十一预热',
        kind: 'text',
        content: '双十一预售已经开始啦，付定金可以享受全年最低价，我把您关注的型号优惠整理好了，需要的话发您看看。',
      },
      {
        title: '换季关怀',
        kind: 'text',
        content: '最近换季温差大，注意保暖哦。花粉季来了，空气净化器记得打开自动模式，滤芯如果用满半年建议更换。',
      },
      {
        title: '购买周年回访',
        kind: 'text',
        content: '您好，您购买产品已经满一年了，我们提供一次免费的清洁保养服务，需要的话我帮您预约。',
      },
    ],
  },
];
