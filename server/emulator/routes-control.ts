import type { FastifyInstance } from 'fastify';
import type { Emulator } from './emulator.js';
import { EmulatorInputError } from './errcodes.js';
import { parseFault } from './faults.js';
import { INVALID_JSON } from './params.js';
import { registerRobotControls } from './routes-robots.js';

const MAX_ADVANCE_MS = 10 * 365 * 86_400_000;

/**
 * Test and demo controls under /emulator/_…: they exist only because the whole plugin is mounted only in demo mode
 * and tests. Bodies are validated; a bad one is a 400 with a message saying what is wrong.
 */
export function registerControls(app: FastifyInstance, emulator: Emulator, jsonBody: (body: unknown) => unknown): void {
  const json = (body: unknown): unknown => {
    const value = jsonBody(body);
    if (value === INVALID_JSON) throw new EmulatorInputError('body must be valid JSON');
    return value;
  };

  app.post('/_simulate', async (req) => emulator.simulate(json(req.body) as never));
  registerRobotControls(app, emulator.core, json);

  app.get<{ Querystring: { path?: string } }>('/_calls', async (req) => emulator.calls(req.query.path || undefined));
  app.delete('/_calls', async (_req, reply) => {
    emulator.clearCalls();
    return reply.status(204).send();
  });

  app.get('/_state', async () => emulator.snapshot());

  app.get('/_faults', async () => emulator.faults());
  app.post('/_faults', async (req, reply) => {
    emulator.addFault(parseFault(json(req.body)));
    return reply.status(201).send({ faults: emulator.faults() });
  });
  app.delete('/_faults', async (_req, reply) => {
    emulator.clearFaults();
    return reply.status(204).send();
  });

  app.post('/_tokens/expire', async () => ({ expired: emulator.expireTokens() }));

  app.post('/_clock', async (req) => {
    const body = json(req.body) as { advanceMs?: unknown } | undefined;
    const ms = body?.advanceMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      throw new EmulatorInputError('advanceMs must be a number of milliseconds ≥ 0 (the clock only moves forward)');
    }
    return { now: emulator.advanceClock(ms) };
  });
}
