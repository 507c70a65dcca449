import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EmulatorData } from './types.js';

const SAVE_DEBOUNCE_MS = 250;

/**
 * The optional JSON state file: customers added in demo mode survive a restart. Writes are debounced and atomic
 * (write a temp file beside it, then rename), so a crash mid-write never leaves a truncated file.
 */
export class StateFile {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly path: string,
    private readonly read: () => EmulatorData,
    private readonly onError: (err: unknown) => void = (err) => console.error('emulator: saving state failed', err),
  ) {}

  /** The saved state, or null when there is none (or it belongs to another corp / format). */
  load(corpId: string): EmulatorData | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const data = JSON.parse(text) as Partial<EmulatorData>;
      if (data.version !== 1 || data.corpId !== corpId || !Array.isArray(data.customers)) return null;
      // Collections added after the file was written start empty.
      const lists = [
        'departments',
        'reps',
        'tagGroups',
        'tags',
        'contactWays',
        'groupChats',
        'welcomeMessages',
        'webhookMessages',
        'appMessages',
        'msgTemplates',
        'media',
        'activity',
      ] as const;
      const filled = { ...data } as Record<string, unknown>;
      for (const key of lists) if (!Array.isArray(filled[key])) filled[key] = [];
      return filled as unknown as EmulatorData;
    } catch {
      // A corrupt file is replaced by fresh seed data on the next save rather than crashing the demo.
      return null;
    }
  }

  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.write();
      } catch (err) {
        this.onError(err);
      }
    }, SAVE_DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Writes now if a save is pending. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.write();
  }

  write(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, JSON.stringify(this.read()), 'utf8');
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}
