/**
 * The customers of the welcome benchmark: they add reps through channel codes at a steady rate (the emulator sends
 * WeCom's callbacks), and afterwards we count, from what the emulator received, how often each was tagged and
 * welcomed. Used in-process or inside the separate WeCom process (bench-welcome-wecom.ts).
 */
import type { CallRecord, Emulator } from '../server/emulator/index.js';

export interface DriveCode {
  state: string;
  reps: string[];
  tagIds: string[];
}

export interface Driven {
  adds: number;
  achievedRate: number;
  failures: string[];
}

export interface Counted {
  tagDuplicates: number;
  tagMisses: number;
  welcomeDuplicates: number;
  welcomeMisses: number;
  /** Per welcome sent: ms from the add (the emulator starting its callback) to WeCom accepting send_welcome_msg. */
  welcomeLatencies: number[];
  /** Every WeCom API call the server made during the run, by path. */
  calls: Record<string, number>;
}

const MARK_TAG = '/cgi-bin/externalcontact/mark_tag';
const SEND_WELCOME = '/cgi-bin/externalcontact/send_welcome_msg';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Added {
  /** When the customer added the rep (emulator clock, ms): WeCom's 20-second window starts here. */
  at: number;
  externalUserId: string;
  userId: string;
  welcomeCode: string | null;
  tagIds: string[];
}

export class CustomerDriver {
  private readonly added: Added[] = [];
  /** Successful mark_tag calls per customer. */
  private readonly marks = new Map<string, number>();
  /** Successful send_welcome_msg calls per welcome code (the emulator keeps only its last 1000 welcome records). */
  private readonly welcomes = new Map<string, number>();
  /** When WeCom first accepted each welcome code's message. */
  private readonly welcomedAt = new Map<string, number>();
  private calls: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly emulator: Emulator) {
    this.drainCalls();
    this.timer = setInterval(() => this.drainCalls(), 200);
    this.timer.unref();
  }

  /** The call log is bounded (5000): drained as it fills. calls() and clearCalls() run in one tick, losing nothing. */
  drainCalls(): void {
    const batch: CallRecord[] = this.emulator.calls();
    this.emulator.clearCalls();
    for (const c of batch) {
      this.calls[c.path] = (this.calls[c.path] ?? 0) + 1;
      if ((c.response as { errcode?: number }).errcode !== 0) continue;
      if (c.path === MARK_TAG) {
        const id = (c.body as { external_userid: string }).external_userid;
        this.marks.set(id, (this.marks.get(id) ?? 0) + 1);
      } else if (c.path === SEND_WELCOME) {
        const code = (c.body as { welcome_code: string }).welcome_code;
        this.welcomes.set(code, (this.welcomes.get(code) ?? 0) + 1);
        if (!this.welcomedAt.has(code)) this.welcomedAt.set(code, c.at);
      }
    }
  }

  async drive(rate: number, seconds: number, codes: DriveCode[]): Promise<Driven> {
    this.drainCalls();
    this.calls = {};
    const total = rate * seconds;
    const failures: string[] = [];
    const inflight = new Set<Promise<void>>();
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      const code = codes[i % codes.length]!;
      const userId = code.reps[Math.floor(i / codes.length) % code.reps.length]!;
      const at = Date.now();
      const p = this.emulator
        .simulate({ changeType: 'add_external_contact', userId, state: code.state, name: `压测客户${i}` })
        .then((r) => {
          if (!r.deliveries.some((d) => d.status === 200))
            failures.push(`callback not accepted for ${r.externalUserId}`);
          this.added.push({
            at,
            externalUserId: r.externalUserId,
            userId,
            welcomeCode: r.welcomeCode,
            tagIds: code.tagIds,
          });
        })
        .catch((err: unknown) => void failures.push(String(err)))
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    const achievedRate = Math.round(total / ((performance.now() - started) / 1000));
    await Promise.all(inflight);
    return { adds: total, achievedRate, failures };
  }

  collect(): Counted {
    this.drainCalls();
    clearInterval(this.timer);
    const tagsOnFollow = new Map<string, Set<string>>();
    for (const c of this.emulator.snapshot().customers) {
      for (const f of c.follow_user) {
        tagsOnFollow.set(`${c.external_userid}|${f.userid}`, new Set((f.tags ?? []).map((t) => t.tag_id ?? '')));
      }
    }
    const counted: Counted = {
      tagDuplicates: 0,
      tagMisses: 0,
      welcomeDuplicates: 0,
      welcomeMisses: 0,
      welcomeLatencies: [],
      calls: this.calls,
    };
    for (const a of this.added) {
      const n = this.marks.get(a.externalUserId) ?? 0;
      counted.tagDuplicates += Math.max(0, n - 1);
      const onFollow = tagsOnFollow.get(`${a.externalUserId}|${a.userId}`) ?? new Set<string>();
      if (n === 0 || !a.tagIds.every((t) => onFollow.has(t))) counted.tagMisses += 1;
      const w = a.welcomeCode ? (this.welcomes.get(a.welcomeCode) ?? 0) : 0;
      counted.welcomeDuplicates += Math.max(0, w - 1);
      if (w === 0) counted.welcomeMisses += 1;
      const sentAt = a.welcomeCode ? this.welcomedAt.get(a.welcomeCode) : undefined;
      if (sentAt !== undefined) counted.welcomeLatencies.push(sentAt - a.at);
    }
    return counted;
  }
}
