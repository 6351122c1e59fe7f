import { afterAll, describe, expect, it } from 'vitest';
import type { InvalidationBus, InvalidationMessage } from '../cache/invalidation.js';
import { createKeyward } from '../engine/keyward.js';
import type { KeyStore } from '../store/types.js';

/** Two buses on one channel, as two instances of one app hold them. */
export interface InvalidationBusPair {
  /** The bus of the instance that publishes. */
  publisher: InvalidationBus;
  /** The bus of the instance that listens (the same object as `publisher` for a bus inside one process). */
  subscriber: InvalidationBus;
  /** Closes what the pair opened. */
  close?: () => Promise<void> | void;
}

/** A pair whose subscriber's connection the suite may break and bring back. */
export interface InterruptibleBusPair extends InvalidationBusPair {
  /** Breaks the connection (stops the server, say). */
  down(): Promise<void>;
  /** Brings it back. */
  up(): Promise<void>;
}

/** How to run the {@link InvalidationBus} contract against one bus. */
export interface InvalidationBusSuiteOptions {
  /** Shown in the test names. */
  name: string;
  /** A fresh pair of buses on a channel no other test uses. */
  createPair: () => Promise<InvalidationBusPair> | InvalidationBusPair;
  /**
   * A fresh pair whose connection can be broken, for the "messages may have been lost" contract.
   * Leave it out for a bus without a connection to lose (one inside a process).
   */
  createInterruptiblePair?: () => Promise<InterruptibleBusPair>;
  /**
   * Two stores over the same data, as two instances of one app see it, for the end-to-end check
   * that a revoke on one engine reaches the cache of the other. Both may be the same object.
   */
  createStores?: () => Promise<{ a: KeyStore; b: KeyStore; close?: () => Promise<void> | void }>;
  /**
   * Whether the messages of one publisher arrive in the order they were published. The engine
   * does not need it (each message only drops one entry), so a bus may say `false`.
   * @default true
   */
  ordered?: boolean;
  /** How long a message may take to arrive (ms). @default 1000 */
  deliveryTimeout?: number;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

let serial = 0;
const keyId = (label: string) => `key_${label}_${Date.now().toString(36)}${(serial++).toString(36)}`;

/**
 * The contract of an {@link InvalidationBus}, as the engine relies on it: a publish reaches every
 * subscriber (the publisher's own included) as exactly `{ keyId }`, at least once and in order;
 * unsubscribing stops one listener and not the others; a throwing listener costs the others
 * nothing; and when the connection is lost, `onError` is called when it drops and again once it is
 * back, so that the engine drops whatever it cached while it could not hear.
 */
export function describeInvalidationBus(options: InvalidationBusSuiteOptions): void {
  const timeout = options.deliveryTimeout ?? 1000;
  describe(`InvalidationBus contract: ${options.name}`, () => {
    const closers: (() => Promise<void> | void)[] = [];
    afterAll(async () => {
      for (const close of closers.reverse()) await close();
    });
    async function pair(): Promise<InvalidationBusPair> {
      const p = await options.createPair();
      if (p.close) closers.push(p.close);
      return p;
    }

    it('delivers a publish to the other instance and to the publisher itself, as exactly { keyId }', async () => {
      const { publisher, subscriber } = await pair();
      const there: InvalidationMessage[] = [];
      const here: InvalidationMessage[] = [];
      const stops = [await subscriber.subscribe((m) => there.push(m))];
      if (publisher !== subscriber) stops.push(await publisher.subscribe((m) => here.push(m)));
      const id = keyId('one');
      await publisher.publish({ keyId: id, extra: 'not sent' } as InvalidationMessage);
      await waitFor('the message', timeout, () => there.length > 0 && (publisher === subscriber || here.length > 0));
      expect(there[0]).toEqual({ keyId: id });
      if (publisher !== subscriber) expect(here[0]).toEqual({ keyId: id });
      for (const stop of stops) await stop();
    });

    it('delivers every message at least once, in publish order', async () => {
      const { publisher, subscriber } = await pair();
      const got: string[] = [];
      const stop = await subscriber.subscribe((m) => got.push(m.keyId));
      const sent = Array.from({ length: 25 }, (_, i) => keyId(`seq${i}`));
      for (const id of sent) await publisher.publish({ keyId: id });
      await waitFor('every message', timeout, () => sent.every((id) => got.includes(id)));
      const firstSeen = [...new Set(got)].filter((id) => sent.includes(id));
      if (options.ordered === false) expect([...firstSeen].sort()).toEqual([...sent].sort());
      else expect(firstSeen).toEqual(sent);
      await stop();
    });

    it('stops one listener on unsubscribe and keeps the others; unsubscribing twice is harmless', async () => {
      const { publisher, subscriber } = await pair();
      const first: string[] = [];
      const second: string[] = [];
      const stopFirst = await subscriber.subscribe((m) => first.push(m.keyId));
      const stopSecond = await subscriber.subscribe((m) => second.push(m.keyId));
      const a = keyId('a');
      await publisher.publish({ keyId: a });
      await waitFor('both listeners', timeout, () => first.includes(a) && second.includes(a));
      await stopFirst();
      await stopFirst();
      const b = keyId('b');
      await publisher.publish({ keyId: b });
      await waitFor('the remaining listener', timeout, () => second.includes(b));
      // A later message proves the first listener had its chance to (wrongly) hear `b`.
      const c = keyId('c');
      await publisher.publish({ keyId: c });
      await waitFor('the remaining listener', timeout, () => second.includes(c));
      expect(first).toEqual([a]);
      await stopSecond();
      await publisher.publish({ keyId: keyId('after') });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(second).toEqual([a, b, c]);
    });

    it('keeps delivering to the other listeners when one throws', async () => {
      const { publisher, subscriber } = await pair();
      const got: string[] = [];
      const stopBad = await subscriber.subscribe(() => {
        throw new Error('a listener that fails');
      });
      const stopGood = await subscriber.subscribe((m) => got.push(m.keyId));
      const id = keyId('throw');
      await publisher.publish({ keyId: id });
      await waitFor('the good listener', timeout, () => got.includes(id));
      const next = keyId('next');
      await publisher.publish({ keyId: next });
      await waitFor('the next message', timeout, () => got.includes(next));
      await stopBad();
      await stopGood();
    });

    it.skipIf(!options.createInterruptiblePair)(
      'tells onError when the connection drops and again once it is back, then delivers again',
      { timeout: 30_000 },
      async () => {
        const p = await options.createInterruptiblePair!();
        closers.push(() => p.close?.());
        const got: string[] = [];
        const errors: number[] = [];
        await p.subscriber.subscribe(
          (m) => got.push(m.keyId),
          () => errors.push(Date.now()),
        );
        const before = keyId('before');
        await p.publisher.publish({ keyId: before });
        await waitFor('a message before the drop', timeout, () => got.includes(before));
        expect(errors).toEqual([]);
        await p.down();
        await waitFor('onError after the drop', 5000, () => errors.length > 0);
        const upAt = Date.now();
        await p.up();
        const after = keyId('after');
        await waitFor('a message after the connection is back', 10_000, async () => {
          await p.publisher.publish({ keyId: after }).catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 50));
          return got.includes(after);
        });
        // Messages sent while it was down were missed: the engine must hear that after the return
        // too, or it would keep serving what it cached from then on.
        await waitFor('onError once the connection is back', 5000, () => errors.some((t) => t >= upAt));
      },
    );

    it.skipIf(!options.createStores)('lets a revoke on one engine reach the cache of another within the delivery time', async () => {
      const { publisher, subscriber } = await pair();
      const stores = await options.createStores!();
      if (stores.close) closers.push(stores.close);
      const one = createKeyward({ store: stores.a, invalidation: publisher, cache: { ttl: 60_000 } });
      const two = createKeyward({ store: stores.b, invalidation: subscriber, cache: { ttl: 60_000 } });
      closers.push(
        () => one.close(),
        () => two.close(),
      );
      await Promise.all([one.ready(), two.ready()]);
      const { key, record } = await one.create({ workspaceId: 'ws_invalidation_suite', name: 'cached' });
      const headers = { authorization: `Bearer ${key}` };
      expect((await two.verify(headers)).ok).toBe(true);
      expect((await two.verify(headers)).ok).toBe(true); // from the cache of `two` now
      await one.revoke(record.id);
      const revokedAt = Date.now();
      await waitFor('the other engine to refuse the revoked key', timeout, async () => !(await two.verify(headers)).ok);
      expect(Date.now() - revokedAt).toBeLessThan(timeout);
    });
  });
}
