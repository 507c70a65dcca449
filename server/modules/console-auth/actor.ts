import type { ConsoleRoleValue } from '../../db/schema/console.js';

/**
 * Who acts in the console: a signed-in console account, or the admin bearer token (scripts and integrations, an
 * admin). Guards set it on the request (server/plugins/console-auth.ts); services take it to check scope and to
 * record who changed what.
 */
export interface ConsoleActor {
  /** `system`: the command line (`npm run user:create`) and the demo's set-up. */
  kind: 'local' | 'member' | 'token' | 'system';
  corpId: string;
  /** Console account id; null for the token. */
  accountId: number | null;
  username: string | null;
  /** WeCom userid of a member account. */
  userId: string | null;
  name: string;
  role: ConsoleRoleValue;
  /** The departments a manager was given (not expanded); empty for admins. */
  departmentIds: number[];
  mustChangePassword: boolean;
  /** When the session ends at the latest; null for the token. */
  sessionExpiresAt: number | null;
}

/** The actor of changes made from the command line or at start-up. */
export function systemContext(corpId: string, name: string): AuditContext {
  return {
    actor: {
      kind: 'system',
      corpId,
      accountId: null,
      username: null,
      userId: null,
      name,
      role: 'admin',
      departmentIds: [],
      mustChangePassword: false,
      sessionExpiresAt: null,
    },
    ip: '',
    requestId: '',
  };
}

/** What a service records about the request that made a change (the audit log). */
export interface AuditContext {
  actor: ConsoleActor;
  ip: string;
  requestId: string;
}

/**
 * The departments an actor may see: all (admins, the token), or a manager's departments with every sub-department
 * (expanded from the departments table's parent links). A department id of 0 stands for "no department".
 */
export type Scope = { all: true } | { all: false; departmentIds: ReadonlySet<number> };

export const ALL_DEPARTMENTS: Scope = { all: true };

export function inScope(scope: Scope, departmentId: number | null | undefined): boolean {
  return scope.all || (departmentId != null && scope.departmentIds.has(departmentId));
}

/**
 * Every department under `roots` (roots included), following parent links; a cycle in WeCom's data cannot loop.
 */
export function expandDepartments(
  roots: readonly number[],
  departments: readonly { departmentId: number; parentId: number | null }[],
): Set<number> {
  const children = new Map<number, number[]>();
  for (const d of departments) {
    if (d.parentId === null) continue;
    const list = children.get(d.parentId) ?? [];
    list.push(d.departmentId);
    children.set(d.parentId, list);
  }
  const found = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    queue.push(...(children.get(id) ?? []));
  }
  return found;
}

/** A rep's main department: the first WeCom lists (0 when none). */
export const mainDepartment = (departmentIds: readonly number[]): number => departmentIds[0] ?? 0;
