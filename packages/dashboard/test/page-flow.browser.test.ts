// The page end to end, as people use it, in real Chromium against a real server on PostgreSQL:
// an admin creates a key, copies it from the dialog, uses it on the product's API, renames it,
// rotates it with a 1 h grace (both keys work, both states shown), revokes it (401); a member sees
// no management control and the API refuses them; a page of another origin cannot change a thing.
import { postgresStore } from '@keyward/store-postgres';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, openSession, type Session, seriousViolations } from './support/browser.js';
import { callProductApi, type PageServer, startPageServer } from './support/page-server.js';

const KEY_RE = /^acme_live_[A-Za-z0-9]{20,}$/;

let browser: Browser;
let server: PageServer;
let pool: pg.Pool;
const schema = `kw_page_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
  pool.on('error', () => undefined);
  const store = postgresStore({ pool }, { schema });
  await store.migrate();
  [browser, server] = await Promise.all([openBrowser(), startPageServer({ store })]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool?.end();
});

/** The row of a key in the key list, found by its `prefix…last4`. */
const row = (s: Session, display: string) => s.page.getByRole('region', { name: 'Keys', exact: true }).getByRole('row').filter({ hasText: display });

describe('an admin manages a key from the page', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await openSession(browser, server, 'adam');
  });
  afterAll(() => admin.close());

  it('creates, copies, uses, renames, rotates with a grace period and revokes a key', async () => {
    const { page } = admin;
    await expect.poll(() => page.getByText('No keys yet. Create one to call the API.').isVisible()).toBe(true);

    // Create: a dialog, then the key, once.
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByRole('textbox', { name: 'Name' }).fill('ci-deploy');
    await create.getByRole('checkbox', { name: /notes:read/ }).check();
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await expect.poll(() => shown.getByText("You won't see it again.").isVisible()).toBe(true);
    const key = await shown.getByRole('textbox', { name: 'API key for “ci-deploy”' }).inputValue();
    expect(key).toMatch(KEY_RE);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect(await callProductApi(server, key)).toBe(200);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    const display = `${key.slice(0, 'acme_live_'.length)}…${key.slice(-4)}`;
    await expect.poll(() => row(admin, display).count()).toBe(1);
    expect(await row(admin, display).getByText('Active', { exact: true }).count()).toBe(1);

    // Rename, in place.
    await row(admin, display)
      .getByRole('button', { name: `Rename ci-deploy, ${display}` })
      .click();
    const field = page.getByRole('textbox', { name: `New name for ci-deploy, ${display}` });
    await field.fill('ci-deploy-prod');
    await field.press('Enter');
    await expect.poll(() => row(admin, display).getByText('ci-deploy-prod', { exact: true }).count()).toBe(1);
    expect((await server.keyward.list({ workspaceId: 'acme' })).items.map((k) => k.name)).toEqual(['ci-deploy-prod']);

    // Rotate with a 1 h grace: both keys work, and both states are on screen.
    await row(admin, display)
      .getByRole('button', { name: `Rotate ci-deploy-prod, ${display}` })
      .click();
    const rotate = page.getByRole('dialog', { name: 'Rotate “ci-deploy-prod”' });
    await rotate.getByRole('radio', { name: /^1 hour: both keys work until/ }).check();
    await rotate.getByRole('button', { name: 'Rotate key' }).click();
    const rotated = page.getByRole('dialog', { name: 'New key for “ci-deploy-prod”' });
    const next = await rotated.getByRole('textbox', { name: 'API key for “ci-deploy-prod”' }).inputValue();
    expect(next).toMatch(KEY_RE);
    expect(next).not.toBe(key);
    const nextDisplay = `${next.slice(0, 'acme_live_'.length)}…${next.slice(-4)}`;
    const pair = rotated.getByRole('list', { name: 'Both keys now' });
    expect(await pair.getByRole('listitem').filter({ hasText: display }).textContent()).toMatch(/Still works until .* \(grace period\)/);
    expect(await pair.getByRole('listitem').filter({ hasText: nextDisplay }).textContent()).toMatch(/Active/);
    expect(await callProductApi(server, key)).toBe(200);
    expect(await callProductApi(server, next)).toBe(200);
    await rotated.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(next);
    await expect.poll(() => row(admin, nextDisplay).count()).toBe(1);
    expect(await row(admin, display).textContent()).toMatch(
      new RegExp(`Grace period[\\s\\S]*works until .*; replaced by the key ending in ${next.slice(-4)}`),
    );
    expect(await row(admin, nextDisplay).textContent()).toMatch(new RegExp(`Active[\\s\\S]*replaces the key ending in ${key.slice(-4)}`));
    // The old key is in its grace period: it cannot be rotated again.
    expect(
      await row(admin, display)
        .getByRole('button', { name: /^Rotate/ })
        .count(),
    ).toBe(0);

    // Revoke, after a confirmation that names the key: the next request is a 401.
    await row(admin, nextDisplay)
      .getByRole('button', { name: `Revoke ci-deploy-prod, ${nextDisplay}` })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke key “ci-deploy-prod”?' });
    expect(await confirm.textContent()).toContain(nextDisplay);
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row(admin, nextDisplay).getByText('Revoked', { exact: true }).count()).toBe(1);
    expect(await callProductApi(server, next)).toBe(401);
    expect(await callProductApi(server, key)).toBe(200);

    // The audit log says who did what.
    const audit = page.getByRole('region', { name: 'Audit log', exact: true });
    await expect.poll(() => audit.getByRole('row').filter({ hasText: 'Key revoked' }).count()).toBe(1);
    for (const event of ['Key created', 'Key renamed', 'Key rotated', 'Key revoked']) {
      expect(await audit.getByRole('row').filter({ hasText: event }).filter({ hasText: 'Adam Admin' }).count(), event).toBeGreaterThan(0);
    }
    expect(await seriousViolations(page)).toEqual([]);
    expect(admin.violations).toEqual([]);
    expect(admin.logs.filter((l) => l.includes(key) || l.includes(next))).toEqual([]);
  });

  it('deletes a key after a confirmation that names it', async () => {
    const { page } = admin;
    const created = await server.keyward.create({ workspaceId: 'acme', name: 'old-laptop', actor: 'user_olivia' });
    await page.reload();
    const display = created.record.prefix ? `${created.record.prefix}…${created.record.hint}` : '';
    await row(admin, display)
      .getByRole('button', { name: `Delete old-laptop, ${display}` })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete key “old-laptop”?' });
    expect(await confirm.textContent()).toContain(display);
    // Cancel keeps it; focus goes back to the button that opened the dialog.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Delete old-laptop, ${display}`);
    expect(await row(admin, display).count()).toBe(1);
    await row(admin, display)
      .getByRole('button', { name: `Delete old-laptop, ${display}` })
      .click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete key' }).click();
    await expect.poll(() => row(admin, display).count()).toBe(0);
    expect(await server.keyward.get(created.record.id)).toBeNull();
    expect(await callProductApi(server, created.key)).toBe(401);
  });
});

