import type { EmulatorCore } from './core.js';
import { decorateErrmsg, EmulatedApiError } from './errcodes.js';
import type { Json } from './params.js';
import { sleepUnlessAborted } from './sleep.js';

/** A request to the emulated WeCom API, independent of Fastify. */
export interface ApiRequest {
  method: string;
  /** e.g. `/cgi-bin/externalcontact/get`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, INVALID_JSON, a Buffer (multipart), or undefined. */
  body: unknown;
  contentType?: string;
}

export interface ApiResponse {
  /** 200 for every WeCom answer, errors included; 404 only for a path the emulator does not implement. */
  status: number;
  payload: Json;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Whether `access_token` is required (everything but gettoken and the robot webhook). Default true. */
  auth?: boolean;
  handler: (req: ApiRequest) => Json | Promise<Json>;
  /** What to keep of the request body in the call log (e.g. a summary instead of a multipart buffer). */
  logBody?: (req: ApiRequest) => unknown;
}

export function ok(data: Json = {}): Json {
  return { errcode: 0, errmsg: 'ok', ...data };
}

/** Routes the emulated API: faults, access_token check, handler, errcode mapping, call log. */
export class ApiDispatcher {
  private readonly routes = new Map<string, ApiRoute>();

  constructor(
    private readonly core: EmulatorCore,
    routes: ApiRoute[],
  ) {
    for (const r of routes) {
      if (this.routes.has(r.path)) throw new Error(`duplicate emulator route ${r.path}`);
      this.routes.set(r.path, r);
    }
  }

  paths(): string[] {
    return [...this.routes.keys()];
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const route = this.routes.get(req.path);
    const response = await this.answer(route, req);
    this.core.callLog.add({
      at: this.core.clock.nowMs(),
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: route?.logBody ? route.logBody(req) : typeof req.body === 'symbol' ? '<invalid json>' : req.body,
      response: response.payload,
    });
    return response;
  }

  private async answer(route: ApiRoute | undefined, req: ApiRequest): Promise<ApiResponse> {
    if (!route) {
      return { status: 404, payload: { errcode: 404, errmsg: `the WeCom emulator does not implement ${req.path}` } };
    }
    try {
      const fault = this.core.faults.take(req.path);
      if (fault && fault.delayMs > 0) await sleepUnlessAborted(fault.delayMs, this.core.shutdown.signal);
      if (fault && fault.errcode !== null) {
        return this.error(fault.errcode, fault.errmsg ?? `fault injected by the emulator`);
      }
      if (req.method !== route.method)
        throw new EmulatedApiError(route.method === 'GET' ? 'requireGet' : 'requirePost');
      if (route.auth !== false) this.checkToken(req.query.access_token);
      return { status: 200, payload: await route.handler(req) };
    } catch (err) {
      if (err instanceof EmulatedApiError) return this.error(err.errcode, err.errmsg);
      throw err;
    }
  }

  private checkToken(token: string | undefined): void {
    switch (this.core.credentials.checkToken(token)) {
      case 'missing':
        throw new EmulatedApiError('missingAccessToken');
      case 'unknown':
        throw new EmulatedApiError('invalidAccessToken');
      case 'expired':
        throw new EmulatedApiError('accessTokenExpired');
      case 'ok':
        return;
    }
  }

  private error(errcode: number, errmsg: string): ApiResponse {
    return {
      status: 200,
      payload: { errcode, errmsg: decorateErrmsg(errcode, errmsg, this.core.clock.nowMs(), this.core.nextSeq()) },
    };
  }
}
