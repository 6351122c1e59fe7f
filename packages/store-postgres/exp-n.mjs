import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
const db = new PGlite(process.argv[2]);
await db.waitReady;
const pool = new pg.Pool({ ...createPgConfig(db), idleTimeoutMillis: 0 });
const got = [];
pool.on('connect', (c) => {
  console.log('connect event');
  c.on('notification', (n) => got.push(n.payload));
});
await pool.query('LISTEN "ch"');
await pool.query("SELECT pg_notify('ch', 'one')");
console.log('after notify', got);
await pool.query('SELECT 1');
console.log('after select', got);
const c = await pool.connect();
await c.query('BEGIN');
await c.query("SELECT pg_notify('ch','two')");
console.log('in tx', got);
await c.query('COMMIT');
console.log('after commit', got);
c.release(new Error('x'));
await pool.query("SELECT pg_notify('ch', 'three')");
console.log('after new client', got, db.isInTransaction());
try {
  await pool.query('INSERT INTO nope VALUES (1)');
} catch (e) {
  console.log(e.constructor.name, e.code, e.severity, Object.keys(e));
}
await pool.query('CREATE TABLE IF NOT EXISTS u (id text primary key)');
await pool.query("INSERT INTO u VALUES ('a') ON CONFLICT DO NOTHING");
try {
  await pool.query("INSERT INTO u VALUES ('a')");
} catch (e) {
  console.log(e.code, e.constraint, e.detail);
}
await pool.end();
await db.close();
