import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The stand-in Finance SDK (native/finance-sdk): the official C ABI, fed by the emulator. Tests and the demo load
 * it like the real library; it is built with make the first time, and again whenever a source is newer.
 */
export const STAND_IN_SDK_DIR = fileURLToPath(new URL('../../native/finance-sdk/', import.meta.url));
export const STAND_IN_SDK_PATH = join(STAND_IN_SDK_DIR, 'build', 'libWeWorkFinanceSdk_C.so');
/** Where the stand-in finds the emulator: `<origin>/emulator/finance-sdk`. */
export const STAND_IN_URL_ENV = 'WECOM_FINANCE_STANDIN_URL';

const execFileAsync = promisify(execFile);

function mtimeMs(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Whether the library is missing or older than a source file (C, header or Makefile). */
export function standInSdkIsStale(): boolean {
  const built = mtimeMs(STAND_IN_SDK_PATH);
  if (built === null) return true;
  return readdirSync(STAND_IN_SDK_DIR)
    .filter((name) => (/\.(c|h)$/.test(name) && name !== 'selftest.c') || name === 'Makefile')
    .some((name) => (mtimeMs(join(STAND_IN_SDK_DIR, name)) ?? 0) > built);
}

/** Builds the stand-in when needed (gcc and make) and returns its path. */
export async function ensureStandInSdk(): Promise<string> {
  if (!standInSdkIsStale()) return STAND_IN_SDK_PATH;
  try {
    await execFileAsync('make', ['-s', '-C', STAND_IN_SDK_DIR], { timeout: 120_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`building the stand-in Finance SDK failed (make -C ${STAND_IN_SDK_DIR}): ${e.stderr || e.message}`);
  }
  return STAND_IN_SDK_PATH;
}

/** The stand-in's endpoint on an emulator mounted at `<origin>/emulator`. */
export function standInSdkUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/emulator/finance-sdk`;
}