describe('a member', () => {
  it('sees the keys with no management control, and the API refuses their changes', async () => {
    const made = await server.keyward.create({ workspaceId: 'acme', name: 'shared-reader', actor: 'user_olivia', scopes: ['notes:read'] });
    const member = await openSession(browser, server, 'mia');
    try {
      const { page } = member;
      const display = `${made.record.prefix}…${made.record.hint}`;
      await expect.poll(() => row(member, display).count()).toBe(1);
      expect(await page.getByText('Only its owners and admins can create or change them.').isVisible()).toBe(true);
      for (const name of [/^Create key/, /^Rename/, /^Rotate/, /^Revoke/, /^Delete/])
        expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
      // Members do not read the audit log (it holds clients' addresses).
      expect(await page.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
      // The same requests the page would send, from the member's own signed-in tab: refused.
      const answers = await page.evaluate(async (id) => {
        const send = (method: string, path: string, body?: unknown) =>
          fetch(`/keyward/api/workspaces/acme${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          }).then(async (r) => [r.status, (await r.json()).code]);
        return [
          await send('POST', '/keys', { name: 'sneaky' }),
          await send('PATCH', `/keys/${id}`, { name: 'renamed' }),
          await send('POST', `/keys/${id}/rotate`, { gracePeriod: '0s' }),
          await send('POST', `/keys/${id}/revoke`, {}),
          await send('GET', '/audit'),
        ];
      }, made.record.id);
      expect(answers).toEqual(Array(5).fill([403, 'forbidden']));
      expect(await callProductApi(server, made.key)).toBe(200);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await member.close();
    }
  });
});

describe('a page of another origin', () => {
  it('cannot create or revoke a key with the admin’s cookie: form posts and fetches are refused', async () => {
    const target = await server.keyward.create({ workspaceId: 'acme', name: 'csrf-target', actor: 'user_olivia', scopes: ['notes:read'] });
    // Another origin on the same host (another port): the browser still sends the admin's cookie.
    const evil = await startPageServer({
      routes: (_req, res, url) => {
        if (url.pathname !== '/evil') return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>evil</title>
<form id="f" method="POST" action="${server.origin}/keyward/api/workspaces/acme/keys/${target.record.id}/revoke" enctype="text/plain">
<input name='{"a":"' value='"}'></form>`);
        return true;
      },
    });
    const admin = await openSession(browser, server, 'adam');
    try {
      const page = await admin.context.newPage();
      await page.goto(`${evil.origin}/evil`);
      const statuses = await page.evaluate(async (base) => {
        const results: string[] = [];
        for (const type of ['text/plain', 'application/json']) {
          try {
            const r = await fetch(`${base}/keyward/api/workspaces/acme/keys`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'content-type': type },
              body: JSON.stringify({ name: 'planted' }),
            });
            results.push(`${type}: ${r.type}`);
          } catch (error) {
            results.push(`${type}: ${String(error)}`);
          }
        }
        return results;
      }, server.origin);
      expect(statuses.length).toBe(2);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/revoke')),
        page.locator('#f').evaluate((f: HTMLFormElement) => f.submit()),
      ]);
      expect(response.status()).toBe(403);
      expect((await response.json()).code).toBe('csrf_rejected');
      expect((await server.keyward.list({ workspaceId: 'acme' })).items.map((k) => k.name)).not.toContain('planted');
      expect((await server.keyward.get(target.record.id))?.revokedAt).toBeNull();
      expect(await callProductApi(server, target.key)).toBe(200);
      await page.close();
    } finally {
      await admin.close();
      await evil.close();
    }
  });
});
