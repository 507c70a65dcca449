import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The committed SQLite migrations, cut after `count` entries: a database as an older release left it. */
export function migrationsUpTo(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'scrm-migrations-'));
  cpSync('migrations/sqlite', folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}
