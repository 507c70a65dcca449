import { Compile } from 'typebox/compile';
import { RULE_NAMES, RuleConfigs, ruleKinds, type RuleKind } from '../../../shared/schemas/automations.js';
import type { RuleRecipients } from '../../db/schema/automations.js';
import { BadRequestError } from '../../errors.js';

/** Words a customer says that need no answer: such a message alone does not start the reply clock. */
export const DEFAULT_IGNORE_WORDS = [
  '好的',
  '好',
  '好滴',
  '好嘞',
  '嗯',
  '嗯嗯',
  '哦',
  '噢',
  '哦哦',
  '行',
  '可以',
  '收到',
  '知道了',
  '明白',
  '了解',
  '谢谢',
  '谢谢你',
  '多谢',
  '感谢',
  '辛苦了',
  'ok',
  'okay',
  '好的谢谢',
  '👌',
  '👍',
  '🙏',
  '[OK]',
  '[强]',
  '[抱拳]',
  '[握手]',
  '[微笑]',
  '[玫瑰]',
];

const recipients = (r: Partial<RuleRecipients>): RuleRecipients => ({
  rep: false,
  managers: false,
  departmentRobot: false,
  robotIds: [],
  userIds: [],
  ...r,
});

/** What a corp's rules are until a manager changes them; every rule starts switched off. */
export const RULE_DEFAULTS: { [K in RuleKind]: { recipients: RuleRecipients; config: RuleConfigsOf[K] } } = {
  unreplied: {
    recipients: recipients({ rep: true, managers: true }),
    config: {
      nudgeAfterMinutes: 30,
      escalateAfterMinutes: 60,
      ignoreWords: DEFAULT_IGNORE_WORDS,
      staleAfterMinutes: 60,
    },
  },
  loss: { recipients: recipients({ departmentRobot: true }), config: { lastMessages: 3 } },
  keyword: { recipients: recipients({ departmentRobot: true }), config: {} },
  note_due: { recipients: recipients({ rep: true }), config: {} },
  lifecycle: {
    recipients: recipients({ rep: true }),
    config: {
      time: '09:30',
      steps: [
        {
          day: 1,
          title: '首日回访',
          script: '{客户昵称}您好，我是{员工姓名}，昨天刚加上您，想了解下您最关心哪方面？我帮您对照着介绍～',
        },
        {
          day: 3,
          title: '第 3 天跟进',
          script: '{客户昵称}，前两天给您介绍的内容考虑得怎么样了？有任何疑问随时问我，我都在。',
        },
        {
          day: 7,
          title: '第 7 天回访',
          script: '{客户昵称}您好，认识一周啦～这周有新的优惠活动，需要的话我把详情发您看看？',
        },
      ],
    },
  },
  inactivity: {
    recipients: recipients({ rep: true }),
    config: {
      days: 14,
      time: '10:00',
      title: '沉默客户唤醒',
      script: '{客户昵称}，好久没联系啦，最近还顺利吗？有新品和活动想跟您分享一下～',
    },
  },
  birthday: {
    recipients: recipients({ rep: true }),
    config: {
      time: '09:00',
      title: '客户生日祝福',
      script: '{客户昵称}，生日快乐！🎂 祝您新的一岁万事顺意，开心每一天～',
    },
  },
  repeat_purchase: {
    recipients: recipients({ rep: true }),
    config: {
      tagId: null,
      title: '复购感谢',
      script: '{客户昵称}，感谢您再次选择我们！收到货有任何问题随时找我，后续有老客专属福利我第一时间告诉您～',
    },
  },
  digest: { recipients: recipients({ departmentRobot: true }), config: { time: '09:00', usefulUntil: '18:00' } },
  off_hours: {
    recipients: recipients({ rep: true }),
    config: { script: '您好，现在是非工作时间，您的消息已收到，我会在上班后第一时间回复您～' },
  },
};
type RuleConfigsOf = RuleConfigs;

const validators = Object.fromEntries(ruleKinds.map((k) => [k, Compile(RuleConfigs[k])])) as Record<
  RuleKind,
  ReturnType<typeof Compile>
>;

/** A rule's settings as stored, completed with the defaults of settings added since (older rows lack them). */
export function configOf<K extends RuleKind>(kind: K, stored: Record<string, unknown>): RuleConfigs[K] {
  return { ...RULE_DEFAULTS[kind].config, ...stored } as RuleConfigs[K];
}

/** The settings after a change, checked whole (the route checked the parts). */
export function mergeConfig(kind: RuleKind, stored: Record<string, unknown>, patch: Record<string, unknown>) {
  const merged = { ...configOf(kind, stored), ...patch };
  const validator = validators[kind];
  if (!validator.Check(merged)) {
    const first = [...validator.Errors(merged)][0];
    throw new BadRequestError(`规则设置无效：${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(), 'config');
  }
  if (kind === 'digest') {
    const { time, usefulUntil } = merged as RuleConfigs['digest'];
    if (usefulUntil <= time) throw new BadRequestError('补发截止时间应晚于日报发送时间', 'config.usefulUntil');
  }
  if (kind === 'lifecycle') {
    const days = (merged as RuleConfigs['lifecycle']).steps.map((s) => s.day);
    if (new Set(days).size !== days.length) throw new BadRequestError('同一天只能有一个跟进任务', 'config.steps');
  }
  return merged;
}

export const ruleName = (kind: RuleKind) => RULE_NAMES[kind];

/** Minutes since midnight of `HH:MM`. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
