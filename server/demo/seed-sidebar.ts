import type { FastifyInstance } from 'fastify';
import { DEMO_SCRIPT_LIBRARY, type DemoScript } from './script-library.js';
import { scriptImagePath } from './script-images.js';

const DAY_MS = 86_400_000;

/** Follow-up notes a rep might have written; `dueInDays` sets a reminder. */
const DEMO_NOTES: readonly { content: string; daysAgo: number; dueInDays?: number }[] = [
  { content: '电话沟通了需求，想给父母买智能手表，关注心率和跌倒提醒功能，预算1500左右。', daysAgo: 6 },
  { content: '已发送产品资料和报价，客户说周末和家人商量一下。', daysAgo: 4, dueInDays: 1 },
  { content: '客户反馈扫地机器人边角清洁不干净，已指导调整边刷，约好下周回访使用情况。', daysAgo: 3, dueInDays: 5 },
  { content: '企业团购意向：约20台空气净化器，需要增值税专票，等采购流程审批。', daysAgo: 2, dueInDays: 7 },
  { content: '客户对价格比较敏感，等双十一活动再下单，活动开始前提醒。', daysAgo: 1, dueInDays: 10 },
];

function scriptBody(groupId: number, order: number, s: DemoScript) {
  const base = { groupId, order, title: s.title, kind: s.kind, content: s.content };
  if (s.kind === 'image') return { ...base, payload: { url: scriptImagePath(s.image) } };
  if (s.kind === 'link') {
    return { ...base, payload: { url: s.url, title: s.cardTitle, desc: s.content, imgUrl: scriptImagePath(s.image) } };
  }
  return base;
}

/**
 * Demo data for the rep sidebar, safe to run on every start: the default stages; the script library when the corp
 * has none yet (so an admin's later edits are never undone); and a few follow-up notes on some of each rep's
 * customers (keyed, so they are written once). Needs the server listening: the customers come from WeCom (the
 * emulator).
 */
export async function seedSidebar(app: FastifyInstance, corpId = app.defaultCorp.corpId) {
  const { stages, scripts, timeline } = app.services;
  stages.list(corpId);

  let scriptCount = 0;
  if (scripts.groups(corpId).length === 0) {
    DEMO_SCRIPT_LIBRARY.forEach((group, groupOrder) => {
      const { id } = scripts.createGroup(corpId, { name: group.group, order: groupOrder });
      group.scripts.forEach((s, order) => {
        scripts.create(corpId, scriptBody(id, order, s));
        scriptCount += 1;
      });
    });
  }

  const api = app.wecom.api(corpId);
  const { follow_user: userIds } = await api.getFollowUserList();
  const now = Date.now();
  let notes = 0;
  for (const userId of userIds) {
    const { external_userid: customers } = await api.listExternalContacts(userId);
    customers.slice(0, 2).forEach((externalUserId, i) => {
      DEMO_NOTES.slice(i * 2, i * 2 + 3).forEach((note, n) => {
        const id = timeline.add({
          corpId,
          externalUserId,
          userId,
          kind: 'note',
          content: note.content,
          dueAt: note.dueInDays === undefined ? null : now + note.dueInDays * DAY_MS,
          sourceKey: `demo-note:${userId}:${externalUserId}:${n}`,
          occurredAt: now - note.daysAgo * DAY_MS,
        });
        if (id !== null) notes += 1;
      });
    });
  }
  return { scripts: scriptCount, notes };
}
