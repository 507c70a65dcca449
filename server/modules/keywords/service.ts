import type { Database, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { MessageDirection } from '../../db/schema/messages.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { compileRule, matchRule, patternProblem, type MatchSubject } from './matcher.js';
import type { KeywordRepo, KeywordRuleRow } from './repo.js';

/** A stored message as rules see it. */
export interface StoredForMatch extends MatchSubject {
  id: number;
  userId: string | null;
  externalUserId: string | null;
  sentAt: number;
}

export interface RuleInput {
  name?: string;
  words?: string[];
  patterns?: string[];
  direction?: 'customer' | 'rep' | 'both';
  scope?: 'single' | 'group' | 'both';
  enabled?: boolean;
}

/** The demo's rules: what a rep must not say, and what a manager wants to hear from a customer at once. */
export const DEMO_KEYWORD_RULES = [
  { name: '员工违规用语', words: ['转账', '私下', '加我微信'], direction: 'rep', scope: 'both' },
  { name: '客户投诉风险', words: ['投诉', '退款', '12315'], direction: 'customer', scope: 'both' },
] as const;

const clean = (list: string[]) => [...new Set(list.map((w) => w.trim()).filter(Boolean))];

/** Keyword rules (敏感词): managed by the admin, matched against every stored message inside its transaction. */
export function createKeywordService(deps: { db: Database; repo: KeywordRepo; now: () => number }) {
  const { db, repo } = deps;

  function view(r: KeywordRuleRow) {
    return {
      id: r.id,
      name: r.name,
      words: r.words,
      patterns: r.patterns,
      direction: r.direction,
      scope: r.scope,
      enabled: r.enabled,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  function checked(input: RuleInput): RuleInput {
    const out = { ...input };
    if (input.name !== undefined) {
      out.name = input.name.trim();
      if (!out.name) throw new BadRequestError('规则名称不能为空', 'name');
    }
    if (input.words) out.words = clean(input.words);
    if (input.patterns) {
      out.patterns = clean(input.patterns);
      for (const p of out.patterns) {
        const problem = patternProblem(p);
        if (problem) throw new BadRequestError(problem, 'patterns');
      }
    }
    return out;
  }

  async function write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err, 'keyword_rules_corp_name')) throw new ConflictError('规则名称已存在');
      throw err;
    }
  }

  async function create(corpId: string, input: RuleInput) {
    const r = checked(input);
    if ((r.words ?? []).length + (r.patterns ?? []).length === 0)
      throw new BadRequestError('至少填写一个敏感词或正则表达式', 'words');
    const at = deps.now();
    const id = await write(() =>
      repo.insertRule(db, {
        corpId,
        name: r.name!,
        words: r.words ?? [],
        patterns: r.patterns ?? [],
        direction: r.direction ?? 'both',
        scope: r.scope ?? 'both',
        enabled: r.enabled ?? true,
        createdAt: at,
        updatedAt: at,
      }),
    );
    return view((await repo.rule(db, corpId, id))!);
  }

  return {
    async list(corpId: string) {
      return (await repo.rules(db, corpId)).map(view);
    },

    create,

    async update(corpId: string, id: number, input: RuleInput) {
      const r = checked(input);
      const updated = await write(() =>
        db.tx(async (tx) => {
          const current = await repo.rule(tx, corpId, id);
          if (!current) return null;
          const words = r.words ?? current.words;
          const patterns = r.patterns ?? current.patterns;
          if (words.length + patterns.length === 0)
            throw new BadRequestError('至少填写一个敏感词或正则表达式', 'words');
          await repo.updateRule(tx, corpId, id, { ...r, words, patterns, updatedAt: deps.now() });
          return repo.rule(tx, corpId, id);
        }),
      );
      if (!updated) throw new NotFoundError('规则不存在');
      return view(updated);
    },

    async remove(corpId: string, id: number): Promise<void> {
      if (!(await repo.deleteRule(db, corpId, id))) throw new NotFoundError('规则不存在');
    },

    /** The demo's rules, once (a corp that has rules keeps its own). */
    async seedDemo(corpId: string): Promise<number> {
      if ((await repo.rules(db, corpId)).length > 0) return 0;
      for (const rule of DEMO_KEYWORD_RULES) {
        await create(corpId, { ...rule, words: [...rule.words] });
      }
      return DEMO_KEYWORD_RULES.length;
    },

    /**
     * Matches messages against the corp's enabled rules and records an alert per hit, in the caller's transaction
     * (the one that stores the messages). Returns how many alerts are new.
     */
    async matchAndRecord(ex: Executor, corpId: string, stored: StoredForMatch[], at: number): Promise<number> {
      const candidates = stored.filter((m) => m.direction !== 'internal' && m.text);
      if (candidates.length === 0) return 0;
      const rules = (await repo.enabledRules(ex, corpId)).map(compileRule);
      if (rules.length === 0) return 0;
      const alerts = [];
      for (const m of candidates) {
        const lower = m.text.toLowerCase();
        for (const rule of rules) {
          const matched = matchRule(rule, m, lower);
          if (matched === null) continue;
          alerts.push({
            corpId,
            ruleId: rule.id,
            messageId: m.id,
            userId: m.userId,
            externalUserId: m.externalUserId,
            matched,
            direction: m.direction as MessageDirection,
            sentAt: m.sentAt,
            createdAt: at,
          });
        }
      }
      return repo.insertAlerts(ex, alerts);
    },

    async alerts(
      corpId: string,
      q: { ruleId?: number; userId?: string; externalUserId?: string; cursor?: string; limit?: number },
    ) {
      const limit = q.limit ?? 20;
      const before = q.cursor ? decodeCursor(q.cursor).id : undefined;
      const rows = await repo.alerts(db, corpId, { ...q, before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const names = await repo.ruleNames(db, [...new Set(page.map((r) => r.ruleId))]);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({ ...r, ruleName: names.get(r.ruleId) ?? `规则 ${r.ruleId}（已删除）` })),
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.createdAt, id: last.id }) : null,
      };
    },
  };
}
export type KeywordService = ReturnType<typeof createKeywordService>;
