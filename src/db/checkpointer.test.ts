import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(ok(), what);
};

test('with checkpoints off in commits, the thread copies the WAL into the database file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
  const file = path.join(dir, 'lanyard.sqlite');
  const db = new SQLite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table t (x text)');
    const insert = db.prepare('insert into t values (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000));
    })();
    const before = fs.statSync(file).size;
    assert.ok(before < 100_000, 'the rows are in the WAL only');
    const checkpointer = startCheckpointer(file, () => assert.fail('the thread failed'), 20);
    await until('the database file holds the rows', () => fs.statSync(file).size > 2_000_000);
    await checkpointer.stop();
    assert.equal((db.prepare('select count(*) as n from t').get() as { n: number }).n, 2000);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that cannot open the database hands checkpoints back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
  try {
    let failed = false;
    startCheckpointer(path.join(dir, 'no-such-folder', 'x.sqlite'), () => (failed = true), 20);
    await until('onFailure was called', () => failed);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
