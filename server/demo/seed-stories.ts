import type { FastifyInstance } from 'fastify';
import { createCustomerRepo } from '../modules/customers/repo.js';
import type { NewTimelineItem } from '../modules/timeline/repo.js';
import { WecomApiError } from '../wecom/errors.js';
import {
  addWayOf,
  DEMO_PERSONAS,
  initialTags,
  personaExternalUserId,
  type DemoPersona,
  type PersonaFollow,
} from './personas.js';

const HOUR_MS = 3_600_000;
/** Nothing of a story is dated later than this before the seeding (clock skew, a start just after midnight). */
const LATEST_MS_BEFORE_NOW = 60_000;

export interface StoriesSeeded {
  /** Customers whose story was written now (0 when every story was there already). */
  customers: number;
  notes: number;
  items: number;
}

/**
 * The product's side of each demo customer's story (server/demo/personas.ts), written once per customer: the add
 * (through a channel code: attributed to it, counted in its statistics, tagged with its tags, welcomed with its
 * message), then what the rep did, in time order — notes with reminders, tags, stage changes, remark and description
 * edits — and the customer's current stage. The customer's own `added` item marks the story as written, so a restart
 * writes nothing, and a story is never written over what a rep did in the demo since.
 *
 * WeCom (the emulator) already holds the end of each story (remarks, tags, `state`); the contact is synced from it
 * first. A persona WeCom does not know (an emulator state from an older version) is skipped.
 */
export async function seedStories(
  app: FastifyInstance,
  corpId = app.defaultCorp.corpId,
  now = Date.now(),
): Promise<StoriesSeeded> {
  const { contacts, directory, stages, tags, channels, welcome, timeline } = app.modules;
  // The demo seeder writes history with its own dates, which no service does: the repos, used here only.
  const channelRepo = channels.repo;
  const customerRepo = createCustomerRepo(app.db);

  const stageList = await stages.service.list(corpId);
  const stageByName = new Map(stageList.map((s) => [s.name, s]));
  const library = await tags.service.list(corpId);
  const tagIdByName = new Map(library.groups.flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)));
  const named = (names: string[]) =>
    names.flatMap((name) => {
      const tagId = tagIdByName.get(name);
      return tagId ? [{ tagId, name }] : [];
    });

  const done: StoriesSeeded = { customers: 0, notes: 0, items: 0 };
  for (const persona of DEMO_PERSONAS) {
    const externalUserId = personaExternalUserId(persona.key);
    let synced;
    try {
      synced = await contacts.service.syncContact(corpId, externalUserId);
    } catch (err) {
      if (err instanceof WecomApiError) continue; // not in this corp (40096), or no rep follows them any more
      throw err;
    }
    const addedAt = new Map(synced.followUsers.map((f) => [f.userid, (f.createtime ?? 0) * 1000]));
    const follows = persona.follows.filter((f) => addedAt.has(f.rep));
    if (follows.length === 0) continue;

    // What the story needs from the services, looked up before it is written (the story itself is plain data).
    const repNames = new Map<string, string>();
    const channelOf = new Map<string, { id: number; name: string }>();
    const welcomeOf = new Map<string, NonNullable<ReturnType<StoryContext['welcome']>>>();
    for (const f of follows) {
      repNames.set(f.rep, (await directory.service.findRep(corpId, f.rep))?.name ?? f.rep);
      const { state, addWay } = addWayOf(f);
      const channel = state ? await channels.service.findByState(corpId, state) : undefined;
      if (channel) channelOf.set(f.rep, channel);
      // An assigned customer (add_way 202) comes without a welcome code.
      const chosen =
        addWay === 202 ? null : await welcome.service.choose(corpId, channel?.id ?? null, addedAt.get(f.rep)!);
      if (chosen) {
        const vars = { customerName: synced.contact.name, repName: repNames.get(f.rep)! };
        welcomeOf.set(f.rep, { ...chosen, rendered: welcome.service.render(chosen.content, vars) });
      }
    }

    const items = storyItems(persona, follows, {
      customerName: synced.contact.name,
      addedAt: (f) => addedAt.get(f.rep)!,
      latest: now - LATEST_MS_BEFORE_NOW,
      repName: (userId) => repNames.get(userId) ?? userId,
      channel: (f) => channelOf.get(f.rep),
      welcome: (f) => welcomeOf.get(f.rep) ?? null,
      stages: { first: stageList[0], byName: stageByName },
      named,
    });

    const wrote = await app.db.tx(async (tx) => {
      const [first, ...rest] = items;
      if (!first || (await timeline.repo.add(tx, { corpId, externalUserId, ...first.item })) === null) return null;
      for (const { item, movement } of [first, ...rest]) {
        if (item !== first.item) await timeline.repo.add(tx, { corpId, externalUserId, ...item });
        if (movement) {
          await channelRepo.setFollowChannel(tx, corpId, movement.userId, externalUserId, movement.channelId);
          await channelRepo.recordMovement(tx, {
            corpId,
            externalUserId,
            userId: movement.userId,
            channelId: movement.channelId,
            kind: 'add',
            at: item.occurredAt,
            sourceKey: item.sourceKey!,
          });
        }
      }
      const stage = items.findLast((i) => i.stageId !== undefined);
      if (stage) await customerRepo.setStage(tx, corpId, externalUserId, stage.stageId!, stage.item.occurredAt);
      return items;
    });
    if (!wrote) continue;
    done.customers += 1;
    done.items += wrote.length;
    done.notes += wrote.filter((i) => i.item.kind === 'note').length;
  }
  return done;
}

