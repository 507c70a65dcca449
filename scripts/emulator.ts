/**
 * The WeCom emulator as a process of its own, the way WeCom is another machine in production.
 * Point a server in real-corp mode at it to try the production configuration without a WeCom corp:
 *
 *   tsx scripts/emulator.ts --port 4000 --callback http://127.0.0.1:3000
 *
 * prints the environment (WECOM_CORP_ID, WECOM_API_BASE, …) to start the server with. The benchmarks use it too.
 * `--callback` may list several servers (`http://a:3000,http://b:3000`): each delivery goes to the next one in turn,
 * as a load balancer in front of several instances would send it.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createEmulator, DEMO_CORP, emulatorPlugin } from '../server/emulator/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    callback: { type: 'string', default: 'http://127.0.0.1:3000' },
  },
});

const app = Fastify({ logger: false });
let origin = '';
const servers = values.callback!.split(',').map((url) => url.trim().replace(/\/+$/, ''));
let turn = 0;
const emulator = createEmulator({
  corp: DEMO_CORP,
  callbackUrl: () => `${servers[turn++ % servers.length]}/wecom/callback/${DEMO_CORP.corpId}`,
  publicOrigin: () => origin,
});
await app.register(emulatorPlugin, { prefix: '/emulator', emulator });
await app.listen({ port: Number(values.port), host: values.host });
const { port } = app.server.address() as { port: number };
origin = `http://${values.host}:${port}`;

process.stdout.write(
  [
    `WeCom emulator listening on ${origin}/emulator/ (callbacks go to ${values.callback})`,
    'Start the server against it with:',
    `  WECOM_CORP_ID=${DEMO_CORP.corpId} WECOM_AGENT_ID=${DEMO_CORP.agentId} WECOM_SECRET=${DEMO_CORP.secret} \\`,
    `  WECOM_TOKEN=${DEMO_CORP.token} WECOM_ENCODING_AES_KEY=${DEMO_CORP.encodingAesKey} \\`,
    `  WECOM_API_BASE=${origin}/emulator WECOM_OAUTH_BASE=${origin}/emulator ADMIN_TOKEN=<16+ chars> npx tsx server/main.ts`,
    '',
  ].join('\n'),
);

const stop = () => void emulator.close().finally(() => app.close().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
