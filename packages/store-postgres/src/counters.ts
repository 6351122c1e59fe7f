import { gcra, gcraState, type CounterRequest, type CounterResult, type CounterStore } from '@keyward/core/store';
import type { Pool, PoolClient } from 'pg';
import { translateError } from './errors.js';
import type { TableNames } from './identifiers.js';
import { statement } from './statement.js';

/**
 * Rate-limit and quota counters on PostgreSQL. One transaction per request; each counter is one
 * conditional upsert (`INSERT … ON CONFLICT DO UPDATE … WHERE <fits> RETURNING`): the row lock
 * of the upsert makes check-and-consume atomic across processes, never a read-then-write. When
 * any counter does not fit, the transaction rolls back, so a request refused by one limit consumes
 * none of the others. Counters are locked in name order, so concurrent requests cannot deadlock.
 *
 * `value` is a GCRA arrival time (ms) for a rate limit, the units used for a quota; `expires_at`
 * says when a row means nothing any more (`pruneCounters` deletes those).
 */
export function postgresCounters(pool: Pool, t: TableNames): CounterStore & { pruneCounters(now?: Date): Promise<number> } {
  const rate =
    statement(`INSERT INTO ${t.counters} AS c (key, value, expires_at) VALUES ($1, $2::float8 + $3::float8, to_timestamp(($2::float8 + $3::float8) / 1000))
ON CONFLICT (key) DO UPDATE SET value = GREATEST(c.value, $2::float8) + $3::float8, expires_at = to_timestamp((GREATEST(c.value, $2::float8) + $3::float8) / 1000)
WHERE GREATEST(c.value, $2::float8) + $3::float8 - $2::float8 <= $4::float8
RETURNING value`);
  const quota = statement(`INSERT INTO ${t.counters} AS c (key, value, expires_at) VALUES ($1, $2::float8, to_timestamp($4::float8 / 1000))
ON CONFLICT (key) DO UPDATE SET value = (CASE WHEN c.expires_at <= to_timestamp($5::float8 / 1000) THEN 0 ELSE c.value END) + $2::float8, expires_at = to_timestamp($4::float8 / 1000)
WHERE (CASE WHEN c.expires_at <= to_timestamp($5::float8 / 1000) THEN 0 ELSE c.value END) + $2::float8 <= $3::float8
RETURNING value`);
  const read = `SELECT key, value FROM ${t.counters} WHERE key = ANY($1::text[]) AND expires_at > to_timestamp($2::float8 / 1000)`;

  async function current(client: Pool | PoolClient, keys: string[], now: number): Promise<Map<string, number>> {
    const { rows } = await client.query<{ key: string; value: number }>(read, [keys, now]);
    return new Map(rows.map((r) => [r.key, Number(r.value)]));
  }

  /** A refusal, from the counters as they are (nothing consumed) and what refused. */
  function refusal(request: CounterRequest, values: Map<string, number>, failed: number): CounterResult {
    const { now } = request;
    const q = request.quota;
    const used = q === null ? 0 : (values.get(q.key) ?? 0);
    const byRate = failed < request.rates.length;
    const r = byRate ? request.rates[failed]! : null;
    return {
      refused: byRate ? { rate: failed } : { quota: true },
      retryAfterMs: r ? gcra(values.get(r.key) ?? null, now, 1, r.limit, r.windowMs).waitMs : Math.max(0, q!.resetAt - now),
      rates: request.rates.map((x) => gcraState(values.get(x.key) ?? null, now, x.limit, x.windowMs)),
      quota: q === null ? null : { remaining: Math.max(0, q.limit - used) },
    };
  }

  /** An admission, from the counters after it. */
  function admission(request: CounterRequest, after: Map<string, number>): CounterResult {
    const q = request.quota;
    return {
      refused: null,
      retryAfterMs: 0,
      rates: request.rates.map((x) => gcraState(after.get(x.key) ?? null, request.now, x.limit, x.windowMs)),
      quota: q === null ? null : { remaining: Math.max(0, q.limit - (after.get(q.key) ?? 0)) },
    };
  }

  /** What a request would do, without writing: the same arithmetic as the upserts. */
  function simulate(request: CounterRequest, before: Map<string, number>): CounterResult {
    const { now, cost } = request;
    const after = new Map(before);
    for (let i = 0; i < request.rates.length; i++) {
      const r = request.rates[i]!;
      const g = gcra(before.get(r.key) ?? null, now, 1, r.limit, r.windowMs);
      if (!g.ok) return refusal(request, before, i);
      after.set(r.key, g.tat);
    }
    const q = request.quota;
    if (q !== null) {
      const used = before.get(q.key) ?? 0;
      if (used + cost > q.limit) return refusal(request, before, request.rates.length);
      after.set(q.key, used + cost);
    }
    return admission(request, after);
  }

  return {
    async consumeCounters(request: CounterRequest): Promise<CounterResult> {
      const { now, cost } = request;
      const keys = [...request.rates.map((r) => r.key), ...(request.quota ? [request.quota.key] : [])];
      try {
        if (request.dryRun) return simulate(request, await current(pool, keys, now));
        const signal = request.signal;
        signal?.throwIfAborted();
        const client = await pool.connect();
        let release = true;
        // The engine stopped waiting (storeTimeout, a 503): drop the connection, so that a server
        // that comes back sees the transaction end uncommitted, instead of COMMIT arriving late.
        const drop = () => {
          if (!release) return;
          release = false;
          client.release(signal!.reason instanceof Error ? signal!.reason : new Error('the counter request was aborted'));
        };
        if (signal?.aborted) drop();
        signal?.addEventListener('abort', drop, { once: true });
        try {
          signal?.throwIfAborted();
          await client.query('BEGIN');
          // Each counter is one conditional upsert; in name order (one lock order for all requests).
          const order = keys.map((key, i) => ({ key, i })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          const after = new Map<string, number>();
          let failed = -1;
          for (const { key, i } of order) {
            signal?.throwIfAborted();
            let row: { value: number } | undefined;
            if (i < request.rates.length) {
              const r = request.rates[i]!;
              // A rate limit counts one request, whatever the request's cost.
              row = (await client.query<{ value: number }>({ ...rate, values: [key, now, r.windowMs / r.limit, r.windowMs] })).rows[0];
            } else {
              const q = request.quota!;
              if (cost <= q.limit) row = (await client.query<{ value: number }>({ ...quota, values: [key, cost, q.limit, q.resetAt, now] })).rows[0];
            }
            if (row === undefined) {
              failed = i;
              break;
            }
            after.set(key, Number(row.value));
          }
          if (failed < 0) {
            // COMMIT only for a caller who still waits: once aborted, the transaction rolls back.
            signal?.throwIfAborted();
            await client.query('COMMIT');
            return admission(request, after);
          }
          await client.query('ROLLBACK');
          return refusal(request, await current(client, keys, now), failed);
        } catch (error) {
          if (release) {
            release = false;
            await client.query('ROLLBACK').catch(() => undefined);
            client.release(error as Error);
          }
          throw error;
        } finally {
          signal?.removeEventListener('abort', drop);
          if (release) client.release();
        }
      } catch (error) {
        throw translateError(error);
      }
    },

    async pruneCounters(now = new Date()): Promise<number> {
      try {
        const { rowCount } = await pool.query(`DELETE FROM ${t.counters} WHERE expires_at <= $1`, [now]);
        return rowCount ?? 0;
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}
