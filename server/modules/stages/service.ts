import { BadRequestError } from '../../errors.js';
import type { StageRepo, StageRow } from './repo.js';

/** Every corp starts with these; an admin may rename, reorder, add and remove stages. */
export const DEFAULT_STAGES = ['新客户', '跟进中', '已成交', '已流失'] as const;

export interface StageRef {
  stageId: number;
  name: string;
}

/** Sales stages (销售阶段) of a corp. */
export function createStageService(deps: { repo: StageRepo }) {
  function list(corpId: string): StageRow[] {
    const rows = deps.repo.list(corpId);
    if (rows.length > 0) return rows;
    deps.repo.insertMissing(corpId, DEFAULT_STAGES);
    return deps.repo.list(corpId);
  }

  const view = (rows: StageRow[]) => rows.map((s) => ({ stageId: s.stageId, name: s.name, order: s.order }));

  return {
    list: (corpId: string) => view(list(corpId)),

    /** A customer's stage: `stageId` null (or a stage since removed) means the first stage. */
    resolve(corpId: string, stageId: number | null): StageRef {
      const rows = list(corpId);
      const found = (stageId !== null && rows.find((s) => s.stageId === stageId)) || rows[0];
      if (!found) throw new Error(`corp ${corpId} has no stages`);
      return { stageId: found.stageId, name: found.name };
    },

    /** The stage with this id, or a 400 naming `field`. */
    require(corpId: string, stageId: number, field = 'stageId'): StageRef {
      const found = list(corpId).find((s) => s.stageId === stageId);
      if (!found) throw new BadRequestError('销售阶段不存在', field);
      return { stageId: found.stageId, name: found.name };
    },

    replace(corpId: string, next: { stageId?: number; name: string }[]) {
      const existing = new Set(list(corpId).map((s) => s.stageId));
      const names = new Set<string>();
      const ids = new Set<number>();
      next.forEach((s, i) => {
        const name = s.name.trim();
        if (!name) throw new BadRequestError('阶段名称不能为空', `stages.${i}.name`);
        if (names.has(name)) throw new BadRequestError(`阶段名称「${name}」重复`, `stages.${i}.name`);
        names.add(name);
        if (s.stageId !== undefined) {
          if (!existing.has(s.stageId) || ids.has(s.stageId)) {
            throw new BadRequestError('阶段不存在或重复', `stages.${i}.stageId`);
          }
          ids.add(s.stageId);
        }
      });
      deps.repo.replace(
        corpId,
        next.map((s) => ({ stageId: s.stageId, name: s.name.trim() })),
      );
      return view(deps.repo.list(corpId));
    },
  };
}
export type StageService = ReturnType<typeof createStageService>;
