import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CHANNELS } from '../../../server/demo/channels.js';
import {
  DEMO_PERSONAS,
  followAddedAt,
  followOutcome,
  personaExternalUserId,
  type StoryStep,
} from '../../../server/demo/personas.js';
import { DEMO_SCRIPT_LIBRARY } from '../../../server/demo/script-library.js';
import { DEFAULT_STAGES } from '../../../server/modules/stages/service.js';
import { buildEmulatorApp, BASE_MS, type TestEmulator } from './helpers.js';

/** Words that name each product the demo sells (the script library's products), as reps write them. */
const PRODUCT_WORDS: Record<string, RegExp> = {
  智能手表: /手表|表带|表盘|S3/,
  无线耳机: /耳机/,
  扫地机器人: /扫地机|扫拖|X9|边刷|集尘/,
  空气净化器: /净化器|滤芯|除甲醛|过敏原/,
  智能门锁: /门锁|锁体/,
};

const notesOf = (steps: StoryStep[]) => steps.flatMap((s) => ('note' in s ? [s.note] : []));

describe('the demo corp: one coherent story per customer', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await buildEmulatorApp();
  });
  afterEach(() => t.close());

  const seeded = () => {
    const s = t.emulator.snapshot();
    const tagGroup = new Map(s.tagGroups.flatMap((g) => g.tag.map((x) => [x.name, g.group_name] as const)));
    return { s, tagGroup };
  };

  it('sells what the script library sells, and no tag group repeats the sales stages', () => {
    const { s } = seeded();
    const products = s.tagGroups.find((g) => g.group_name === '意向产品')!.tag.map((x) => x.name);
    expect(products.sort()).toEqual(Object.keys(PRODUCT_WORDS).sort());
    const scriptTitles = DEMO_SCRIPT_LIBRARY.flatMap((g) => g.scripts.map((x) => x.title)).join(' ');
    for (const product of products) expect(scriptTitles).toContain(product);

    const tagNames = s.tagGroups.flatMap((g) => g.tag.map((x) => x.name));
    for (const stage of DEFAULT_STAGES) expect(tagNames).not.toContain(stage);
    for (const stageLike of ['待跟进', '已报价', '跟进中', '已成交', '已流失'])
      expect(tagNames).not.toContain(stageLike);
    expect(s.tagGroups.map((g) => g.group_name)).not.toContain('跟进状态');
  });

  it('seeds exactly the personas, with ids that stay the same, over every rep', () => {
    const { s } = seeded();
    expect(s.customers.map((c) => c.external_userid).sort()).toEqual(
      DEMO_PERSONAS.map((p) => personaExternalUserId(p.key)).sort(),
    );
    for (const rep of s.reps) {
      expect(s.customers.some((c) => c.follow_user.some((f) => f.userid === rep.userid))).toBe(true);
    }
    expect(new Set(DEMO_PERSONAS.map((p) => p.name)).size).toBe(DEMO_PERSONAS.length);
  });

  it('tags each follow consistently: one level, a product, a purpose; a channel’s own tags and source', () => {
    const { s, tagGroup } = seeded();
    for (const persona of DEMO_PERSONAS) {
      const customer = s.customers.find((c) => c.external_userid === personaExternalUserId(persona.key))!;
      for (const follow of persona.follows) {
        const wecom = customer.follow_user.find((f) => f.userid === follow.rep)!;
        const names = wecom.tags.map((x) => x.tag_name);
        expect(names.sort(), persona.key).toEqual(followOutcome(follow).tags.sort());
        const inGroup = (group: string) => names.filter((n) => tagGroup.get(n) === group);
        expect(inGroup('客户等级'), `${persona.key}: one level`).toHaveLength(1);
        expect(inGroup('意向产品').length, `${persona.key}: a product`).toBeGreaterThan(0);
        expect(inGroup('购买用途').length, `${persona.key}: a purpose`).toBeGreaterThan(0);
        if ('channel' in follow.via) {
          const channel = DEMO_CHANNELS.find((c) => c.key === (follow.via as { channel: string }).channel)!;
          expect(wecom.state).toBe(channel.state);
          expect(wecom.add_way).toBe(1);
          expect([...channel.reps, ...(channel.backupReps ?? [])], persona.key).toContain(follow.rep);
          const source = channel.tags.find((n) => tagGroup.get(n) === '客户来源')!;
          expect(names, persona.key).toContain(source);
        } else {
          expect(wecom.state ?? '').toBe('');
        }
      }
    }
  });

  it('writes notes about what the customer is tagged with, and never the same note twice', () => {
    const seen = new Set<string>();
    for (const persona of DEMO_PERSONAS) {
      const tagged = new Set(persona.follows.flatMap((f) => followOutcome(f).tags));
      const texts = persona.follows.flatMap((f) => [
        ...notesOf(f.steps),
        followOutcome(f).remark,
        followOutcome(f).description,
      ]);
      for (const [product, words] of Object.entries(PRODUCT_WORDS)) {
        if (texts.some((text) => words.test(text)))
          expect([...tagged], `${persona.key} mentions ${product}`).toContain(product);
      }
      expect(
        persona.follows.some((f) => notesOf(f.steps).length > 0),
        persona.key,
      ).toBe(true);
      for (const note of persona.follows.flatMap((f) => notesOf(f.steps))) {
        expect(seen.has(note), note).toBe(false);
        seen.add(note);
      }
    }
  });

  it('tells each story in time order, all of it in the past whatever the time of day, with a stage that fits', () => {
    // The worst moment: just after midnight (Asia/Shanghai), when "N days ago at HH:MM" is closest to now.
    const midnight = Date.UTC(2025, 2, 13, 16, 0, 1); // 2025-03-14 00:00:01 +08:00
    for (const persona of DEMO_PERSONAS) {
      let lastStage: string | undefined;
      let lastAt = -Infinity;
      for (const follow of persona.follows) {
        const hours = follow.steps.map((st) => st.h);
        expect(hours, persona.key).toEqual([...hours].sort((a, b) => a - b));
        const added = followAddedAt(follow, midnight) * 1000;
        for (const step of follow.steps) {
          expect(added + step.h * 3_600_000, `${persona.key} h=${step.h}`).toBeLessThan(midnight);
          if ('stage' in step && added + step.h * 3_600_000 > lastAt) {
            lastStage = step.stage;
            lastAt = added + step.h * 3_600_000;
          }
        }
        expect(followAddedAt(follow, BASE_MS)).toBeGreaterThan(BASE_MS / 1000 - 90 * 86_400);
      }
      const levels = persona.follows.flatMap((f) => followOutcome(f).tags).filter((n) => /客户$/.test(n));
      if (lastStage === '已成交')
        expect(
          levels.some((l) => l === '普通客户' || l === '重要客户'),
          persona.key,
        ).toBe(true);
      if (lastStage === undefined || lastStage === '新客户' || lastStage === '跟进中') {
        expect(levels.includes('普通客户'), `${persona.key} has not bought`).toBe(false);
      }
    }
  });
});
