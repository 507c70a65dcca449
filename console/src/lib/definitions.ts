/**
 * How each figure is counted, in the words the console shows in its tooltips: the definitions of
 * shared/schemas/console-dashboards.ts, for a manager.
 */
export const DEFINITIONS = {
  day: '按企业所在时区（{zone}）的自然日统计；历史日期来自每晚汇总（之后几天内会随迟到的回复和留存窗口结束而重算），今天为实时计算（几十秒内的计算结果由各页面共用，页面上写明截至时间）。',
  customersTotal:
    '期末仍保持好友关系的客户数（客户与员工的跟进关系：同一客户添加了两名员工，计为两个）。范围包含今天时为当前数。',
  newCustomers: '期间内新增的跟进关系数。客户删除员工后再次添加，当天再计一次新增。',
  lostCustomers: '期间内结束的跟进关系数：客户删除员工，或员工删除客户。在职继承（转给其他员工）不计为流失。',
  netCustomers: '净增 = 新增 − 流失。',
  retention7:
    '7 日留存率：期间内新增、且已满 7 天的客户中，7 天内没有流失的比例。括号内为 留存数 / 满 7 天的新增数；没有这样的客户时显示 —。',
  retention30:
    '30 日留存率：期间内新增、且已满 30 天的客户中，30 天内没有流失的比例。括号内为 留存数 / 满 30 天的新增数。',
  lossReasons: '流失原因：客户删除员工，或员工删除客户。',
  byChannel: '按客户添加时扫描的渠道活码统计；未经渠道活码添加的客户归入「无渠道」。',
  department: '员工的数据计入其主部门（企业微信列出的第一个部门），以当天所在部门为准：调岗后的历史数据仍留在原部门。',
  conversations:
    '每天有消息往来的单聊会话数，按天累加（同一会话在 3 天有消息计 3 次，与企业微信“聊天数”口径一致；来自会话内容存档）。',
  messagesSent: '员工在单聊中发给客户的消息数。',
  customerMessages: '客户在单聊中发给员工的消息数。',
  questions: '提问：客户发出、且此前最后一条消息不是客户的消息——客户开始等待回复。',
  answered: '已回复的提问数：之后员工在该会话中发了消息。',
  firstReplyMedian:
    '首次回复时长中位数：提问到员工下一条消息之间的时长，只计工作时间（企业的工作时间与节假日）。未回复的提问不计入。',
  firstReplyP90: '首次回复时长的第 90 百分位：90% 的提问在这个时长内得到回复。只计工作时间。',
  replyWithin3m:
    '3 分钟回复率：工作时间内提出的问题中，3 分钟内得到回复的比例。括号内为 3 分钟内回复数 / 工作时间内提问数。',
  unansweredNow:
    '当前未回复：最后一条消息是客户发的、且在企业设置的未回复时间窗口内的会话数（当前值，与日期范围无关）。',
  scriptsSent: '员工从侧边栏话术库发送的话术数。',
  suggestions: '侧边栏的回复建议：展示次数，原样发送、修改后发送、忽略的次数。',
  notesWritten: '员工在侧边栏写的跟进笔记数。',
  overdueReminders: '跟进日期已过、员工还没有处理的笔记数（当前值）。',
  overdueTasks: '到期（或稍后提醒时间已到）仍未完成的任务数，如添加后第 1/3/7 天跟进、久未联系、生日（当前值）。',
  wecom:
    '企业微信自己的「联系客户统计」（get_user_behavior_data），每晚按员工拉取，与本系统的统计口径不同：例如它的回复时长是以分钟计的平均值。未拉取时显示 —。',
  wecomReplyPercentage: '企业微信口径：已回复聊天占比（按聊天数加权）。',
  wecomAvgReply: '企业微信口径：平均首次回复时长（分钟，按聊天数加权）。',
  channelAdds: '通过该渠道活码添加的客户数（扫码后成为客户）。',
  channelLost7: '7 日流失率：期间内经该渠道新增、且已满 7 天的客户中，7 天内流失的比例。',
  channelLost30: '30 日流失率：期间内经该渠道新增、且已满 30 天的客户中，30 天内流失的比例。',
  welcomeSent: '已发送欢迎语的新增客户数。',
  welcomeMissed: '没有收到欢迎语的新增客户数（未配置欢迎语、超过发送时限、企业微信拒绝等）。',
  channelTags: '期间内经该渠道新增、且仍为好友的客户，现在带有的标签及人数。',
} as const;

export type DefinitionKey = keyof typeof DEFINITIONS;
