import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or until `signal` aborts (the emulator shutting down): resolves either way, never rejects. */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  }
}
