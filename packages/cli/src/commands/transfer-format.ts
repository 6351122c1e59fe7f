/**
 * The file of `keyward export` / `keyward import`: JSON lines, one record a line.
 *
 *   {"format":"keyward-export","version":1,"exportedAt":"…"}          first line
 *   {"type":"key","key":{…every StoredKey field, dates as ISO 8601…}}  the stored hash, never a key
 *   {"type":"usage","usage":{"keyId","workspaceId","day","count"}}
 *   {"type":"audit","event":{…AuditEvent, "time" as ISO 8601…}}
 *   {"type":"counter","counter":{"key","value","expiresAt"}}           rate-limit and quota state
 *   {"type":"end","counts":{"key":N,"usage":N,"audit":N,"counter":N}}  last line: a cut file is refused
 */
import type { AuditEvent } from '@keyward/core';
import type { StoredKey, UsageCount } from '@keyward/core/store';

export const FORMAT = 'keyward-export';
export const VERSION = 1;

export interface Counter {
  key: string;
  value: number;
  expiresAt: Date;
}

export interface Transfer {
  keys: StoredKey[];
  usage: UsageCount[];
  audit: AuditEvent[];
  counters: Counter[];
}

export type Kind = 'key' | 'usage' | 'audit' | 'counter';

const KEY_DATES = ['createdAt', 'updatedAt', 'expiresAt', 'revokedAt', 'sunsetAt', 'lastUsedAt'] as const;
const KEY_TEXT = ['id', 'name', 'format', 'prefix', 'hint', 'hash', 'hashVersion'] as const;
const KEY_NULLABLE_TEXT = ['workspaceId', 'ownerId', 'environment', 'rotatedToId'] as const;

export function header(now: Date): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, exportedAt: now.toISOString() });
}

export function line(kind: Kind, value: StoredKey | UsageCount | AuditEvent | Counter): string {
  const field = kind === 'audit' ? 'event' : kind;
  return JSON.stringify({ type: kind, [field]: value });
}

export function footer(counts: Record<Kind, number>): string {
  return JSON.stringify({ type: 'end', counts });
}

/** A line of the file that is not what the format says: the whole import is refused. */
export class TransferFormatError extends Error {}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TransferFormatError(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

function date(value: unknown, where: string, nullable: boolean): Date | null {
  if (value === null && nullable) return null;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new TransferFormatError(`${where}: expected an ISO 8601 date${nullable ? ' or null' : ''}`);
  return new Date(time);
}

function text(value: unknown, where: string, nullable: boolean): string | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'string') throw new TransferFormatError(`${where}: expected a string${nullable ? ' or null' : ''}`);
  return value;
}

function toKey(raw: unknown, where: string): StoredKey {
  const o = object(raw, where);
  // Fields this version does not know (added by a later migration) are carried over as they are.
  const key: Record<string, unknown> = { ...o };
  for (const f of KEY_TEXT) key[f] = text(o[f], `${where}.${f}`, false);
  for (const f of KEY_NULLABLE_TEXT) key[f] = text(o[f], `${where}.${f}`, true);
  for (const f of KEY_DATES) key[f] = date(o[f], `${where}.${f}`, f !== 'createdAt' && f !== 'updatedAt');
  if (!Array.isArray(o.scopes) || !o.scopes.every((s) => typeof s === 'string')) throw new TransferFormatError(`${where}.scopes: expected strings`);
  if (typeof o.legacy !== 'boolean') throw new TransferFormatError(`${where}.legacy: expected a boolean`);
  key.scopes = o.scopes;
  key.legacy = o.legacy;
  key.metadata = object(o.metadata, `${where}.metadata`);
  if (o.createdBy !== undefined) key.createdBy = text(o.createdBy, `${where}.createdBy`, true);
  if (o.counterId !== undefined) key.counterId = text(o.counterId, `${where}.counterId`, true);
  return key as unknown as StoredKey;
}

