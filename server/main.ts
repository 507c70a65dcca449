import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DEMO_CORP } from './emulator/index.js';
import { startBackground } from './jobs/schedule.js';

/** Loads config, builds the app, listens, and shuts down gracefully on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, DEMO_CORP);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const base = app.origin.public();
  if (config.demo) {
    app.log.info(
      {
        console: `${base}/console/`,
        sidebar: `${base}/sidebar/`,
        emulator: `${base}/emulator/_state`,
        adminToken: config.adminToken,
      },
      'demo mode: WeCom is the built-in emulator with a seeded demo corp',
    );
    process.stdout.write(
      [
        '',
        '  wecom-scrm demo is running (WeCom = built-in emulator, seeded demo corp)',
        `  Console   ${base}/console/`,
        `  Sidebar   ${base}/sidebar/`,
        `  Emulator  ${base}/emulator/_state`,
        `  Admin API token (Authorization: Bearer …): ${config.adminToken}`,
        '',
      ].join('\n') + '\n',
    );
  } else {
    app.log.info({ callback: `${base}/wecom/callback/${config.wecom.corpId}` }, 'listening');
  }
  const background = startBackground(app);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    const timer = setTimeout(() => {
      app.log.error('shutdown took over 25 s, exiting');
      process.exit(1);
    }, 25_000);
    try {
      background.stop();
      await app.close();
      clearTimeout(timer);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

await main();
