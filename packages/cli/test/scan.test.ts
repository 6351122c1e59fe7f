// `keyward scan` as operators and CI run it: a real child process, real files in a temporary
// folder and stdin, against the real PostgreSQL and Redis of the test run. Every key of a test is
// generated here, and no output may contain one.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyward, type KeyStore, prefixedFormat } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import { redisStore } from '@keyward/store-redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keyward, type Ran } from './cli-run.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'keyward-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `keyward …args` with `input` on stdin. */
function keywardWithStdin(args: string[], input: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, KEYWARD_STORE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const format = prefixedFormat({ prefix: 'kw' });
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const stores = [
  {
    name: 'PostgreSQL',
    args: () => ['--store', inject('databaseUrl'), '--table-prefix', `scan_${tag}_`],
    open: async (): Promise<KeyStore & { close(): Promise<void> }> => {
      const store = postgresStore({ connectionString: inject('databaseUrl') }, { tablePrefix: `scan_${tag}_` });
      await store.migrate();
      return store;
    },
  },
  {
    name: 'Redis',
    args: () => ['--store', inject('redisUrl'), '--redis-prefix', `scan:${tag}:`],
    open: async (): Promise<KeyStore & { close(): Promise<void> }> => redisStore({ redis: { url: inject('redisUrl') }, prefix: `scan:${tag}:` }),
  },
] as const;

/** A near miss of a key: its last character changed (same length, bad checksum). */
const typo = (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

describe.each(stores)('keyward scan on $name', ({ name, args, open }) => {
  it('lists the live keys of files and folders, redacted, with file:line:column, exit 5; never prints a key', { timeout: 90_000 }, async () => {
    const store = await open();
    const engine = createKeyward({ store, format, cache: false, audit: true });
    try {
      const ws = `ws_scan_${name}`;
      const a = await engine.create({ workspaceId: ws, name: 'ci deploy' });
      const b = await engine.create({ workspaceId: ws, name: 'local dev' });
      const hidden = await engine.create({ workspaceId: ws, name: 'in node_modules' });
      const binary = await engine.create({ workspaceId: ws, name: 'in a binary' });
      const revoked = await engine.create({ workspaceId: ws, name: 'old' });
      await engine.revoke(revoked.record.id);
      const unknown = format.generate().key;
      const repo = join(dir, `repo-${name}`);
      mkdirSync(join(repo, 'src'), { recursive: true });
      mkdirSync(join(repo, 'node_modules', 'pkg'), { recursive: true });
      mkdirSync(join(repo, '.git'), { recursive: true });
      writeFileSync(join(repo, 'src', 'config.ts'), `export const config = {\n  region: 'eu',\n  apiKey: '${a.key}',\n};\n`);
      writeFileSync(join(repo, 'notes.md'), `# Notes\n\nold: ${revoked.key}\nnot ours: ${unknown} ${typo(b.key)}\n  again \`${a.key}\`\n`);
      writeFileSync(join(repo, '.env'), `API_KEY=${b.key}\n`);
      writeFileSync(join(repo, 'node_modules', 'pkg', 'index.js'), `module.exports = '${hidden.key}';\n`);
      writeFileSync(join(repo, '.git', 'config'), `token = ${hidden.key}\n`);
      writeFileSync(join(repo, 'image.bin'), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(binary.key)]));

      const ran = await keyward([...args(), 'scan', repo]);
      expect(ran.code, ran.stderr).toBe(5);
      const lines = ran.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^place\s+key\s+id\s+workspace\s+name\s+state$/);
      const places = lines.slice(1).map((l) => l.split(/\s+/)[0]);
      expect(places).toEqual([join(repo, '.env:1:9'), join(repo, 'notes.md:5:10'), join(repo, 'src/config.ts:3:12')]);
      expect(ran.stdout).toContain(`kw_live_…${a.key.slice(-4)}`);
      expect(ran.stdout).toContain(a.record.id);
      expect(ran.stdout).toContain('ci deploy');
      expect(ran.stdout).not.toContain(revoked.record.id);
      expect(ran.stderr).toMatch(
        /4 files scanned \(1 skipped: binary, too large or unreadable\), 4 well-formed keys found, 2 live keys: revoke them/,
      );
      const everything = ran.stdout + ran.stderr;
      for (const key of [a.key, b.key, hidden.key, binary.key, revoked.key, unknown, typo(b.key)]) expect(everything).not.toContain(key);

      const json = await keyward([...args(), 'scan', '--json', repo]);
      expect(json.code).toBe(5);
      const report = JSON.parse(json.stdout) as { findings: { file: string; status: string; key: string }[]; live: number; wellFormed: number };
      expect(report.live).toBe(2);
      expect(report.findings.map((f) => f.status).sort()).toEqual(['active', 'active', 'active', 'revoked', 'unknown']);
      for (const key of [a.key, b.key, revoked.key, unknown]) expect(json.stdout + json.stderr).not.toContain(key);
    } finally {
      await engine.close();
      await store.close();
    }
  });

  it('--revoke revokes what it found (audit: key.leaked at file:line); the next scan finds nothing live, exit 0', { timeout: 90_000 }, async () => {
    const store = await open();
    const engine = createKeyward({ store, format, cache: false, audit: true });
    try {
      const ws = `ws_scan_revoke_${name}`;
      const a = await engine.create({ workspaceId: ws, name: 'leaked' });
      const kept = await engine.create({ workspaceId: ws, name: 'kept' });
      const file = join(dir, `leak-${name}.yaml`);
      writeFileSync(file, `service:\n  key: ${a.key}\n`);
      const ran = await keyward([...args(), 'scan', '--revoke', file]);
      expect(ran.code).toBe(5);
      expect(ran.stdout).toMatch(/revoked now/);
      expect(ran.stderr).toMatch(/1 live key, 1 revoked now/);
      expect(ran.stdout + ran.stderr).not.toContain(a.key);
      expect((await engine.verify({ authorization: `Bearer ${a.key}` })).ok).toBe(false);
      expect((await engine.verify({ authorization: `Bearer ${kept.key}` })).ok).toBe(true);
      const events = (await engine.auditLog({ workspaceId: ws })).items;
      expect(events.find((e) => e.type === 'key.leaked')).toMatchObject({
        keyId: a.record.id,
        actor: 'cli:scan',
        details: { url: `${file}:2`, source: 'keyward-scan', action: 'revoked' },
      });
      expect(events.find((e) => e.type === 'key.revoked')).toMatchObject({ keyId: a.record.id, actor: 'cli:scan' });
      const again = await keyward([...args(), 'scan', file]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/1 well-formed key found, 0 live keys\./);
    } finally {
      await engine.close();
      await store.close();
    }
  });

  it('reads stdin for -, and refuses no path or a missing one (exit 2)', { timeout: 60_000 }, async () => {
    const store = await open();
    const engine = createKeyward({ store, format, cache: false });
    try {
      const a = await engine.create({ workspaceId: `ws_scan_stdin_${name}`, name: 'pasted' });
      const piped = await keywardWithStdin([...args(), 'scan', '-'], `log line 1\ncurl -H "Authorization: Bearer ${a.key}" …\n`);
      expect(piped.code).toBe(5);
      expect(piped.stdout).toContain('(stdin):2:32');
      expect(piped.stdout + piped.stderr).not.toContain(a.key);
      const clean = await keywardWithStdin([...args(), 'scan', '-'], 'nothing to see\n');
      expect(clean.code).toBe(0);
      const none = await keyward([...args(), 'scan']);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/takes the files or folders to read/);
      const missing = await keyward([...args(), 'scan', join(dir, 'does-not-exist')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read/);
    } finally {
      await engine.close();
      await store.close();
    }
  });
});
