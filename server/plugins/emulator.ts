import { join } from 'node:path';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createEmulator, type Emulator } from '../emulator/index.js';
import { emulatorTrafficLoggerFactory } from '../emulator/traffic-log.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Present only in demo mode and tests. */
    emulator?: Emulator;
  }
}

/**
 * Creates the WeCom emulator (`app.emulator`). buildApp registers this only when config.emulator is set
 * (demo mode, tests), and mounts its routes (`emulatorPlugin`) at /emulator in the browser scope: with real credentials
 * the path does not exist.
 */
export default fp(
  async (app, { config }: { config: Config }) => {
    const corpId = config.wecom.corpId;
    const emulator = createEmulator({
      corp: config.wecom,
      callbackUrl: () => `${app.origin.internal()}/wecom/callback/${corpId}`,
      publicOrigin: () => app.origin.public(),
      statePath: config.demo && config.dataDir !== ':memory:' ? join(config.dataDir, 'emulator-state.json') : undefined,
    });
    app.decorate('emulator', emulator);
    // Before any route: the emulator's traffic (its pages and API, its callbacks to us) logs at debug, not info.
    app.setChildLoggerFactory(emulatorTrafficLoggerFactory);
    app.addHook('onClose', async () => emulator.close());
  },
  { name: 'emulator', dependencies: ['origin'] },
);
