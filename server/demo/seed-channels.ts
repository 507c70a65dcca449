import type { FastifyInstance } from 'fastify';
import type { WelcomeInput } from '../../shared/schemas/welcome.js';
import { ConflictError } from '../errors.js';
import { DEMO_CHANNELS, type DemoChannel } from './channels.js';

const DEFAULT_WELCOME: WelcomeInput = {
  text: '{客户昵称}您好，我是{员工姓名}，很高兴认识您！有任何问题随时留言，我会尽快回复。',
};

/**
 * Demo channel codes, created through the channel service (so the emulator gets real add_contact_way calls and the
 * QR pages exist), plus a default welcome with the first of them. Each code is created once: its fixed state is never
 * reused, so a code an admin deleted is not created again either, and a live code of the same name stands for it.
 */
export async function seedChannels(
  app: FastifyInstance,
  corpId = app.defaultCorp.corpId,
): Promise<{ channels: number }> {
  const channels = app.modules.channels.service;
  const tags = app.modules.tags.service;
  // A code of that name from an earlier version of the demo (its state was generated) counts as seeded too.
  const names = new Set((await channels.list(corpId)).map((c) => c.name));
  const missing: DemoChannel[] = [];
  for (const c of DEMO_CHANNELS) {
    if (!names.has(c.name) && !(await channels.findByState(corpId, c.state))) missing.push(c);
  }
  if (missing.length === 0) return { channels: 0 };
  await app.modules.directory.service.ensureReps(
    corpId,
    missing.flatMap((c) => [...c.reps, ...(c.backupReps ?? [])]),
  );
  await tags.syncAll(corpId);
  const byName = new Map((await tags.list(corpId)).groups.flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)));

  let created = 0;
  for (const { key: _key, tags: tagNames, ...body } of missing) {
    const tagIds = tagNames.flatMap((name) => byName.get(name) ?? []);
    try {
      await channels.create(corpId, { ...body, tagIds });
      created += 1;
    } catch (err) {
      if (err instanceof ConflictError) continue; // an admin deleted it: the state stays taken
      throw err;
    }
  }
  const welcome = app.modules.welcome.service;
  if (created > 0 && !(await welcome.getDefault(corpId))) await welcome.setDefault(corpId, DEFAULT_WELCOME);
  return { channels: created };
}
