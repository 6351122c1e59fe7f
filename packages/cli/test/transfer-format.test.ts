// The file of `keyward export` / `import`, read back: what a good file holds, and each way a file
// can be wrong, refused with the line that is.
import { sampleStoredKey } from '@keyward/core/testing';
import { describe, expect, it } from 'vitest';
import { footer, header, line, parseTransfer } from '../src/commands/transfer-format.js';

const key = sampleStoredKey({ revokedAt: new Date(Date.UTC(2026, 1, 3)) });
const usage = { keyId: key.id, workspaceId: key.workspaceId, day: '2026-11-30', count: 7 };
const counter = { key: 'q:ws_1:2026-11', value: 12, expiresAt: new Date(Date.UTC(2026, 11, 1)) };
const good = [
  header(new Date()),
  line('key', key),
  line('usage', usage),
  line('counter', counter),
  footer({ key: 1, usage: 1, audit: 0, counter: 1 }),
];

describe('transfer format', () => {
  it('reads back what it wrote, dates as dates', () => {
    const read = parseTransfer(good.join('\n'));
    expect(read.keys).toEqual([key]);
    expect(read.usage).toEqual([usage]);
    expect(read.counters).toEqual([counter]);
    expect(read.audit).toEqual([]);
  });

  it('refuses a foreign file, a bad line, a cut file and wrong counts, naming the line', () => {
    expect(() => parseTransfer('{"hello":1}')).toThrow(/line 1: not a keyward export/);
    expect(() => parseTransfer([good[0], 'not json', ...good.slice(1)].join('\n'))).toThrow(/line 2: not JSON/);
    const badDate = line('key', key).replace(/"createdAt":"[^"]+"/, '"createdAt":"yesterday"');
    expect(() => parseTransfer([good[0], badDate, ...good.slice(2)].join('\n'))).toThrow(/line 2: key.createdAt: expected an ISO 8601 date/);
    expect(() => parseTransfer(good.slice(0, -1).join('\n'))).toThrow(/cut short/);
    expect(() => parseTransfer([...good.slice(0, 2), ...good.slice(3)].join('\n'))).toThrow(/counts 1 usage records, the file holds 0/);
    expect(() => parseTransfer([...good, line('key', key)].join('\n'))).toThrow(/nothing may follow/);
    expect(() => parseTransfer([good[0], '{"type":"secret"}', ...good.slice(1)].join('\n'))).toThrow(/unknown type/);
  });
});
