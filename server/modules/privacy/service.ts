import { Readable } from 'node:stream';
import { Type } from 'typebox';
import yazl from 'yazl';
import type { Database } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { defineJob } from '../jobs/define.js';
import type { MediaStore } from '../messages/media-store.js';
import type { SuggestService } from '../suggest/service.js';
import type { PrivacyRepo } from './repo.js';

const DAY_MS = 86_400_000;
const PAGE = 500;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'audio/amr': 'amr',
  'audio/silk': 'silk',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

/** JSON Lines of pages read one after another (constant memory). */
function jsonLines<T>(pages: (after: number) => Promise<Array<T & { id: number }>>): Readable {
  return Readable.from(
    (async function* () {
      let after = 0;
      for (;;) {
        const rows = await pages(after);
        if (rows.length === 0) return;
        yield rows.map((r) => `${JSON.stringify(r)}\n`).join('');
        if (rows.length < PAGE) return;
        after = rows.at(-1)!.id;
      }
    })(),
  );
}

/**
 * The customer's rights under PIPL: a copy of everything stored about them (one zip), erasure of everything (with an
 * audit record of who erased whom and when, which is all that remains), and retention (messages and their media
 * older than MESSAGE_RETENTION_DAYS deleted daily).
 */
export function createPrivacyService(deps: {
  db: Database;
  repo: PrivacyRepo;
  media: MediaStore;
  /** What the customer's messages taught the suggestion engine is forgotten in the erasure's transaction. */
  suggest: Pick<SuggestService, 'forgetCustomer'>;
  retentionDays: number | null;
  now: () => number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}) {
  const { db, repo } = deps;

  async function deleteFiles(corpId: string, hashes: string[]): Promise<void> {
    for (const hash of hashes) {
      try {
        await deps.media.delete(corpId, hash);
      } catch (err) {
        deps.log.warn({ err, hash }, 'could not delete a media file');
      }
    }
  }

  const retentionJob = defineJob('messages_retention', Type.Object({ period: Type.String() }), async (job) => {
    if (deps.retentionDays === null) return { kind: 'ignored', reason: 'MESSAGE_RETENTION_DAYS is not set' };
    const before = deps.now() - deps.retentionDays * DAY_MS;
    let messages = 0;
    let files = 0;
    for (;;) {
      const batch = await db.tx((tx) => repo.expire(tx, job.corpId, before, 1000));
      await deleteFiles(job.corpId, batch.files);
      messages += batch.messages;
      files += batch.files.length;
      if (batch.messages < 1000) break;
    }
    return {
      kind: 'done',
      result: `${messages} messages and ${files} media files older than ${deps.retentionDays} days deleted`,
    };
  });

  return {
    retentionJob,

    /** Everything stored about the customer, as a zip produced while it is downloaded. */
    async exportCustomer(corpId: string, externalUserId: string): Promise<Readable> {
      const contact = await repo.contact(db, corpId, externalUserId);
      const first = await repo.messagePage(db, corpId, externalUserId, 0, 1);
      if (!contact && first.length === 0) throw new NotFoundError('客户不存在');
      const [follows, tags, consents, media, tasks, birthday, orders, notifications] = await Promise.all([
        repo.follows(db, corpId, externalUserId),
        repo.followTags(db, corpId, externalUserId),
        repo.consents(db, corpId, externalUserId),
        repo.mediaOf(db, corpId, externalUserId),
        repo.tasks(db, corpId, externalUserId),
        repo.birthday(db, corpId, externalUserId),
        repo.orders(db, corpId, externalUserId),
        repo.notifications(db, corpId, externalUserId),
      ]);
      const zip = new yazl.ZipFile();
      const exportedAt = new Date(deps.now());
      const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
      zip.addBuffer(
        Buffer.from(
          [
            `客户数据导出 / Customer data export`,
            `客户 (externalUserId): ${externalUserId}`,
            `导出时间 (exported at): ${exportedAt.toISOString()}`,
            '',
            'profile.json        客户资料 (profile as last fetched from WeCom)',
            'follows.json        跟进关系、备注 (relations with reps, remarks)',
            'tags.json           标签 (tags per rep)',
            'consents.json       会话存档同意情况 (consent to chat archiving)',
            "tasks.json          员工的跟进任务 (the reps' tasks about the customer)",
            'birthday.json       生日 (birthday)',
            'orders.json         集成系统推送的订单 (orders pushed by integrations)',
            'notifications.json  关于客户的提醒消息 (notifications about the customer)',
            'timeline.jsonl      时间线：事件、跟进记录、话术发送、消息 (timeline)',
            'messages.jsonl      聊天消息 (chat messages)',
            'media/              聊天中的图片、语音、视频、文件 (media files, named by sha256)',
            '',
          ].join('\n'),
        ),
        'README.txt',
        { mtime: exportedAt },
      );
      zip.addBuffer(json(contact ?? null), 'profile.json', { mtime: exportedAt });
      zip.addBuffer(json(follows), 'follows.json', { mtime: exportedAt });
      zip.addBuffer(json(tags), 'tags.json', { mtime: exportedAt });
      zip.addBuffer(json(consents), 'consents.json', { mtime: exportedAt });
      zip.addBuffer(json(tasks), 'tasks.json', { mtime: exportedAt });
      zip.addBuffer(json(birthday ?? null), 'birthday.json', { mtime: exportedAt });
      zip.addBuffer(json(orders), 'orders.json', { mtime: exportedAt });
      zip.addBuffer(json(notifications), 'notifications.json', { mtime: exportedAt });
      zip.addReadStreamLazy('timeline.jsonl', { mtime: exportedAt }, (cb) =>
        cb(
          null,
          jsonLines((after) => repo.timelinePage(db, corpId, externalUserId, after, PAGE)),
        ),
      );
      zip.addReadStreamLazy('messages.jsonl', { mtime: exportedAt }, (cb) =>
        cb(
          null,
          jsonLines((after) => repo.messagePage(db, corpId, externalUserId, after, PAGE)),
        ),
      );
      for (const m of media) {
        const name = `media/${m.hash}${EXTENSIONS[m.mime] ? `.${EXTENSIONS[m.mime]}` : ''}`;
        zip.addReadStreamLazy(name, { mtime: exportedAt, compress: false }, (cb) => {
          deps.media.open(corpId, m.hash).then(
            (file) => cb(null, file ? file.stream : Readable.from([])),
            (err) => cb(err, Readable.from([])),
          );
        });
      }
      zip.end();
      return zip.outputStream as Readable;
    },

    /**
     * Erases the customer: every row that names them deleted or anonymised (repo.erase says which, per table), what
     * their messages taught the suggestion engine forgotten, their media files deleted, all in one transaction; then
     * the record. Counted rows are anonymised, not deleted, so the dashboards' figures do not change.
     */
    async erase(
      corpId: string,
      externalUserId: string,
      input: { confirm: string; operator?: string; reason?: string },
      from: string,
    ) {
      if (input.confirm !== externalUserId) throw new BadRequestError('确认内容与要删除的客户 ID 不一致', 'confirm');
      const at = deps.now();
      const { record, files } = await db.tx(async (tx) => {
        const { deleted, anonymised, files } = await repo.erase(tx, corpId, externalUserId);
        // Only rows that named the customer and went say they existed: anonymised ones are pseudonymous already.
        if (Object.values(deleted).every((n) => n === 0)) throw new NotFoundError('客户不存在或已删除');
        await deps.suggest.forgetCustomer(tx, corpId, externalUserId);
        const counts: Record<string, number> = { ...deleted };
        for (const [kind, n] of Object.entries(anonymised)) if (n > 0) counts[`${kind}Anonymised`] = n;
        const record = await repo.addErasure(tx, {
          corpId,
          externalUserId,
          erasedBy: `${input.operator ?? 'admin'} (admin token, ${from})`,
          reason: input.reason ?? '',
          counts,
          erasedAt: at,
        });
        return { record, files };
      });
      await deleteFiles(corpId, files);
      deps.log.info({ externalUserId, counts: record.counts }, 'customer data erased');
      return {
        id: record.id,
        externalUserId: record.externalUserId,
        erasedBy: record.erasedBy,
        reason: record.reason,
        counts: record.counts,
        erasedAt: record.erasedAt,
      };
    },

    async erasures(corpId: string) {
      return (await repo.erasures(db, corpId, 200)).map((r) => ({
        id: r.id,
        externalUserId: r.externalUserId,
        erasedBy: r.erasedBy,
        reason: r.reason,
        counts: r.counts,
        erasedAt: r.erasedAt,
      }));
    },
  };
}
export type PrivacyService = ReturnType<typeof createPrivacyService>;
