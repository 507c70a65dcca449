import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DEMO_CORP } from './emulator/index.js';
import { startBackground } from './jobs/schedule.js';
import { seedSidebar } from './demo/seed-sidebar.js';
import { seedChannels } from './demo/seed-channels.js';

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

  // Installed first, so a SIGTERM during the start-up work below still shuts down gracefully.
  let background: { stop(): void } | undefined;
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
      background?.stop();
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

  const base = app.origin.public();
  if (config.demo) {
    // The generated admin token goes to the terminal only, never into the log.
    app.log.info(
      { sidebar: `${base}/sidebar/`, emulator: `${base}/emulator/` },
      'demo mode: WeCom is the built-in emulator with a seeded demo corp',
    );
    process.stdout.write(
      [
        '',
        '  wecom-scrm demo is running (WeCom = built-in emulator, seeded demo corp)',
        `  Sidebar   ${base}/sidebar/`,
        `  Emulator  ${base}/emulator/   (channel QR codes: scan to add a customer)`,
        `  Admin API token (Authorization: Bearer …): ${config.adminToken}`,
        '',
      ].join('\n') + '\n',
    );
    // Stages, the script library and a few notes for the sidebar demo (idempotent; needs the emulator listening).
    void seedSidebar(app).then(
      (seeded) => app.log.info(seeded, 'demo sidebar data seeded'),
      (err: unknown) => app.log.error({ err }, 'demo sidebar seeding failed'),
    );
    // Channel codes with tags and welcome messages, and a default welcome (once; needs the emulator listening).
    void seedChannels(app).then(
      (seeded) => app.log.info(seeded, 'demo channel codes seeded'),
      (err: unknown) => app.log.error({ err }, 'demo channel seeding failed'),
    );
  } else {
    app.log.info({ callback: `${base}/wecom/callback/${config.wecom.corpId}` }, 'listening');
  }
  if (!closing) background = startBackground(app);
}

await main();
