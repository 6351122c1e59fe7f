import { describe, expect, it } from 'vitest';
import { bearer, code, setup } from '../engine/test-support.js';
import { isKeywardError } from '../errors.js';

const DAY = 86_400_000;

/** The code and missing scopes of a refused lifecycle call, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (!isKeywardError(error)) throw error;
    return error.missingScopes ? `${error.code} ${error.missingScopes.join(',')}` : error.code;
  }
}

async function tokens() {
  const s = setup();
  const { keyward } = s;
  const writer = await keyward.create({ workspaceId: 'ws_a', name: 'writer', scopes: ['tokens:read', 'tokens:write'], expiresIn: '30d' });
  const auditor = await keyward.create({ workspaceId: 'ws_a', name: 'auditor', scopes: ['audit:read'] });
  const reader = await keyward.create({ workspaceId: 'ws_a', name: 'reader', scopes: ['tokens:read'] });
  const admin = await keyward.create({ workspaceId: 'ws_a', name: 'admin', scopes: ['*'] });
  const elsewhere = await keyward.create({ workspaceId: 'ws_b', name: 'elsewhere', scopes: ['tokens:read'] });
  return { ...s, writer, auditor, reader, admin, elsewhere };
}

describe('a change made by a key is bounded by that key (actingKey)', () => {
  it('refuses to rotate a key holding scopes the acting key lacks: no plaintext of more power (issue 15 §1)', async () => {
    const { keyward, writer, auditor, reader } = await tokens();
    const by = { workspaceId: 'ws_a', actingKey: writer.record };
    expect(await outcome(keyward.rotate(auditor.record.id, by))).toBe('forbidden audit:read');
    // Nothing changed: the rotated key works, no successor exists.
    expect(code(await keyward.verify(bearer(auditor.key)))).toBe('ok');
    expect((await keyward.get(auditor.record.id))?.rotatedToId).toBeNull();
    // Within its reach it rotates, and the actor is the acting key.
    const rotated = await keyward.rotate(reader.record.id, by);
    expect(rotated.record.createdBy).toBe(`key:${writer.record.id}`);
  });

  it('refuses to grant, set or reach scopes it lacks, in create, update, revoke and delete', async () => {
    const { keyward, writer, auditor, admin, reader } = await tokens();
    const by = { workspaceId: 'ws_a', actingKey: writer.record };
    expect(await outcome(keyward.create({ workspaceId: 'ws_a', name: 'x', scopes: ['*'], actingKey: writer.record }))).toBe('forbidden *');
    expect(await outcome(keyward.create({ workspaceId: 'ws_a', name: 'x', scopes: ['tokens:*'], actingKey: writer.record }))).toBe(
      'forbidden tokens:*',
    );
    expect(await outcome(keyward.update(reader.record.id, { scopes: ['audit:read'] }, by))).toBe('forbidden audit:read');
    expect(await outcome(keyward.update(auditor.record.id, { name: 'renamed' }, by))).toBe('forbidden audit:read');
    expect(await outcome(keyward.revoke(admin.record.id, by))).toBe('forbidden *');
    expect(await outcome(keyward.delete(auditor.record.id, by))).toBe('forbidden audit:read');
    expect(code(await keyward.verify(bearer(admin.key)))).toBe('ok');
    expect((await keyward.get(auditor.record.id))?.name).toBe('auditor');
    // What it holds, it may hand out and manage.
    expect(await outcome(keyward.create({ workspaceId: 'ws_a', name: 'ok', scopes: ['tokens:read'], actingKey: writer.record }))).toBe('ok');
    expect(await outcome(keyward.update(reader.record.id, { scopes: ['tokens:write'] }, by))).toBe('ok');
    expect(await outcome(keyward.revoke(reader.record.id, by))).toBe('ok');
    // A key with `*` reaches everything of its workspace.
    expect(await outcome(keyward.rotate(auditor.record.id, { actingKey: admin.record }))).toBe('ok');
  });

  it('makes keys that expire no later than the acting key (issue 15 §2)', async () => {
    const { keyward, writer, reader, now } = await tokens();
    const limit = writer.record.expiresAt!.getTime();
    const child = await keyward.create({ workspaceId: 'ws_a', name: 'child', scopes: ['tokens:read'], actingKey: writer.record });
    expect(child.record.expiresAt?.getTime()).toBe(limit);
    const nulled = await keyward.create({ workspaceId: 'ws_a', name: 'child', scopes: ['tokens:read'], expiresAt: null, actingKey: writer.record });
    expect(nulled.record.expiresAt?.getTime()).toBe(limit);
    const sooner = await keyward.create({ workspaceId: 'ws_a', name: 'soon', expiresIn: '1d', actingKey: writer.record });
    expect(sooner.record.expiresAt?.getTime()).toBe(now() + DAY);
    expect(await outcome(keyward.create({ workspaceId: 'ws_a', name: 'later', expiresIn: '31d', actingKey: writer.record }))).toBe('forbidden');
    const by = { workspaceId: 'ws_a', actingKey: writer.record };
    expect(await outcome(keyward.update(reader.record.id, { expiresAt: new Date(limit + 1) }, by))).toBe('forbidden');
    expect((await keyward.update(reader.record.id, { expiresAt: null }, by)).expiresAt?.getTime()).toBe(limit);
    // A successor of a key without expiry, made by the acting key's rotation, keeps the earlier end.
    const forever = await keyward.create({ workspaceId: 'ws_a', name: 'forever', scopes: ['tokens:read'] });
    const rotated = await keyward.rotate(forever.record.id, by);
    expect(rotated.record.expiresAt?.getTime()).toBe(limit);
    // The acting key itself cannot outlive itself by an update.
    expect(await outcome(keyward.update(writer.record.id, { expiresAt: null }, by))).toBe('ok');
    expect((await keyward.get(writer.record.id))?.expiresAt?.getTime()).toBe(limit);
  });

  it('reads the acting key from the store: revoked, expired, unknown, of another workspace or forged, it does nothing', async () => {
    const { keyward, writer, reader, elsewhere, tick } = await tokens();
    const create = (actingKey: { id: string }, workspaceId = 'ws_a') =>
      outcome(keyward.create({ workspaceId, name: 'x', scopes: ['tokens:read'], actingKey }));
    // Scopes are the stored ones: a forged object with more scopes changes nothing.
    const forged = { ...reader.record, scopes: ['*'] };
    expect(await outcome(keyward.create({ workspaceId: 'ws_a', name: 'x', scopes: ['*'], actingKey: forged }))).toBe('forbidden *');
    expect(await create(elsewhere.record)).toBe('forbidden');
    expect(await create(reader.record, 'ws_b')).toBe('forbidden');
    expect(await create({ id: 'key_does_not_exist' })).toBe('forbidden');
    expect(await create({ id: 'bad\u0000id' })).toBe('forbidden');
    expect(await outcome(keyward.rotate(elsewhere.record.id, { actingKey: reader.record }))).toBe('forbidden');
    await keyward.revoke(reader.record.id);
    expect(await create(reader.record)).toBe('forbidden');
    tick(31 * DAY);
    expect(await create(writer.record)).toBe('forbidden');
    await expect(keyward.create({ workspaceId: 'ws_a', name: 'x', actingKey: 'key_x' as never })).rejects.toThrow(TypeError);
  });

  it('changes nothing for calls without an acting key (people, operators)', async () => {
    const { keyward, auditor } = await tokens();
    const rotated = await keyward.rotate(auditor.record.id, { workspaceId: 'ws_a', actor: 'user:olivia' });
    expect(rotated.record).toMatchObject({ scopes: ['audit:read'], expiresAt: null, createdBy: 'user:olivia' });
    expect((await keyward.create({ workspaceId: 'ws_a', name: 'x', scopes: ['*'] })).record.expiresAt).toBeNull();
  });
});
