import type { FastifyInstance, FastifyServerOptions, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { InputObject, WECOM_SENT_INPUTS } from '../../shared/schemas/common.js';

/**
 * Fastify's validator by default deletes the fields a schema does not name (`removeAdditional`): a misspelt
 * `daily_cap` vanished and the request "succeeded". Off, so `additionalProperties: false` refuses it instead.
 */
export const REQUEST_VALIDATION: FastifyServerOptions['ajv'] = { customOptions: { removeAdditional: false } };

/** The request parts a client writes and our schemas describe (headers always carry fields of their own). */
export const INPUT_PARTS = ['params', 'querystring', 'body'] as const;
export type InputPart = (typeof INPUT_PARTS)[number];

export interface RouteInput {
  method: string;
  url: string;
  part: InputPart;
  schema: object;
  /** Written by WeCom (callback, OAuth redirect): tolerates unknown fields, see WecomSentObject. */
  wecomSent: boolean;
}

/** An API route that declares no query string takes none: `GET /api/channels?name=x` is refused, not ignored. */
const NoQuery = InputObject({});

/**
 * JSON pointers of the object schemas in `schema` that accept fields they do not name, e.g. `/welcome` for a body
 * whose `welcome` object lacks `additionalProperties: false`. Walks properties, items and every combinator.
 */
export function laxObjects(schema: unknown, at = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => laxObjects(s, `${at}/${i}`));
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const found: string[] = [];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const isObject = types.includes('object') || 'properties' in s || 'patternProperties' in s;
  if (isObject && s.additionalProperties !== false && s.unevaluatedProperties !== false) found.push(at || '/');
  for (const [name, sub] of Object.entries((s.properties as Record<string, unknown> | undefined) ?? {})) {
    found.push(...laxObjects(sub, `${at}/${name}`));
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    found.push(...laxObjects(s.additionalProperties, `${at}/*`));
  }
  for (const key of ['items', 'prefixItems', 'contains']) if (key in s) found.push(...laxObjects(s[key], `${at}/[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (s[key] as unknown[] | undefined) ?? []) found.push(...laxObjects(branch, at));
  }
  for (const key of ['not', 'if', 'then', 'else']) if (key in s) found.push(...laxObjects(s[key], at));
  return [...new Set(found)];
}

const recorded = new WeakMap<FastifyInstance, RouteInput[]>();

/** Every input schema of the app's routes, as checked at registration (tests walk them). */
export function routeInputs(app: FastifyInstance): readonly RouteInput[] {
  return recorded.get(app) ?? [];
}

/**
 * Every route's input schemas (params, query string, body) refuse unknown fields, for the routes of today and of
 * tomorrow: a route whose schema would accept them fails at registration, so the app does not start (and every test
 * fails) until its schema is built with InputObject. The emulator's routes are WeCom's API, not ours, and keep
 * WeCom's rules.
 */
export default fp(
  async (app) => {
    const inputs: RouteInput[] = [];
    recorded.set(app, inputs);
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.url.startsWith('/emulator')) return;
      const method = [route.method].flat().join(',');
      const schema = (route.schema ??= {});
      if (route.url.startsWith('/api/') && schema.querystring === undefined) schema.querystring = NoQuery;
      for (const part of INPUT_PARTS) {
        const input = schema[part] as object | undefined;
        if (!input) continue;
        const wecomSent = WECOM_SENT_INPUTS.has(input);
        const lax = wecomSent ? [] : laxObjects(input);
        if (lax.length > 0) {
          throw new Error(
            `${method} ${route.url}: the ${part} schema accepts unknown fields at ${lax.join(', ')}; ` +
              'build every request object with InputObject (shared/schemas/common.ts)',
          );
        }
        inputs.push({ method, url: route.url, part, schema: input, wecomSent });
      }
    });
  },
  { name: 'strict-input' },
);
