import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every file a test run writes under the OS temp directory (SQLite files, backups, keys,
 * migration copies, the browser's profile) goes into one directory of its own, removed when the run ends. Test
 * workers inherit TMPDIR from this process, and `os.tmpdir()` reads it on every call.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'scrm-test-run-'));
  // Traversable by others: `npm run test:pg` runs PostgreSQL as the `postgres` user under this folder.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
