import { randomUUID } from 'node:crypto';
import type { EmulatorCore } from './core.js';
import { EmulatorInputError } from './errcodes.js';

/**
 * Group robots (群机器人) of the emulated corp: each stands for a group chat with a webhook robot in it. The demo
 * corp gets one per department on first use; `POST /emulator/_robots` adds more; a disabled robot (removed from its
 * group) answers 93000, as WeCom does for a webhook address that is no longer valid.
 */
export interface EmulatorRobot {
  key: string;
  name: string;
  departmentId: number | null;
  createdAt: number;
  disabled: boolean;
}

type WithRobots = { robots?: EmulatorRobot[] };

/** The corp's robots, created (one per department) the first time anyone asks. */
export function robotsOf(core: EmulatorCore): EmulatorRobot[] {
  const data = core.data as typeof core.data & WithRobots;
  if (!data.robots) {
    data.robots = core.data.departments.map((d) => ({
      key: randomUUID(),
      name: `${d.name}群`,
      departmentId: d.id,
      createdAt: core.clock.nowMs(),
      disabled: false,
    }));
    core.changed();
  }
  return data.robots;
}

export function findRobot(core: EmulatorCore, key: string): EmulatorRobot | undefined {
  return robotsOf(core).find((r) => r.key === key);
}

/** The webhook address the admin copies from the group's robot settings (it contains the key). */
export const webhookUrlOf = (core: EmulatorCore, robot: EmulatorRobot) =>
  core.url(`/cgi-bin/webhook/send?key=${encodeURIComponent(robot.key)}`);

export function addRobot(core: EmulatorCore, input: unknown): EmulatorRobot {
  const o = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name.trim() : '';
  if (!name || name.length > 50) throw new EmulatorInputError('name must be a group name of 1 to 50 characters');
  const departmentId = o.departmentId === undefined || o.departmentId === null ? null : Number(o.departmentId);
  if (departmentId !== null && !core.data.departments.some((d) => d.id === departmentId)) {
    throw new EmulatorInputError(`unknown departmentId ${String(o.departmentId)}`);
  }
  const robot: EmulatorRobot = {
    key: randomUUID(),
    name,
    departmentId,
    createdAt: core.clock.nowMs(),
    disabled: false,
  };
  robotsOf(core).push(robot);
  core.changed();
  return robot;
}

/** The robot is removed from its group: its webhook answers 93000 from now on. */
export function disableRobot(core: EmulatorCore, key: string): EmulatorRobot {
  const robot = findRobot(core, key);
  if (!robot) throw new EmulatorInputError('unknown robot key');
  robot.disabled = true;
  core.changed();
  return robot;
}
