/**
 * Another commit of this repository checked out beside it (a temporary `git worktree`, sharing this checkout's
 * node_modules), so a benchmark can run the implementation before a change the same way, in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THIS_ROOT } from './bench-system.js';

export interface Checkout {
  root: string;
  commit: string;
  remove(): void;
}

export function checkout(commit: string): Checkout {
  const root = join(mkdtempSync(join(tmpdir(), 'scrm-bench-checkout-')), 'repo');
  execFileSync('git', ['worktree', 'add', '--detach', root, commit], { cwd: THIS_ROOT, stdio: 'ignore' });
  const modules = join(THIS_ROOT, 'node_modules');
  if (existsSync(modules)) symlinkSync(realpathSync(modules), join(root, 'node_modules'));
  return {
    root,
    commit,
    remove() {
      execFileSync('git', ['worktree', 'remove', '--force', root], { cwd: THIS_ROOT, stdio: 'ignore' });
    },
  };
}
