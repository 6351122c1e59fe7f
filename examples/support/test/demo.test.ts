// `pnpm start` (scripts/start.mjs → scripts/demo.ts): every example starts, on the embedded store
// by default (in a temp KEYWARD_DATA_DIR here), the first curl line each one prints (a valid key on
// its main route) answers 200 over loopback, and each prints its page, management API and demo
// sign-in links, the admin one signing a browser in. Then, in real Chromium, each example's page as
// its seed describes it, reached by the printed links.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, seriousViolations } from '@keyward/test-services';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const start = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

let child: ChildProcess;
let output = '';
let dataDir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, KEYWARD_STORE: _s, ...env } = process.env;
  dataDir = mkdtempSync(join(tmpdir(), 'keyward-demo-'));
  child = spawn(process.execPath, [start], {
    env: { ...env, DEMO_RANDOM_PORTS: '1', KEYWARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 280_000; // the Next.js example may need its build first
  while (!output.includes('All running.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start (exit ${child.exitCode}):\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  // The examples close their stores on SIGTERM; give them the moment the demo gives them.
  await new Promise((r) => setTimeout(r, 1000));
  rmSync(dataDir, { recursive: true, force: true });
});

/** Each example's part of the banner, by name. */
const sections = () =>
  new Map(
    output
      .split('━━ examples/')
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf(' ')), s] as const),
  );
const link = (section: string, label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(section)?.[1] ?? null;

it('pnpm start runs every example and its printed curl lines work', { timeout: 120_000 }, async () => {
  expect(output).toContain(`Keys are kept in ${dataDir}/<example>`);
  expect([...sections().keys()]).toEqual(expect.arrayContaining(['tiro-notes', 'tixallo-tickets', 'tipar-generate', 'tuco', 'tooken']));
  for (const [name, section] of sections()) {
    const curl = /curl -s (\S+) -H 'Authorization: Bearer ([^']+)'(.*)/.exec(section);
    expect(curl, section.slice(0, 80)).not.toBeNull();
    const post = / -d |-X POST/.test(curl![3]!);
    const res = await fetch(curl![1]!, {
      method: post ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${curl![2]}`, 'content-type': 'application/json' },
      body: post ? '{}' : undefined,
    });
    expect({ example: name, status: res.status }).toEqual({ example: name, status: 200 });
    expect(section).toContain(`embedded PostgreSQL in ${join(dataDir, name)}`);
    expect(existsSync(join(dataDir, name, 'pgdata', 'PG_VERSION'))).toBe(true);
    const api = /management API\s+(http:\/\/\S+\/keyward\/api) /.exec(section);
    const admin = /sign in: admin\s+(http:\/\/\S+\/demo\/sign-in\?as=admin) /.exec(section);
    const page = /page\s+(http:\/\/\S+\/keyward\/)\n/.exec(section);
    expect({ example: name, api: api !== null, admin: admin !== null, page: page !== null }).toEqual({
      example: name,
      api: true,
      admin: true,
      page: true,
    });
    expect(section).toMatch(/sign in: member\s+http:\/\/\S+\/demo\/sign-in\?as=member /);
    const signedIn = await fetch(admin![1]!, { redirect: 'manual' });
    expect(signedIn.headers.get('location')).toBe('/keyward/');
    const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const me = await fetch(`${api![1]}/me`, { headers: { cookie } });
    expect({ example: name, status: me.status }).toEqual({ example: name, status: 200 });
  }
});

it('pnpm start serves the metrics of every example in Prometheus text format on the one URL it prints', { timeout: 60_000 }, async () => {
  // A verify of each example's first curl line, then one scrape: OpenTelemetry's Prometheus
  // exporter in each example, merged by the demo.
  for (const section of sections().values()) {
    const curl = /curl -s (\S+) -H 'Authorization: Bearer ([^']+)'(.*)/.exec(section)!;
    const post = / -d |-X POST/.test(curl[3]!);
    await fetch(curl[1]!, {
      method: post ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${curl[2]}`, 'content-type': 'application/json' },
      body: post ? '{}' : undefined,
    });
  }
  const url = /Metrics of every example \(Prometheus text format\): (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1];
  expect(url, output.slice(-1500)).toBeDefined();
  const scrape = await fetch(url!);
  expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await scrape.text();
  for (const name of ['tiro-notes', 'tixallo-tickets', 'tipar-generate', 'tuco', 'tooken']) {
    const ok = text
      .split('\n')
      .filter(
        (l) => l.startsWith('keyward_verify_requests_total{') && l.includes(`service_name="${name}"`) && l.includes('keyward_verify_outcome="ok"'),
      )
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect({ name, verified: ok.reduce((a, b) => a + b, 0) >= 1 }).toEqual({ name, verified: true });
  }
  // Each family once (the merge), histograms with their buckets.
  expect(text.match(/^# TYPE keyward_verify_duration histogram$/gm)).toHaveLength(1);
  expect(text).toMatch(/^keyward_verify_duration_bucket\{.*le="0\.0001".*\} \d+/m);
  // No key the demo printed is in them.
  const printed = output.match(/\b(?:tiro|tix|tipar|tuco|tok|tkn)_[A-Za-z0-9_]{20,}|\b[A-Za-z0-9]{6}\.[A-Za-z0-9]{32}\b/g) ?? [];
  expect(printed.length).toBeGreaterThan(5);
  expect(printed.filter((key) => text.includes(key))).toEqual([]);
});

