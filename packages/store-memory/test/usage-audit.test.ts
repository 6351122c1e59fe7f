import { createKeyward } from '@keyward/core';
import { describeAuditStore, describeUsageStore } from '@keyward/core/testing';
import { memoryStore, type MemoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';

describeUsageStore({ name: 'memory', createStore: () => memoryStore() });

describeAuditStore({
  name: 'memory',
  createStore: () => memoryStore(),
  dumpRaw: (store: MemoryStore) => store.dumpAudit(),
});

describe('memory audit log bound', () => {
  it('keeps at most maxAuditEvents events, dropping the oldest', async () => {
    const store = memoryStore({ maxAuditEvents: 100 });
    const keyward = createKeyward({ store, audit: { flushInterval: '1h' } });
    for (let i = 0; i < 450; i++) await keyward.create({ workspaceId: 'ws_bound', name: `k${i}` });
    await keyward.close();
    expect(store.auditSize).toBeLessThanOrEqual(100);
    const page = await keyward.auditLog({ workspaceId: 'ws_bound', limit: 1000 });
    expect(page.items[0]!.details).toMatchObject({ name: 'k449' });
    expect(page.items.length).toBe(store.auditSize);
  });
});
