/**
 * The WeCom side of the welcome benchmark in its own process, as the real WeCom is: the emulator over HTTP and the
 * customers (CustomerDriver). Controlled by scripts/bench-welcome.ts over IPC (messages below).
 */
import Fastify from 'fastify';
import { createEmulator, DEMO_CORP, emulatorPlugin } from '../server/emulator/index.js';
import { CustomerDriver, type Counted, type DriveCode, type Driven } from './bench-welcome-customers.js';

export type ToWecom =
  /** Each callback goes to the next URL in turn, as a load balancer in front of several instances sends them. */
  | { type: 'configure'; callbackUrls: string[] }
  | { type: 'drive'; rate: number; seconds: number; codes: DriveCode[] }
  | { type: 'collect' };

export type FromWecom =
  { type: 'ready'; port: number } | ({ type: 'driven' } & Driven) | ({ type: 'collected' } & Counted);

const send = (msg: FromWecom) => process.send!(msg);

let callbackUrls = [''];
let turn = 0;
let origin = '';
const emulator = createEmulator({
  corp: DEMO_CORP,
  callbackUrl: () => callbackUrls[turn++ % callbackUrls.length]!,
  publicOrigin: () => origin,
});
const customers = new CustomerDriver(emulator);

const app = Fastify({ logger: false });
await app.register(emulatorPlugin, { prefix: '/emulator', emulator });
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
origin = `http://127.0.0.1:${port}`;

process.on('message', (msg: ToWecom) => {
  if (msg.type === 'configure') callbackUrls = msg.callbackUrls;
  else if (msg.type === 'drive')
    void customers.drive(msg.rate, msg.seconds, msg.codes).then((r) => send({ type: 'driven', ...r }));
  else send({ type: 'collected', ...customers.collect() });
});
process.on('disconnect', () => void emulator.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => void emulator.close().finally(() => process.exit(0)));
send({ type: 'ready', port });
