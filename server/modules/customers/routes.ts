import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  CustomerCard,
  CustomerList,
  CustomerListQuery,
  CustomerParams,
  CustomerPatchBody,
  StageChangeBody,
  TagChangeBody,
} from '../../../shared/schemas/customers.js';
import type { CustomerService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** The rep's customers and the customer card of the sidebar; every route needs a rep session. */
export const customerRoutes: FastifyPluginAsyncTypebox<{ service: CustomerService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/api/customers',
    { schema: { querystring: CustomerListQuery, response: { 200: CustomerList, ...errors } } },
    async (request) => service.list(request.currentUser(), request.query),
  );

  app.get(
    '/api/customers/:externalUserId',
    { schema: { params: CustomerParams, response: { 200: CustomerCard, ...errors } } },
    async (request) => service.card(request.currentUser(), request.params.externalUserId),
  );

  app.patch(
    '/api/customers/:externalUserId',
    {
      schema: {
        params: CustomerParams,
        body: CustomerPatchBody,
        response: { 200: CustomerCard, ...errors, 502: ErrorBody },
      },
    },
    async (request) => service.updateRemark(request.currentUser(), request.params.externalUserId, request.body),
  );

  app.put(
    '/api/customers/:externalUserId/tags',
    {
      schema: {
        params: CustomerParams,
        body: TagChangeBody,
        response: { 200: CustomerCard, ...errors, 502: ErrorBody },
      },
    },
    async (request) => service.changeTags(request.currentUser(), request.params.externalUserId, request.body),
  );

  app.put(
    '/api/customers/:externalUserId/stage',
    { schema: { params: CustomerParams, body: StageChangeBody, response: { 200: CustomerCard, ...errors } } },
    async (request) => service.changeStage(request.currentUser(), request.params.externalUserId, request.body.stageId),
  );
};
