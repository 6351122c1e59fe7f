import { KeywardError, type AuditEvent, type AuditRange, type ListPage } from '@keyward/core/store';

interface Entry {
  readonly seq: number;
  readonly event: AuditEvent;
}

function decodeCursor(cursor: string): { t: number; seq: number } {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(cursor);
  if (!m || Math.abs(Number(m[1])) > 8.64e15)
    throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  return { t: Number(m[1]), seq: Number(m[2]) };
}

/**
 * The newest `maxEvents` audit events, in an array: the oldest are dropped first, so a flood cannot
 * grow memory past the bound.
 */
export function memoryAuditLog(maxEvents: number) {
  let entries: Entry[] = [];
  let seq = 0;
  return {
    get auditSize(): number {
      return entries.length;
    },
    dumpAudit: (): string => JSON.stringify(entries.map((e) => e.event)),
    async appendAudit(events: readonly AuditEvent[]): Promise<void> {
      for (const event of events) {
        entries.push({
          seq: ++seq,
          event: Object.freeze({ ...event, time: new Date(event.time.getTime()), details: Object.freeze(structuredClone(event.details)) }),
        });
      }
      // Trim in slices (a tenth of the bound at a time), not one shift per event.
      if (entries.length > maxEvents) entries = entries.slice(entries.length - maxEvents + Math.floor(maxEvents / 10));
    },
    async readAudit(range: AuditRange): Promise<ListPage<AuditEvent>> {
      const after = range.cursor === undefined ? null : decodeCursor(range.cursor);
      const from = range.from?.getTime() ?? Number.NEGATIVE_INFINITY;
      const to = range.to?.getTime() ?? Number.POSITIVE_INFINITY;
      const matches = entries
        .filter(({ seq: s, event }) => {
          const t = event.time.getTime();
          return (
            event.workspaceId === range.workspaceId &&
            t >= from &&
            t < to &&
            (after === null || t < after.t || (t === after.t && s < after.seq)) &&
            (range.types === undefined || range.types.includes(event.type)) &&
            (range.keyId === undefined || event.keyId === range.keyId)
          );
        })
        .sort((a, b) => b.event.time.getTime() - a.event.time.getTime() || b.seq - a.seq);
      const page = matches.slice(0, range.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((e) => e.event),
        nextCursor: matches.length > range.limit && last ? `${last.event.time.getTime()}:${last.seq}` : null,
      };
    },
  };
}
