import type { Database, Executor } from '../../db/database.js';
import { BadRequestError } from '../../errors.js';
import type { StageRepo, StageRow } from './repo.js';

/** Every corp starts with these; an admin may rename, reorder, add and remove stages. */
export const DEFAULT_STAGES = ['新客户', '跟进中', '已成交', '已流失'] as const;

export interface StageRef {
  stageId: number;
  name: string;
}

/** Sales stages (销售阶段) of a corp. */
export function createStageService(deps: { db: Database; repo: StageRepo }) {
  const { db, repo } = deps;

  async function list(ex: Executor, corpId: string): Promise<StageRow[]> {
    const rows = await repo.list(ex, corpId);
    if (rows.length > 0) return rows;
    await repo.insertMissing(ex, corpId, DEFAULT_STAGES);
    return repo.list(ex, corpId);
  }

  const view = (rows: StageRow[]) => rows.map((s) => ({ stageId: s.stageId, name: s.name, order: s.order }));

  return {
    list: async (corpId: string) => view(await list(db, corpId)),

    /** A customer's stage: `stageId` null (or a stage since removed) means the first stage. */
    async resolve(corpId: string, stageId: number | null): Promise<StageRef> {
      const rows = await list(db, corpId);
      const found = (stageId !== null && rows.find((s) => s.stageId === stageId)) || rows[0];
      if (!found) throw new Error(`corp ${corpId} has no stages`);
      return { stageId: found.stageId, name: found.name };
    },

    /** The stage with this id, or a 400 naming `field`. */
    async require(corpId: string, stageId: number, field = 'stageId'): Promise<StageRef> {
      const found = (await list(db, corpId)).find((s) => s.stageId === stageId);
      if (!found) throw new BadRequestError('销售阶段不存在', field);
      return { stageId: found.stageId, name: found.name };
    },

    /** Checks the new list against the stages it replaces and writes it, in one transaction. */
    async replace(corpId: string, next: { stageId?: number; name: string }[]) {
      return db.tx(async (tx) => {
        const existing = new Set((await list(tx, corpId)).map((s) => s.stageId));
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
        await repo.replace(
          tx,
          corpId,
          next.map((s) => ({ stageId: s.stageId, name: s.name.trim() })),
        );
        return view(await repo.list(tx, corpId));
      });
    },
  };
}
export type StageService = ReturnType<typeof createStageService>;