type StoryItem = {
  item: Omit<NewTimelineItem, 'corpId' | 'externalUserId'>;
  /** The add came through this channel code: attribute the follow, count the add. */
  movement?: { userId: string; channelId: number };
  /** The customer's stage from this item on. */
  stageId?: number;
};

interface StoryContext {
  customerName: string;
  addedAt: (follow: PersonaFollow) => number;
  latest: number;
  repName: (userId: string) => string;
  channel: (follow: PersonaFollow) => { id: number; name: string } | undefined;
  /** The welcome message this follow's add got, rendered, or null (none, or an assigned customer). */
  welcome: (follow: PersonaFollow) => {
    source: string;
    variant: number | null;
    rendered: { text: string; attachments: unknown[] };
  } | null;
  stages: {
    first: { stageId: number; name: string } | undefined;
    byName: Map<string, { stageId: number; name: string }>;
  };
  named: (names: string[]) => { tagId: string; name: string }[];
}

/** Every timeline item of the persona's story, oldest first: the customer's `added` item is the first. */
function storyItems(persona: DemoPersona, follows: PersonaFollow[], ctx: StoryContext): StoryItem[] {
  const dated: { at: number; order: number; build: () => StoryItem[] }[] = [];
  let order = 0;
  const at = (ms: number) => Math.min(ms, ctx.latest);
  let stage = ctx.stages.first;

  for (const follow of follows) {
    const userId = follow.rep;
    const t0 = ctx.addedAt(follow);
    const key = `demo-story:${persona.key}:${userId}`;
    const channel = ctx.channel(follow);
    const { state } = addWayOf(follow);
    const base = { userId };

    dated.push({
      at: at(t0),
      order: order++,
      build: () => {
        const out: StoryItem[] = [
          {
            item: {
              ...base,
              kind: 'added',
              content: channel ? `通过渠道活码「${channel.name}」添加` : '添加为客户（未经渠道活码）',
              payload: {
                channelId: channel?.id ?? null,
                state,
                unknownState: false,
                changeType: 'add_external_contact',
              },
              sourceKey: `${key}:added`,
              occurredAt: at(t0),
            },
            movement: channel ? { userId, channelId: channel.id } : undefined,
          },
        ];
        const channelTags = channel ? ctx.named(initialTags(follow)) : [];
        if (channelTags.length > 0) {
          out.push({
            item: {
              ...base,
              kind: 'tagged',
              content: `已打标签：${channelTags.map((t) => t.name).join('、')}`,
              payload: { tagIds: channelTags.map((t) => t.tagId), skippedTagIds: [] },
              sourceKey: `${key}:tagged`,
              occurredAt: at(t0 + 2_000),
            },
          });
        }
        const chosen = ctx.welcome(follow);
        if (chosen) {
          out.push({
            item: {
              ...base,
              kind: 'welcome_sent',
              content: `已发送欢迎语：${chosen.rendered.text}`,
              payload: {
                source: chosen.source,
                variant: chosen.variant,
                attachments: chosen.rendered.attachments.length,
                omitted: [],
              },
              sourceKey: `${key}:welcome`,
              occurredAt: at(t0 + 3_000),
            },
          });
        }
        return out;
      },
    });

    let remark = follow.remark;
    let description = follow.description ?? '';
    follow.steps.forEach((step, i) => {
      const when = at(t0 + step.h * HOUR_MS);
      const item = { ...base, occurredAt: when, sourceKey: `${key}:${i}` };
      if ('note' in step) {
        dated.push({
          at: when,
          order: order++,
          build: () => [
            {
              item: {
                ...item,
                kind: 'note',
                content: step.note,
                dueAt: step.dueAfterH === undefined ? null : when + step.dueAfterH * HOUR_MS,
                sourceKey: `demo-note:${persona.key}:${userId}:${i}`,
              },
            },
          ],
        });
      } else if ('tags' in step) {
        const added = ctx.named(step.tags.add ?? []);
        const removed = ctx.named(step.tags.remove ?? []);
        dated.push({
          at: when,
          order: order++,
          build: () => [
            ...(added.length > 0
              ? [
                  {
                    item: {
                      ...item,
                      kind: 'tagged' as const,
                      content: `添加标签：${added.map((t) => t.name).join('、')}`,
                      payload: { tags: added },
                      sourceKey: `${key}:${i}:add`,
                    },
                  },
                ]
              : []),
            ...(removed.length > 0
              ? [
                  {
                    item: {
                      ...item,
                      kind: 'untagged' as const,
                      content: `移除标签：${removed.map((t) => t.name).join('、')}`,
                      payload: { tags: removed },
                      sourceKey: `${key}:${i}:remove`,
                    },
                  },
                ]
              : []),
          ],
        });
      } else if ('stage' in step) {
        dated.push({
          at: when,
          order: order++,
          // Stages change on the customer, whoever changes them: resolved in time order across the follows.
          build: () => {
            const to = ctx.stages.byName.get(step.stage);
            const from = stage;
            if (!to || !from || to.stageId === from.stageId) return [];
            stage = to;
            return [
              {
                item: {
                  ...item,
                  kind: 'stage_changed',
                  content: `销售阶段：${from.name} → ${to.name}`,
                  payload: {
                    from: { stageId: from.stageId, name: from.name },
                    to: { stageId: to.stageId, name: to.name },
                  },
                },
                stageId: to.stageId,
              },
            ];
          },
        });
      } else if ('remark' in step) {
        const change = { from: remark, to: step.remark };
        remark = step.remark;
        dated.push({
          at: when,
          order: order++,
          build: () => [
            {
              item: {
                ...item,
                kind: 'remark_changed',
                content: `备注改为「${change.to}」`,
                payload: { remark: change },
              },
            },
          ],
        });
      } else {
        const change = { from: description, to: step.description };
        description = step.description;
        dated.push({
          at: when,
          order: order++,
          build: () => [
            {
              item: {
                ...item,
                kind: 'remark_changed',
                content: change.to ? `描述改为「${change.to}」` : '清除了描述',
                payload: { description: change },
              },
            },
          ],
        });
      }
    });
  }

  // The first follow's add is the oldest item, so the story's first item is the customer's `added` item.
  return dated.sort((a, b) => a.at - b.at || a.order - b.order).flatMap((d) => d.build());
}
