/**
 * Online backup of the SQLite database (safe while the server runs: SQLite's backup API copies a consistent
 * snapshot, WAL included) and of the key that opens the secrets inside it.
 *
 *   npm run backup -- [destination folder]     (default ./backups/<timestamp>)
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

export async function backupDatabase(databasePath: string, destinationDir: string): Promise<string[]> {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  mkdirSync(destinationDir, { recursive: true });
  const written: string[] = [];
  const target = join(destinationDir, 'scrm.db');
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  written.push(target);
  const key = join(dirname(resolve(databasePath)), 'secret.key');
  if (existsSync(key)) {
    copyFileSync(key, join(destinationDir, 'secret.key'));
    written.push(join(destinationDir, 'secret.key'));
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const databasePath = process.env.DATABASE_PATH ?? './data/scrm.db';
  const destination = process.argv[2] ?? join('backups', new Date().toISOString().replace(/[:.]/g, '-'));
  const written = await backupDatabase(databasePath, destination);
  console.log(`backed up ${databasePath} to:\n${written.map((w) => `  ${w}`).join('\n')}`);
  console.log('Keep secret.key with the database (or set SECRET_KEY): without it the corp secrets cannot be opened.');
}
