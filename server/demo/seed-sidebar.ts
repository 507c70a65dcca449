import type { FastifyInstance } from 'fastify';
import { DEMO_SCRIPT_LIBRARY, type DemoScript } from './script-library.js';
import { scriptImagePath } from './script-images.js';
import { DEMO_SUGGEST_HISTORY } from './suggest-history.js';
import { seedAutomations } from './seed-automations.js';
import { seedChannels } from './seed-channels.js';
import { seedChats } from './seed-chats.js';
import { seedStories } from './seed-stories.js';

function scriptBody(groupId: number, order: number, s: DemoScript) {
  const base = { groupId, order, title: s.title, kind: s.kind, content: s.content };
  if (s.kind === 'image') return { ...base, payload: { url: scriptImagePath(s.image) } };
  if (s.kind === 'link') {
    return { ...base, payload: { url: s.url, title: s.cardTitle, desc: s.content, imgUrl: scriptImagePath(s.image) } };
  }
  return base;
}

/** The script library, when the corp has none yet (so an admin's later edits are never undone). */
async function seedScriptLibrary(app: FastifyInstance, corpId: string): Promise<number> {
  const scripts = app.modules.scripts.service;
  if ((await scripts.groups(corpId)).length > 0) return 0;
  let count = 0;
  for (const [groupOrder, group] of DEMO_SCRIPT_LIBRARY.entries()) {
    const { id } = await scripts.createGroup(corpId, { name: group.group, order: groupOrder });
    for (const [order, s] of group.scripts.entries()) {
      await scripts.create(corpId, scriptBody(id, order, s));
      count += 1;
    }
  }
  return count;
}

/**
 * What the demo's reps taught the suggestions in the past (suggest-history.ts), once: the demo suggests well from the
 * first message. Scripts an admin deleted since are skipped.
 */
async function seedSuggestionHistory(app: FastifyInstance, corpId: string): Promise<number> {
  const { suggest } = app.modules;
  const ids = new Map((await suggest.repo.liveScripts(app.db, corpId)).map((r) => [r.script.title, r.script.id]));
  const day = 86_400_000;
  const now = Date.now();
  const pairs = DEMO_SUGGEST_HISTORY.flatMap((h, i) => {
    const scriptId = ids.get(h.script);
    // Spread over the day so that no two sends share a moment.
    return scriptId === undefined
      ? []
      : [{ message: h.message, scriptId, at: now - h.daysAgo * day - (i % 24) * 3_600_000, sourceKey: `demo:${i}` }];
  });
  return suggest.service.seedLearned(corpId, pairs);
}

/**
 * Demo data for the rep sidebar, safe to run on every start: the default stages, the script library, and each demo
 * customer's story (their channel code first, so the story can name it). Needs the server listening: the customers
 * come from WeCom (the emulator).
 */
export async function seedSidebar(app: FastifyInstance, corpId = app.defaultCorp.corpId) {
  await app.modules.stages.service.list(corpId);
  const scripts = await seedScriptLibrary(app, corpId);
  await seedSuggestionHistory(app, corpId);
  await seedChannels(app, corpId);
  const stories = await seedStories(app, corpId);
  return { scripts, notes: stories.notes };
}

/** Everything the demo seeds, in order, with what was added this time (all zero on a database seeded before). */
export async function seedDemo(app: FastifyInstance, corpId = app.defaultCorp.corpId) {
  await app.modules.stages.service.list(corpId);
  const scripts = await seedScriptLibrary(app, corpId);
  await seedSuggestionHistory(app, corpId);
  const { channels } = await seedChannels(app, corpId);
  const stories = await seedStories(app, corpId);
  // The customers' chats, through the emulator's archive and the real puller (the follows exist by now).
  const chats = await seedChats(app, corpId);
  // Group robots per department, the rules switched on, a few tasks for the demo customers (after the stories).
  const { robots } = await seedAutomations(app, corpId);
  return {
    channels,
    scripts,
    customers: stories.customers,
    timelineItems: stories.items,
    chatMessages: chats.messages,
    robots,
  };
}
