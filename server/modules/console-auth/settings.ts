import type { CorpSettings, CorpSettingsPatch } from '../../../shared/schemas/console-users.js';
import type { Database } from '../../db/database.js';
import type { AuditContext } from './actor.js';
import type { ConsoleAuthRepo } from './repo.js';
import type { AuditService } from '../audit/service.js';

export const DEFAULT_SETTINGS = {
  sessionIdleMinutes: 120,
  lockoutThreshold: 5,
  lockoutMinutes: 15,
  unansweredWindowHours: 72,
} as const;

/** Settings are read on every console request: kept this long in memory, so a change reaches every instance soon. */
const CACHE_MS = 2_000;

const LABELS: Record<keyof CorpSettingsPatch, string> = {
  displayName: '显示名称',
  sessionIdleMinutes: '会话空闲超时（分钟）',
  lockoutThreshold: '锁定前允许的密码错误次数',
  lockoutMinutes: '锁定时长（分钟）',
  unansweredWindowHours: '未回复统计窗口（小时）',
};

/** The corp's console settings: what an admin sets, or the defaults. */
export function createSettingsService(deps: {
  db: Database;
  repo: ConsoleAuthRepo;
  audit: Pick<AuditService, 'record'>;
  corpName: (corpId: string) => string;
  timeZone: string;
  now: () => number;
}) {
  const cache = new Map<string, { at: number; value: CorpSettings }>();

  async function get(corpId: string): Promise<CorpSettings> {
    const hit = cache.get(corpId);
    // Real time, not the app's clock (tests move that one).
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const row = await deps.repo.findSettings(deps.db, corpId);
    const value: CorpSettings = {
      corpId,
      displayName: row?.displayName ?? deps.corpName(corpId),
      timeZone: deps.timeZone,
      sessionIdleMinutes: row?.sessionIdleMinutes ?? DEFAULT_SETTINGS.sessionIdleMinutes,
      lockoutThreshold: row?.lockoutThreshold ?? DEFAULT_SETTINGS.lockoutThreshold,
      lockoutMinutes: row?.lockoutMinutes ?? DEFAULT_SETTINGS.lockoutMinutes,
      unansweredWindowHours: row?.unansweredWindowHours ?? DEFAULT_SETTINGS.unansweredWindowHours,
    };
    cache.set(corpId, { at: Date.now(), value });
    return value;
  }

  return {
    get,

    async update(ctx: AuditContext, patch: CorpSettingsPatch): Promise<CorpSettings> {
      const corpId = ctx.actor.corpId;
      const before = await get(corpId);
      const after = { ...before, ...patch };
      const changes = (Object.keys(patch) as (keyof CorpSettingsPatch)[])
        .filter((k) => before[k] !== after[k])
        .map((k) => ({ field: k, label: LABELS[k], from: before[k], to: after[k] }));
      await deps.db.tx(async (tx) => {
        await deps.repo.saveSettings(tx, {
          corpId,
          displayName: patch.displayName ?? (await deps.repo.findSettings(tx, corpId))?.displayName ?? null,
          sessionIdleMinutes: after.sessionIdleMinutes,
          lockoutThreshold: after.lockoutThreshold,
          lockoutMinutes: after.lockoutMinutes,
          unansweredWindowHours: after.unansweredWindowHours,
        });
        await deps.audit.record(tx, ctx, {
          action: 'settings.update',
          targetType: 'settings',
          targetId: corpId,
          summary:
            changes.length === 0
              ? '保存企业设置（无变化）'
              : `修改企业设置：${changes.map((c) => `${c.label} ${String(c.from)} → ${String(c.to)}`).join('，')}`,
          detail: { changes },
        });
      });
      cache.delete(corpId);
      return get(corpId);
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
