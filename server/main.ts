import { buildApp, type App } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { AppError } from './errors.js';
import { DEMO_CORP } from './emulator/index.js';
import { DEMO_ADMIN_USERNAME, demoAdminPassword, ensureDemoAdmin } from './demo/admin-account.js';
import { demoAdminToken } from './demo/admin-token.js';
import { seedDemo } from './demo/seed-sidebar.js';

/** Loads config, builds the app, listens, and shuts down gracefully on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  let config;
  // The demo's console admin signs in with this (the banner shows it; never the log).
  let adminPassword: string | null = null;
  try {
    config = loadConfig(process.env, DEMO_CORP);
    // The demo's admin token is generated once and kept in the data folder, so it survives a restart.
    if (config.demo && !process.env.ADMIN_TOKEN?.trim()) {
      config = loadConfig({ ...process.env, ADMIN_TOKEN: demoAdminToken(config.dataDir) }, DEMO_CORP);
    }
    // So is the console admin's password, unless DEMO_ADMIN_PASSWORD chooses one (checked here, with the config).
    if (config.demo) adminPassword = demoAdminPassword(config.dataDir, process.env.DEMO_ADMIN_PASSWORD);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await buildApp(config);
  let demoAdmin: DemoAdmin | null = null;
  if (adminPassword !== null) {
    // Before listening: the console's sign-in works as soon as it answers.
    const { accounts, repo } = app.modules.consoleAuth;
    try {
      const { disabled } = await ensureDemoAdmin({ db: app.db, repo, accounts }, config.wecom.corpId, adminPassword);
      const chosen = !!process.env.DEMO_ADMIN_PASSWORD;
      demoAdmin = { username: DEMO_ADMIN_USERNAME, password: adminPassword, chosen, disabled };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(`The demo's console account ${DEMO_ADMIN_USERNAME} could not be set up: ${err.message}\n`);
      await app.close();
      process.exit(1);
    }
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // One clear line instead of a stack trace (npm start checks the port before building, but it may be taken since).
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    process.stderr.write(
      `Port ${config.port} on ${config.host} is already in use: stop the other process or set PORT.\n`,
    );
    await app.close();
    process.exit(1);
  }

  // Installed first, so a SIGTERM during the start-up work below still shuts down gracefully. Cron and the worker
  // started with the app (onListen) and stop with it.
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
  if (!config.demo) {
    app.log.info({ callback: `${base}/wecom/callback/${config.wecom.corpId}` }, 'listening');
    return;
  }
  // Channel codes, the script library and the demo customers' stories, each written once (needs the server
  // listening: WeCom is the emulator behind our own port). The emulator's many requests log at debug.
  let seeded: DemoSeeded | null = null;
  try {
    seeded = await seedDemo(app);
  } catch (err) {
    app.log.error({ err }, 'demo seeding failed');
  }
  if (closing) return;
  // One synchronous write after the start-up lines. The log writes asynchronously, so the summary is logged after
  // the banner rather than racing it.
  process.stdout.write(demoBanner(app, base, config.adminToken, demoAdmin, seeded));
  if (seeded) app.log.info(seeded, 'demo data seeded');
}

type DemoSeeded = Awaited<ReturnType<typeof seedDemo>>;
interface DemoAdmin {
  username: string;
  password: string;
  /** DEMO_ADMIN_PASSWORD, rather than the one kept in the data folder. */
  chosen: boolean;
  disabled: boolean;
}

/**
 * What a first-time user needs: where the pages are, the console's sign-in and the admin token (to the terminal
 * only, never the log).
 */
function demoBanner(
  app: App,
  base: string,
  adminToken: string,
  admin: DemoAdmin | null,
  seeded: DemoSeeded | null,
): string {
  const rows: [string, string, string][] = [
    ['Sidebar', `${base}/sidebar/`, "the rep's chat sidebar, with a stand-in chat window"],
  ];
  if (app.hasRoute({ method: 'GET', url: '/console/' })) {
    rows.push(['Console', `${base}/console/`, "the manager's web console"]);
  }
  rows.push(['Emulator', `${base}/emulator/`, 'WeCom: channel QR codes to scan, reps to sign in as']);
  const width = Math.max(...rows.map(([, url]) => url.length));
  return (
    [
      '',
      '  wecom-scrm demo is running (WeCom = built-in emulator, seeded demo corp)',
      '',
      ...rows.map(([name, url, what]) => `  ${name.padEnd(11)}${url.padEnd(width)}  ${what}`),
      ...(admin
        ? [
            `  ${'Sign-in'.padEnd(11)}console ${base}/console/  username ${admin.username}  password ${admin.password}`,
            admin.disabled
              ? `  ${''.padEnd(11)}(the account ${admin.username} is disabled: enable it in the console's accounts)`
              : admin.chosen
                ? `  ${''.padEnd(11)}(from DEMO_ADMIN_PASSWORD; each start sets the account's password to it)`
                : `  ${''.padEnd(11)}(kept in the data folder; DEMO_ADMIN_PASSWORD chooses another; each start sets it back)`,
          ]
        : []),
      `  ${'Admin API'.padEnd(11)}Authorization: Bearer ${adminToken}`,
      '',
      seeded === null
        ? '  Demo data: seeding failed (see the error in the log); delete ./data to start over.'
        : seeded.channels + seeded.scripts + seeded.customers > 0
          ? `  Demo data written now: ${seeded.channels} channel codes, ${seeded.scripts} scripts, ${seeded.customers} customer stories.`
          : '  Demo data: already in the database, nothing added (delete ./data to start over).',
      "  Logs: the product's requests at info; the emulator's own traffic at debug (LOG_LEVEL=debug).",
      '',
    ].join('\n') + '\n'
  );
}

await main();