/** A browser tab signed in by an example's printed link, on its page. */
async function openPage(section: string, as: string): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  browser ??= await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(link(section, `sign in: ${as}`)!);
  await page.getByText(/^Demo sign-in: you are signed in by a demo-only session cookie/).waitFor();
  return { page, problems, close: () => context.close() };
}

const keys = (page: Page) => page.getByRole('region', { name: 'Keys', exact: true });

it('each example serves the page its seed describes, reached by the printed sign-in links', { timeout: 180_000 }, async () => {
  const all = sections();

  // Tiro: pick a workspace, Create New API Key; the legacy personal keys, view and revoke only, with their sunset.
  {
    const { page, problems, close } = await openPage(all.get('tiro-notes')!, 'admin');
    await keys(page).getByRole('row').nth(1).waitFor();
    const switcher = page.getByRole('combobox', { name: 'Workspace' });
    expect(await switcher.locator('option').allTextContents()).toEqual(['Research (owner)', 'Sales (owner)']);
    expect(await page.getByRole('button', { name: 'Create New API Key' }).count()).toBe(1);
    const legacy = page.getByRole('region', { name: 'Legacy personal keys', exact: true });
    expect(await legacy.getByText('View and revoke only').count()).toBe(1);
    expect(await legacy.textContent()).toContain('30 Jun 2026');
    expect(await legacy.getByRole('button').allTextContents()).toEqual(['Revoke']);
    await switcher.selectOption({ label: 'Sales (owner)' });
    await expect.poll(() => new URL(page.url()).searchParams.get('workspace')).toBe('ws_sales');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  }

  // Tooken: Settings → API Keys with Regenerate, and the Audit Log.
  {
    const { page, problems, close } = await openPage(all.get('tooken')!, 'admin');
    await keys(page).getByRole('row').nth(1).waitFor();
    expect(await page.title()).toBe('Settings → API Keys');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API Keys');
    expect(await page.getByRole('button', { name: /^Regenerate / }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /^Rotate/ }).count()).toBe(0);
    // A management key has full workspace access: the create dialog starts with `*` checked.
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByRole('dialog', { name: 'Create key' }).getByRole('checkbox', { name: /^\*/ }).isChecked()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Audit Log', exact: true }).getByRole('row').nth(1).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  }

  // Tipar: every key by its name and tipar_live_ + its four-character suffix; the audit log of the
  // seed's changes (the key revoked by Priya).
  {
    const { page, problems, close } = await openPage(all.get('tipar-generate')!, 'admin');
    await keys(page).getByRole('row').nth(1).waitFor();
    const shown = await keys(page).getByRole('row').allTextContents();
    expect(shown.slice(1).every((row) => /tipar_live_…[A-Za-z0-9]{4}/.test(row))).toBe(true);
    const audit = page.getByRole('region', { name: 'Audit log', exact: true });
    await audit.getByRole('row', { name: /Key revoked/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  }

  // Tixallo: keys are created and revoked from inside the app; several stay active.
  {
    const section = all.get('tixallo-tickets')!;
    const tickets = /curl -s (\S+\/tickets) /.exec(section)![1]!;
    const call = async (key: string) => (await fetch(tickets, { headers: { authorization: `Bearer ${key}` } })).status;
    const { page, problems, close } = await openPage(section, 'admin');
    await keys(page).getByRole('row').nth(1).waitFor();
    const activeBefore = await keys(page).getByText('Active', { exact: true }).count();
    expect(activeBefore).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('zendesk-sync');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    const key = await shown.getByRole('textbox', { name: 'API key for “zendesk-sync”' }).inputValue();
    expect(await call(key)).toBe(200);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(key);
    await expect.poll(() => keys(page).getByText('Active', { exact: true }).count()).toBe(activeBefore + 1);
    await page.getByRole('button', { name: /^Revoke zendesk-sync, / }).click();
    await page.getByRole('alertdialog', { name: 'Revoke key “zendesk-sync”?' }).getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => keys(page).getByText('Active', { exact: true }).count()).toBe(activeBefore);
    expect(await call(key)).toBe(401);
    expect(problems).toEqual([]);
    await close();
  }

  // Tuco: owners and admins manage the keys (rename included); a member sees none and changes nothing.
  {
    const section = all.get('tuco')!;
    const admin = await openPage(section, 'admin');
    await keys(admin.page).getByRole('row').nth(1).waitFor();
    expect(await admin.page.getByRole('button', { name: /^Rename / }).count()).toBeGreaterThan(0);
    await admin.close();
    const member = await openPage(section, 'member');
    await member.page.getByText("Only this workspace's owners and admins can see and manage its keys.").waitFor();
    expect(await member.page.getByRole('button').count()).toBe(0);
    expect(await seriousViolations(member.page)).toEqual([]);
    expect(member.problems).toEqual([]);
    await member.close();
  }

  // A member of each of the others sees the keys and no control that changes them.
  for (const name of ['tiro-notes', 'tooken', 'tipar-generate', 'tixallo-tickets']) {
    const { page, close } = await openPage(all.get(name)!, 'member');
    await keys(page).getByText("You can see this workspace's keys. Only its owners and admins can create or change them.").waitFor();
    expect({ name, controls: await keys(page).getByRole('button').count() }).toEqual({ name, controls: 0 });
    await close();
  }
});
