/** One `/cgi-bin` request the emulator answered, as recorded for tests and the demo. */
export interface CallRecord {
  /** Emulator clock, ms. */
  at: number;
  method: string;
  /** Without the `/emulator` prefix, e.g. `/cgi-bin/externalcontact/get`. */
  path: string;
  /** As received (a fake corp: nothing secret to hide). */
  query: Record<string, string>;
  body: unknown;
  response: unknown;
}

/** Bounded so a long-running demo does not grow without limit. */
const MAX_CALLS = 5000;

export class CallLog {
  private readonly records: CallRecord[] = [];

  add(record: CallRecord): void {
    this.records.push(record);
    if (this.records.length > MAX_CALLS) this.records.splice(0, this.records.length - MAX_CALLS);
  }

  /** All calls, or those of one path (with or without the `/emulator` prefix). */
  list(path?: string): CallRecord[] {
    const wanted = path ? normalizeApiPath(path) : undefined;
    return this.records.filter((r) => wanted === undefined || r.path === wanted).map((r) => structuredClone(r));
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** `/emulator/cgi-bin/x?y` and `cgi-bin/x` both become `/cgi-bin/x`. */
export function normalizeApiPath(path: string): string {
  let p = path.trim().split('?')[0] ?? '';
  if (!p.startsWith('/')) p = `/${p}`;
  if (p.startsWith('/emulator/')) p = p.slice('/emulator'.length);
  return p.replace(/\/+$/, '');
}
