import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import { bearer, tipar } from '../engine/test-support.js';

/** Every run of 8 characters of `secret`: none may be left in what the audit log keeps. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));
}

describe('the audit recorder and user agents', () => {
  it('scrubs keys before it clips: a key across the 512th character leaves nothing of its secret', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format: tipar, audit: true });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    await keyward.revoke((await keyward.list({ workspaceId: 'ws' })).items[0]!.id);
    const secret = key.slice('tipar_live_'.length);
    // The key starts 30 characters before the clip, so that a clip first would keep most of it.
    for (const at of [482, 500, 505, 511]) {
      const userAgent = `${'x'.repeat(at - 1)} ${key} tail`;
      await keyward.verify(bearer(key), { request: { userAgent }, workspaceId: `ws_${at}` });
    }
    await keyward.flush();
    const kept = store.dumpAudit();
    expect(kept).toContain('verify.');
    for (const piece of pieces(secret)) expect(kept).not.toContain(piece);
    const events = JSON.parse(kept) as { userAgent: string | null }[];
    const agents = events.map((e) => e.userAgent).filter((ua): ua is string => ua !== null);
    expect(agents.length).toBeGreaterThanOrEqual(4);
    for (const ua of agents) expect(ua.length).toBeLessThanOrEqual(512);
  });

  it('redacts what looks like a key of a format even when its checksum fails', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format: tipar, audit: true });
    const real = tipar.generate().key;
    const mistyped = real.slice(0, 20) + (real[20] === 'a' ? 'b' : 'a') + real.slice(21);
    await keyward.verify(bearer(real), { request: { userAgent: `script/1.0 (key=${mistyped})` } });
    await keyward.flush();
    const kept = store.dumpAudit();
    expect(kept).toContain('script/1.0 (key=tipar_');
    for (const piece of pieces(mistyped.slice(11))) expect(kept).not.toContain(piece);
  });
});
