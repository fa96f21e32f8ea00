import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { suiteRandom } from '../../test/helpers/seeded-random.js';
import { withStatementCache } from './statement-cache.js';

describe('SQLite statement cache', () => {
  const random = suiteRandom();
  const opened: { close(): void }[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
  });
  const open = (capacity?: number) => {
    const raw = new SqliteDatabase(':memory:');
    raw.exec('create table t (id integer primary key, name text not null)');
    const db = withStatementCache(raw, capacity);
    opened.push(db);
    return db;
  };

  it('prepares each SQL text once and runs it again with new parameters', () => {
    const db = open();
    const insert = db.prepare('insert into t (name) values (?)');
    const names = Array.from({ length: 5 + random.int(10) }, (_, i) => `n${i}-${random.from('abc', 4)}`);
    for (const name of names) {
      expect(db.prepare('insert into t (name) values (?)')).toBe(insert);
      db.prepare('insert into t (name) values (?)').run([name]);
    }
    const select = 'select name from t where id = ?';
    expect(names.map((_, i) => db.prepare(select).all([i + 1]))).toEqual(names.map((name) => [{ name }]));
    expect(db.cachedStatements()).toBe(2);
  });

  it('keeps at most its capacity, the least recently used leaving first', () => {
    const db = open(2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // a is now the most recent: b leaves next
    db.prepare('select 3');
    expect(db.cachedStatements()).toBe(2);
    expect(db.prepare('select 1')).toBe(a);
    expect(db.prepare('select 2')).not.toBe(b);
  });

  it('answers with a statement prepared before the schema changed (a migration)', () => {
    const db = open();
    db.prepare('insert into t (name) values (?)').run(['before']);
    expect(db.prepare('select * from t').all([])).toEqual([{ id: 1, name: 'before' }]);
    db.prepare('alter table t add column note text').run([]);
    expect(db.prepare('select * from t').all([])).toEqual([{ id: 1, name: 'before', note: null }]);
  });
});
