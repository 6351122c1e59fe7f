import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
const db = new PGlite(process.argv[2]);
await db.waitReady;
const client = new pg.Client(createPgConfig(db));
await client.connect();
const got = [];
client.on('notification', (n) => got.push(n.payload));
client.on('error', (e) => console.log('client error', e));
await client.query('LISTEN "ch"');
await client.query('BEGIN');
await client.query("SELECT pg_notify('ch','two')");
console.log('in tx', db.isInTransaction());
await client.query('COMMIT');
console.log('after commit', got, db.isInTransaction());
try {
  await client.query('INSERT INTO nope VALUES (1)');
} catch (e) {
  console.log(e.constructor.name, e.code, e.severity);
}
await client.query('BEGIN');
try {
  await client.query('INSERT INTO nope VALUES (1)');
} catch {}
console.log('aborted tx', db.isInTransaction());
await client.query('ROLLBACK');
await client.query('ROLLBACK');
console.log('after rollbacks', db.isInTransaction());
await client.query('CREATE TABLE IF NOT EXISTS t (id text primary key, v text)');
function stats(a) {
  a.sort((x, y) => x - y);
  return `p50 ${(a[a.length >> 1] * 1000).toFixed(0)}us p99 ${(a[Math.floor(a.length * 0.99)] * 1000).toFixed(0)}us`;
}
const lat = [];
for (let i = 0; i < 3000; i++) {
  const s = performance.now();
  await client.query({ name: 'sel', text: 'SELECT v FROM t WHERE id = $1', values: ['k' + (i % 200)] });
  lat.push(performance.now() - s);
}
console.log('client named select', stats(lat));
// parallel
const t = performance.now();
await Promise.all(
  Array.from({ length: 3000 }, (_, i) => client.query({ name: 'sel', text: 'SELECT v FROM t WHERE id = $1', values: ['k' + (i % 200)] })),
);
console.log('3000 parallel ms', (performance.now() - t).toFixed(0));
await client.end();
await db.close();
