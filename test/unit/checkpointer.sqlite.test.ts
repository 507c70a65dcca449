import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../server/db/checkpointer.js';
import { waitFor } from '../support/app.js';

function walDatabase(): { path: string; db: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'scrm-ckpt-')), 'scrm.db');
  const db = new Database(path);
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  // Only the thread may copy frames into the file in these tests.
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE rows (body TEXT NOT NULL)');
  return { path, db };
}

describe('WAL checkpointer thread', () => {
  it('copies what the server commits into the database file, then stops and lets the WAL go on close', async () => {
    const { path, db } = walDatabase();
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(path, (err) => errors.push(err));
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.padEnd(1000, 'x'));
    })();
    // ~2 MB of rows sit in the WAL; the database file holds them only once a checkpoint has run.
    await waitFor(() => statSync(path).size > 2_000_000, 'the checkpointer to copy the rows into the file', 5000);
    await checkpointer.stop();
    expect(errors).toEqual([]);

    // Stopped: further commits stay in the WAL.
    const sizeAfterStop = statSync(path).size;
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(`late ${i} `.padEnd(1000, 'y'));
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(statSync(path).size).toBe(sizeAfterStop);

    // The thread's connection is closed, so the server's is the last one: closing it checkpoints and removes the WAL.
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 2500 });
    reopened.close();
  });

  it('reports a database it cannot open, and stop() still settles', async () => {
    const errors: Error[] = [];
    const missing = join(mkdtempSync(join(tmpdir(), 'scrm-ckpt-')), 'absent.db');
    const checkpointer = startCheckpointer(missing, (err) => errors.push(err));
    await waitFor(() => errors.length > 0, 'the error', 5000);
    await checkpointer.stop();
    expect(errors[0]!.message).toMatch(/unable to open database file \(SQLITE_CANTOPEN\)/);
    expect(existsSync(missing)).toBe(false);
  });
});
