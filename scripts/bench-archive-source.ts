/**
 * Archive source micro-benchmark: messages per second through pull + decrypt, from the stand-in Finance SDK
 * (native/finance-sdk, built on demand) fed by the emulator over HTTP, and where the SDK process spends its CPU
 * (RSA for the random keys, DecryptData, JSON). No storage: the product's target (≥ 2,000 messages/s end to end)
 * includes storage, so this is the ceiling that storage eats into.
 *
 *   npx tsx scripts/bench-archive-source.ts [--messages 20000] [--batch 1000]
 *
 * The emulator runs in this process (its HTTP answers count in "this process CPU"); the SDK runs in its child.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createFinanceArchiveSource, ensureStandInSdk, standInSdkUrl } from '../server/archive/index.js';
import { createEmulator, DEMO_CORP, emulatorPlugin } from '../server/emulator/index.js';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '20000' }, batch: { type: 'string', default: '1000' } },
});
const total = Number(values.messages);
const batch = Number(values.batch);
if (!Number.isInteger(total) || total < 1) throw new Error('--messages must be a positive integer');
if (!Number.isInteger(batch) || batch < 1 || batch > 1000) throw new Error('--batch must be 1..1000');

/** CPU time (ms) a process has used, from /proc (Linux). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const SAMPLES = [
  '您好，请问这款还有货吗？',
  '好的，我这边帮您查一下库存，稍等片刻。',
  '双十一活动满300减50，会员再享95折，今晚零点开始。',
  '收到，谢谢！地址还是上次那个吗？',
  'OK',
  '这个价格能再便宜一点吗？我们公司打算批量采购，大概200件左右，开专票。',
];

async function main(): Promise<void> {
  const sdkPath = await ensureStandInSdk();
  let origin = '';
  const emulator = createEmulator({
    corp: DEMO_CORP,
    callbackUrl: () => 'http://127.0.0.1:9/never',
    publicOrigin: () => origin,
    archive: { maxMessages: total + 10 },
  });
  const app = Fastify();
  await app.register(emulatorPlugin, { prefix: '/emulator', emulator });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const customers = emulator.snapshot().customers.filter((c) => c.follow_user.length > 0);
  let started = performance.now();
  for (let i = 0; i < total; i++) {
    const c = customers[i % customers.length]!;
    const rep = c.follow_user[0]!.userid;
    const fromCustomer = i % 3 !== 0;
    await emulator.archive.chat({
      from: fromCustomer ? c.external_userid : rep,
      to: fromCustomer ? rep : c.external_userid,
      msgtype: 'text',
      text: `${SAMPLES[i % SAMPLES.length]} #${i}`,
      corrupt: false,
      notify: false,
    });
  }
  console.log(`archived ${total} messages in the emulator in ${Math.round(performance.now() - started)} ms`);

  const creds = await emulator.archive.credentials();
  const source = createFinanceArchiveSource({
    sdkPath,
    corpId: creds.corpId,
    secret: creds.secret,
    privateKeys: creds.privateKeys,
    env: { ...process.env, WECOM_FINANCE_STANDIN_URL: standInSdkUrl(origin) },
  });
  // Warm-up: the SDK process starts (Init), and the JIT sees every path once.
  const warm = await source.pull(0, 10);
  await Promise.all(warm.map((i) => source.decrypt(i)));
  const pid = source.workerPid()!;
  const before = source.stats();
  const childCpu0 = processCpuMs(pid);
  const ownCpu0 = process.cpuUsage();

  started = performance.now();
  let seq = 0;
  let decrypted = 0;
  let failed = 0;
  let pullMs = 0;
  let decryptMs = 0;
  for (;;) {
    let t = performance.now();
    const items = await source.pull(seq, batch);
    pullMs += performance.now() - t;
    if (items.length === 0) break;
    t = performance.now();
    const results = await Promise.all(items.map((i) => source.decrypt(i)));
    decryptMs += performance.now() - t;
    decrypted += results.filter((r) => r.status === 'ok').length;
    failed += results.filter((r) => r.status !== 'ok').length;
    seq = items.at(-1)!.seq;
  }
  const wallMs = performance.now() - started;
  const childCpuMs = processCpuMs(pid) - childCpu0;
  const own = process.cpuUsage(ownCpu0);
  const after = source.stats();
  const rsaMs = after.rsaMs - before.rsaMs;
  const sdkMs = after.sdkMs - before.sdkMs;
  const parseMs = after.parseMs - before.parseMs;

  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
  console.log(`pull + decrypt: ${decrypted} messages (${failed} not ok) in ${Math.round(wallMs)} ms`);
  console.log(`  throughput      ${Math.round((decrypted * 1000) / wallMs)} messages/s (wall clock)`);
  console.log(`  SDK process     ${Math.round((decrypted * 1000) / childCpuMs)} messages per CPU second`);
  console.log(`  wall time       pull ${Math.round(pullMs)} ms, decrypt ${Math.round(decryptMs)} ms`);
  console.log(
    `  SDK process CPU ${Math.round(childCpuMs)} ms: RSA ${Math.round(rsaMs)} ms (${pct(rsaMs, childCpuMs)}), ` +
      `DecryptData ${Math.round(sdkMs)} ms (${pct(sdkMs, childCpuMs)}), JSON ${Math.round(parseMs)} ms ` +
      `(${pct(parseMs, childCpuMs)})`,
  );
  console.log(`  RSA per message ${(rsaMs / decrypted).toFixed(3)} ms`);
  console.log(
    `  this process CPU ${Math.round((own.user + own.system) / 1000)} ms (the emulator serving the SDK, IPC, results)`,
  );
  await source.close();
  await emulator.close();
  await app.close();
}

await main();
