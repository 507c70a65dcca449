import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  AccountIdParams,
  ConsoleAccount,
  ConsoleAccountList,
  CorpSettings,
  CorpSettingsPatch,
  CreateLocalAccountBody,
  DepartmentList,
  Member,
  MemberAccessBody,
  MemberList,
  MemberListQuery,
  MemberParams,
  RepList,
  RepListQuery,
  ResetPasswordBody,
  UpdateAccountBody,
} from '../../../shared/schemas/console-users.js';
import type { AccountsService } from './accounts-service.js';
import type { SettingsService } from './settings.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Accounts, roles and scopes, the departments and reps of the caller's scope, corp settings. */
export const accountsRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountsService;
  settings: SettingsService;
}> = async (app, { accounts, settings }) => {
  // These services write their own audit records.
  app.addHook('preHandler', async (request) => {
    request.audited = true;
  });
  const admin = { onRequest: app.requireConsoleAdmin };
  const anyone = { onRequest: app.requireConsole };
  const corp = (request: { consoleActor(): { corpId: string } }) => request.consoleActor().corpId;

  app.get(
    '/api/console/users',
    { ...admin, schema: { response: { 200: ConsoleAccountList, ...errors } } },
    async (request) => ({
      items: await accounts.list(corp(request)),
    }),
  );

  app.post(
    '/api/console/users',
    { ...admin, schema: { body: CreateLocalAccountBody, response: { 201: ConsoleAccount, ...errors } } },
    async (request, reply) => reply.status(201).send(await accounts.createLocal(request.auditContext(), request.body)),
  );

  app.patch(
    '/api/console/users/:id',
    {
      ...admin,
      schema: { params: AccountIdParams, body: UpdateAccountBody, response: { 200: ConsoleAccount, ...errors } },
    },
    async (request) => accounts.update(request.auditContext(), request.params.id, request.body),
  );

  app.put(
    '/api/console/users/:id/password',
    {
      ...admin,
      schema: { params: AccountIdParams, body: ResetPasswordBody, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await accounts.resetPassword(request.auditContext(), request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/console/users/:id/unlock',
    { ...admin, schema: { params: AccountIdParams, response: { 200: ConsoleAccount, ...errors } } },
    async (request) => accounts.unlock(request.auditContext(), request.params.id),
  );

  app.get(
    '/api/console/members',
    { ...admin, schema: { querystring: MemberListQuery, response: { 200: MemberList, ...errors } } },
    async (request) => ({ items: await accounts.members(corp(request), request.query) }),
  );

  app.put(
    '/api/console/members/:userId/access',
    { ...admin, schema: { params: MemberParams, body: MemberAccessBody, response: { 200: Member, ...errors } } },
    async (request) => accounts.setMemberAccess(request.auditContext(), request.params.userId, request.body),
  );

  app.get(
    '/api/console/departments',
    { ...anyone, schema: { response: { 200: DepartmentList, ...errors } } },
    async (request) => ({ items: await accounts.departments(corp(request), await request.consoleScope()) }),
  );

  app.get(
    '/api/console/reps',
    { ...anyone, schema: { querystring: RepListQuery, response: { 200: RepList, ...errors } } },
    async (request) => {
      const corpId = corp(request);
      const scope = await request.consoleScope();
      if (request.query.departmentId !== undefined) {
        await accounts.departmentFilter(corpId, scope, request.query.departmentId);
      }
      const q = request.query.q?.trim().toLowerCase();
      const reps = (await accounts.repsInScope(corpId, scope, request.query.departmentId)).filter(
        (r) => !q || r.name.toLowerCase().includes(q) || r.userId.toLowerCase().includes(q),
      );
      return { items: await Promise.all(reps.map((r) => accounts.repRef(corpId, r))) };
    },
  );

  app.get(
    '/api/console/settings',
    { ...anyone, schema: { response: { 200: CorpSettings, ...errors } } },
    async (request) => settings.get(corp(request)),
  );

  app.put(
    '/api/console/settings',
    { ...admin, schema: { body: CorpSettingsPatch, response: { 200: CorpSettings, ...errors } } },
    async (request) => settings.update(request.auditContext(), request.body),
  );
};
