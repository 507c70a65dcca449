import type { Database, Executor } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { DirectoryService } from '../directory/service.js';
import type { Welcome, WelcomeInput, WelcomePreview, WelcomePreviewBody } from '../../../shared/schemas/welcome.js';
import { normalizeWelcome, slotsOf, welcomeFromRows, welcomeToRows, type WelcomeContent } from './model.js';
import type { WelcomeRepo } from './repo.js';
import { renderWelcomeText } from './template.js';
import { selectBySlot } from './time-slot.js';

export interface ChosenWelcome {
  source: 'channel' | 'default';
  /** Index of the time-slot variant, or null for the base message. */
  variant: number | null;
  content: WelcomeContent;
}

const SAMPLE_CUSTOMER = '王小明';

/** Welcome messages (欢迎语): per channel plus a corp default, with time-slot variants and placeholders. */
export function createWelcomeService(deps: {
  db: Database;
  repo: WelcomeRepo;
  reps: Pick<DirectoryService, 'findRep'>;
  /** The reps of a live channel, primary first, or null when there is no such channel. */
  channelReps: (corpId: string, channelId: number) => Promise<string[] | null>;
  /** The corp's IANA zone: time slots are read on its clocks. */
  timeZone: string;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  /** The welcome of a channel (or the default, `channelId` null); `ex` to read it inside a caller's transaction. */
  async function forChannel(corpId: string, channelId: number | null, ex: Executor = db): Promise<Welcome | null> {
    return welcomeFromRows(await deps.repo.list(ex, corpId, channelId));
  }

  function pick(w: Welcome, source: ChosenWelcome['source'], atMs: number): ChosenWelcome {
    const { message, index } = selectBySlot<WelcomeContent>(w, slotsOf(w), atMs, deps.timeZone);
    return { source, variant: index, content: { text: message.text, attachments: message.attachments } };
  }

  /**
   * What a customer added at `atMs` gets: the channel's welcome (its variant for that time, if any), else the
   * corp default, else nothing.
   */
  async function choose(corpId: string, channelId: number | null, atMs: number): Promise<ChosenWelcome | null> {
    const own = channelId === null ? null : await forChannel(corpId, channelId);
    if (own) return pick(own, 'channel', atMs);
    const fallback = await forChannel(corpId, null);
    return fallback ? pick(fallback, 'default', atMs) : null;
  }

  function render(content: WelcomeContent, vars: { customerName: string; repName: string }): WelcomeContent {
    return { text: renderWelcomeText(content.text, vars), attachments: content.attachments };
  }

  return {
    normalize: normalizeWelcome,
    forChannel,

    /** Saves a channel's welcome (null removes it), in the caller's transaction. */
    async saveForChannel(ex: Executor, corpId: string, channelId: number, welcome: Welcome | null): Promise<void> {
      await deps.repo.replace(ex, corpId, channelId, welcome ? welcomeToRows(welcome) : [], now());
    },

    getDefault(corpId: string): Promise<Welcome | null> {
      return forChannel(corpId, null);
    },

    async setDefault(corpId: string, input: WelcomeInput): Promise<Welcome> {
      const welcome = normalizeWelcome(input);
      await db.tx((tx) => deps.repo.replace(tx, corpId, null, welcomeToRows(welcome), now()));
      return (await forChannel(corpId, null))!;
    },

    async clearDefault(corpId: string): Promise<void> {
      await db.tx((tx) => deps.repo.replace(tx, corpId, null, [], now()));
    },

    choose,
    render,

    /** Renders for a sample customer: an unsaved welcome, a channel's, or the default. */
    async preview(corpId: string, body: WelcomePreviewBody): Promise<WelcomePreview> {
      const atMs = body.at ? Date.parse(body.at) : now();
      if (Number.isNaN(atMs)) throw new BadRequestError('时间格式无效', 'at');
      let repIds: string[] = [];
      if (body.channelId !== undefined) {
        const reps = await deps.channelReps(corpId, body.channelId);
        if (!reps) throw new NotFoundError('渠道活码不存在');
        repIds = reps;
      }
      const userId = body.userId ?? repIds[0];
      let repName = '';
      if (userId) {
        const rep = await deps.reps.findRep(corpId, userId);
        if (!rep) throw new BadRequestError('员工不存在', 'userId');
        repName = rep.name;
      }
      let chosen: { source: WelcomePreview['source']; variant: number | null; content: WelcomeContent } | null;
      if (body.welcome) {
        const w = normalizeWelcome(body.welcome);
        const picked = pick(w, 'channel', atMs);
        chosen = { ...picked, source: 'inline' };
      } else {
        chosen = await choose(corpId, body.channelId ?? null, atMs);
      }
      if (!chosen) return { source: 'none', variant: null, text: '', attachments: [] };
      const rendered = render(chosen.content, { customerName: body.customerName ?? SAMPLE_CUSTOMER, repName });
      return { source: chosen.source, variant: chosen.variant, text: rendered.text, attachments: rendered.attachments };
    },
  };
}
export type WelcomeService = ReturnType<typeof createWelcomeService>;
