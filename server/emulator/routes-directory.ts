import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { repView } from './views.js';

function departmentParam(core: EmulatorCore, raw: string | undefined, required: boolean): number | undefined {
  if (raw === undefined || raw === '') {
    if (required) fail('missingDepartment');
    return undefined;
  }
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!core.data.departments.some((d) => d.id === id)) fail('invalidDepartmentId');
  return id;
}

/** 通讯录 reads: department/list, user/list, user/simplelist, user/get. */
export function directoryRoutes(core: EmulatorCore): ApiRoute[] {
  const usersOf = (deptId: number, fetchChild: boolean) => {
    const depts = fetchChild ? core.departmentTree(deptId) : [deptId];
    return core.data.reps.filter((r) => r.department.some((d) => depts.includes(d)));
  };
  return [
    {
      method: 'GET',
      path: '/cgi-bin/department/list',
      handler: (req) => {
        const root = departmentParam(core, req.query.id, false);
        const ids = root === undefined ? core.data.departments.map((d) => d.id) : core.departmentTree(root);
        return ok({ department: core.data.departments.filter((d) => ids.includes(d.id)).map((d) => ({ ...d })) });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/user/list',
      handler: (req) => {
        const dept = departmentParam(core, req.query.department_id, true) as number;
        const users = usersOf(dept, req.query.fetch_child === '1');
        return ok({ userlist: users.map((r) => repView(core, r)) });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/user/simplelist',
      handler: (req) => {
        const dept = departmentParam(core, req.query.department_id, true) as number;
        const users = usersOf(dept, req.query.fetch_child === '1');
        return ok({
          userlist: users.map((r) => ({
            userid: r.userid,
            name: r.name,
            department: [...r.department],
            open_userid: `wo${r.userid}`,
          })),
        });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/user/get',
      handler: (req) => {
        const userid = req.query.userid;
        if (!userid) fail('missingUserId');
        const rep = core.findRep(userid);
        if (!rep) fail('userNotFound');
        return ok(repView(core, rep));
      },
    },
  ];
}