function toUsage(raw: unknown, where: string): UsageCount {
  const o = object(raw, where);
  if (typeof o.day !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(o.day)) throw new TransferFormatError(`${where}.day: expected YYYY-MM-DD`);
  if (!Number.isSafeInteger(o.count) || (o.count as number) < 0) throw new TransferFormatError(`${where}.count: expected a count`);
  return {
    keyId: text(o.keyId, `${where}.keyId`, false)!,
    workspaceId: text(o.workspaceId, `${where}.workspaceId`, true),
    day: o.day,
    count: o.count as number,
  };
}

function toEvent(raw: unknown, where: string): AuditEvent {
  const o = object(raw, where);
  const nullable = ['workspaceId', 'keyId', 'keyHint', 'actor', 'code', 'reason', 'ip', 'userAgent'] as const;
  const event: Record<string, unknown> = {
    id: text(o.id, `${where}.id`, false),
    type: text(o.type, `${where}.type`, false),
    time: date(o.time, `${where}.time`, false),
  };
  for (const f of nullable) event[f] = text(o[f] ?? null, `${where}.${f}`, true);
  if (!Number.isSafeInteger(o.count)) throw new TransferFormatError(`${where}.count: expected an integer`);
  event.count = o.count;
  event.details = o.details === undefined ? {} : object(o.details, `${where}.details`);
  return event as unknown as AuditEvent;
}

function toCounter(raw: unknown, where: string): Counter {
  const o = object(raw, where);
  if (typeof o.value !== 'number' || !Number.isFinite(o.value)) throw new TransferFormatError(`${where}.value: expected a number`);
  return { key: text(o.key, `${where}.key`, false)!, value: o.value, expiresAt: date(o.expiresAt, `${where}.expiresAt`, false)! };
}

/**
 * Reads a whole export.
 * @throws {TransferFormatError} naming the first bad line; a file without its last line (cut short)
 * or whose counts do not match is refused too.
 */
export function parseTransfer(textOfFile: string): Transfer {
  const lines = textOfFile.split('\n').filter((l) => l.trim() !== '');
  const parse = (l: string, n: number) => {
    try {
      return object(JSON.parse(l), `line ${n}`);
    } catch (error) {
      throw error instanceof TransferFormatError ? error : new TransferFormatError(`line ${n}: not JSON`);
    }
  };
  const head = lines.length > 0 ? parse(lines[0]!, 1) : {};
  if (head.format !== FORMAT || head.version !== VERSION) {
    throw new TransferFormatError(`line 1: not a keyward export of version ${VERSION} (made by "keyward export")`);
  }
  const out: Transfer = { keys: [], usage: [], audit: [], counters: [] };
  let end: Record<string, unknown> | null = null;
  for (let i = 1; i < lines.length; i++) {
    const where = `line ${i + 1}`;
    if (end !== null) throw new TransferFormatError(`${where}: nothing may follow the "end" line`);
    const record = parse(lines[i]!, i + 1);
    if (record.type === 'key') out.keys.push(toKey(record.key, `${where}: key`));
    else if (record.type === 'usage') out.usage.push(toUsage(record.usage, `${where}: usage`));
    else if (record.type === 'audit') out.audit.push(toEvent(record.event, `${where}: event`));
    else if (record.type === 'counter') out.counters.push(toCounter(record.counter, `${where}: counter`));
    else if (record.type === 'end') end = object(record.counts, `${where}.counts`);
    else throw new TransferFormatError(`${where}: unknown type ${JSON.stringify(record.type)}`);
  }
  if (end === null) throw new TransferFormatError('the file has no "end" line: it was cut short; export again');
  const counts = { key: out.keys.length, usage: out.usage.length, audit: out.audit.length, counter: out.counters.length };
  for (const [kind, n] of Object.entries(counts)) {
    if (end[kind] !== n) throw new TransferFormatError(`the "end" line counts ${String(end[kind])} ${kind} records, the file holds ${n}`);
  }
  return out;
}
