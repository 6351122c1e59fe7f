// The page's promises beyond the main flow, in real Chromium: a strict CSP that the browser
// enforces, honest loading / empty / unavailable / signed-out states, a new key that leaves no
// trace once its dialog is closed, keyboard use from start to end, the legacy section, the
// workspace switcher, usage charts, a dark theme — and axe-core on each of them.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, openSession, type Session, seriousViolations } from './support/browser.js';
import { importLegacyKey } from './support/legacy.js';
import { callProductApi, type PageServer, startPageServer } from './support/page-server.js';

let browser: Browser;
let server: PageServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([openBrowser(), startPageServer()]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const keysRegion = (s: Session) => s.page.getByRole('region', { name: 'Keys', exact: true });
const focusedName = (s: Session) =>
  s.page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? null;
  });

describe('the page itself', () => {
  it('loads only its own files, under a CSP the browser enforces (no inline script runs)', async () => {
    const s = await openSession(browser, server, 'adam');
    const requests: string[] = [];
    s.page.on('request', (r) => requests.push(r.url()));
    try {
      const { page } = s;
      const response = await page.reload();
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
      await expect.poll(() => page.getByRole('heading', { name: 'Keys', exact: true }).count()).toBe(1);
      expect(s.violations).toEqual([]);
      expect(requests.length).toBeGreaterThan(3);
      expect(requests.filter((url) => !url.startsWith(`${server.origin}/keyward/`))).toEqual([]);
      // What an injected script would try: refused by the CSP (and by Trusted Types for DOM sinks).
      const ran = await page.evaluate(async () => {
        const errors: string[] = [];
        try {
          const script = document.createElement('script');
          script.src = 'data:text/javascript,window.__kwInjected=1';
          document.head.append(script);
        } catch (error) {
          errors.push(String(error));
        }
        try {
          document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__kwInjected=2">');
        } catch (error) {
          errors.push(String(error));
        }
        try {
          const div = document.createElement('div');
          div.setAttribute('onclick', 'window.__kwInjected=3');
          document.body.append(div);
          div.click();
        } catch (error) {
          errors.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { injected: (window as unknown as { __kwInjected?: number }).__kwInjected ?? null, errors: errors.length };
      });
      expect(ran).toEqual({ injected: null, errors: 3 });
      await expect.poll(() => s.violations.length).toBeGreaterThanOrEqual(3);
    } finally {
      await s.close();
    }
  });

  it('refuses to be framed by another origin unless frameAncestors allows it', async () => {
    const framed = await startPageServer({ dashboard: { page: { frameAncestors: ["'self'"] } } });
    const host = await startPageServer({
      routes: (_req, res, url) => {
        if (url.pathname !== '/host') return false;
        const target = url.searchParams.get('target')!;
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>host</title><iframe title="keys" src="${target}"></iframe>`);
        return true;
      },
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      for (const [target, expected] of [
        [`${server.origin}/keyward/`, false],
        [`${framed.origin}/keyward/`, false],
        [`${host.origin}/keyward/`, false],
      ] as const) {
        await page.goto(`${host.origin}/host?target=${encodeURIComponent(target)}`);
        await page.waitForTimeout(300);
        const frame = page.frames().find((f) => f !== page.mainFrame());
        const loaded = frame !== undefined && (await frame.evaluate(() => document.getElementById('keyward-root') !== null).catch(() => false));
        expect(loaded, target).toBe(expected);
      }
      // 'self' lets the page frame itself.
      await page.goto(`${framed.origin}/demo/sign-in?as=adam&next=${encodeURIComponent('/keyward/')}`);
      const selfFramed = await page.evaluate(async (src) => {
        const iframe = document.createElement('iframe');
        iframe.title = 'self';
        iframe.src = src;
        document.body.append(iframe);
        await new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
        return iframe.contentDocument?.getElementById('keyward-root') !== null;
      }, `${framed.origin}/keyward/`);
      expect(selfFramed).toBe(true);
    } finally {
      await context.close();
      await framed.close();
      await host.close();
    }
  });
});

describe('states', () => {
  it('shows loading, then the empty state; a failing store says the service is unavailable, never "no keys"', async () => {
    let release!: () => void;
    server.control.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const s = await openSession(browser, server, 'olivia');
    try {
      await expect.poll(() => s.page.getByRole('status').filter({ hasText: 'Loading keys…' }).count()).toBe(1);
      server.control.hold = null;
      release();
      await expect.poll(() => s.page.getByText('No keys yet. Create one to call the API.').isVisible()).toBe(true);

      server.control.failing = true;
      await s.page.reload();
      const alert = keysRegion(s).getByRole('alert');
      await expect.poll(() => alert.filter({ hasText: 'The key service is unavailable' }).count()).toBe(1);
      expect(await s.page.getByText('No keys yet').count()).toBe(0);
      expect(await seriousViolations(s.page)).toEqual([]);
      // A change tried while the store is down says so, in the dialog, and changes nothing.
      await s.page.getByRole('button', { name: 'Create key' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Create key' });
      await dialog.getByRole('textbox', { name: 'Name' }).fill('during-outage');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('unavailable: no key was created');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      // Back up: "Try again" shows the list.
      server.control.failing = false;
      await keysRegion(s).getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => s.page.getByText('No keys yet. Create one to call the API.').isVisible()).toBe(true);
      expect((await server.keyward.list({ workspaceId: 'acme' })).items).toEqual([]);
    } finally {
      server.control.failing = false;
      server.control.hold = null;
      await s.close();
    }
  });

  it('tells someone signed out to sign in', async () => {
    const s = await openSession(browser, server, null);
    try {
      await expect.poll(() => s.page.getByRole('alert').filter({ hasText: 'You are not signed in' }).count()).toBe(1);
      expect(await s.page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/demo/sign-in');
      expect(await s.page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
      expect(await seriousViolations(s.page)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('a new key', () => {
  it('is created by keyboard alone, shown once, and leaves no trace: not in the DOM, storage, the address or the console', async () => {
    const s = await openSession(browser, server, 'olivia');
    const bodies: string[] = [];
    const urls: string[] = [];
    s.page.on('request', (r) => urls.push(r.url()));
    s.page.on('response', async (r) => {
      if (r.url().includes('/keyward/api/')) bodies.push(await r.text().catch(() => ''));
    });
    try {
      const { page } = s;
      const opener = page.getByRole('button', { name: 'Create key' });
      await opener.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.textContent)).toBe('Name');
      await page.keyboard.type('keyboard-key');
      await page.keyboard.press('Tab'); // the hint is text; next stop: the environment radios
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe('radio');
      await page.keyboard.press('ArrowRight'); // test
      await page.keyboard.press('Tab'); // first scope
      await page.keyboard.press('Space');
      await page.keyboard.press('Enter'); // implicit submission of the form
      const shown = page.getByRole('dialog', { name: 'Your new API key' });
      const field = shown.getByRole('textbox', { name: 'API key for “keyboard-key”' });
      await field.waitFor();
      const key = await field.inputValue();
      expect(key).toMatch(/^acme_test_/);
      await expect.poll(() => focusedName(s)).toBe('Copy');
      await page.keyboard.press('Enter');
      await expect.poll(() => shown.getByRole('status').textContent()).toBe('Copied to the clipboard.');
      expect(await seriousViolations(page)).toEqual([]);
      // Styles come from classes only: nothing a strict style-src would have to allow.
      expect(await page.evaluate(() => document.querySelectorAll('[style]').length)).toBe(0);
      await page.keyboard.press('Escape');
      expect(await page.getByRole('dialog').count()).toBe(0);
      await expect.poll(() => focusedName(s)).toBe('Create key');

      // Gone from the page, and never put anywhere else.
      expect(await page.content()).not.toContain(key);
      expect(await page.evaluate((k) => document.body.textContent?.includes(k) || document.documentElement.outerHTML.includes(k), key)).toBe(false);
      const storage = await page.evaluate(() =>
        JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href, history.length]),
      );
      expect(storage).not.toContain(key);
      expect(urls.filter((u) => u.includes(key))).toEqual([]);
      expect(s.logs.filter((l) => l.includes(key))).toEqual([]);
      expect(bodies.filter((b) => b.includes(key))).toHaveLength(1);
      const stored = (await server.keyward.list({ workspaceId: 'acme' })).items.find((k) => k.name === 'keyboard-key')!;
      expect([stored.environment, stored.scopes]).toEqual(['test', ['notes:read']]);
      expect(await callProductApi(server, key)).toBe(200);

      // Rename by keyboard: Enter opens the field, Escape cancels, focus comes back.
      const display = `${stored.prefix}…${stored.hint}`;
      await page.getByRole('button', { name: `Rename keyboard-key, ${display}` }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedName(s)).toBe(`New name for keyboard-key, ${display}`);
      await page.keyboard.type('changed my mind');
      await page.keyboard.press('Escape');
      await expect.poll(() => focusedName(s)).toBe(`Rename keyboard-key, ${display}`);
      expect((await server.keyward.get(stored.id))?.name).toBe('keyboard-key');
      // A name the API refuses (a pasted key) is explained next to the field.
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`see ${key}`);
      await page.keyboard.press('Enter');
      await expect.poll(() => keysRegion(s).getByRole('alert').textContent()).toContain('must not contain an API key');
      await page.keyboard.press('Escape');
      expect(await page.content()).not.toContain(key);
    } finally {
      await s.close();
    }
  });

  it('rotation and revocation dialogs pass axe-core and name the key', async () => {
    const made = await server.keyward.create({ workspaceId: 'acme', name: 'axe-me', actor: 'user_olivia' });
    const display = `${made.record.prefix}…${made.record.hint}`;
    const s = await openSession(browser, server, 'olivia');
    try {
      const { page } = s;
      await page.getByRole('button', { name: `Rotate axe-me, ${display}` }).click();
      const rotate = page.getByRole('dialog', { name: 'Rotate “axe-me”' });
      expect(await rotate.getByRole('radio').count()).toBe(4);
      expect(await rotate.getByRole('radio', { checked: true }).getAttribute('value')).toBe('0s');
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: `Revoke axe-me, ${display}` }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Revoke key “axe-me”?' });
      await expect.poll(() => focusedName(s)).toBe('Cancel');
      expect(await seriousViolations(page)).toEqual([]);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect((await server.keyward.get(made.record.id))?.revokedAt).toBeNull();
    } finally {
      await s.close();
    }
  });
});

describe('usage, legacy keys and workspaces', () => {
  it('charts each key’s requests of the last 30 days', async () => {
    const made = await server.keyward.create({ workspaceId: 'acme', name: 'busy', actor: 'user_olivia', scopes: ['notes:read'] });
    for (let i = 0; i < 3; i++) expect(await callProductApi(server, made.key)).toBe(200);
    const s = await openSession(browser, server, 'olivia');
    try {
      const chart = s.page.getByRole('img', { name: /^Usage of busy: 3 requests in the last 30 days, at most 3 on .*, 3 today$/ });
      await expect.poll(() => chart.count()).toBe(1);
      expect(await chart.locator('rect').count()).toBe(30);
      expect(await s.page.getByRole('img', { name: 'Usage of axe-me: no requests in the last 30 days' }).count()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('lists the owner’s legacy keys with their sunset, view and revoke only', async () => {
    const legacy = await importLegacyKey(server.keyward, { ownerId: 'user_olivia', name: 'my old personal key', scopes: ['notes:read'] });
    const { key } = legacy;
    expect(await callProductApi(server, key)).toBe(200);
    const s = await openSession(browser, server, 'olivia');
    try {
      const { page } = s;
      const section = page.getByRole('region', { name: 'Legacy personal keys', exact: true });
      await expect.poll(() => section.getByText('View and revoke only').count()).toBe(1);
      const sunset = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(server.keyward.legacySunset!);
      expect(await section.textContent()).toContain(`These keys keep working until ${sunset}, their sunset`);
      const table = section.getByRole('region', { name: 'Legacy personal keys table' });
      expect(await table.getByRole('button').allTextContents()).toEqual(['Revoke']);
      expect(await seriousViolations(page)).toEqual([]);
      await table.getByRole('button', { name: /^Revoke my old personal key/ }).click();
      await page.getByRole('alertdialog', { name: 'Revoke legacy key “my old personal key”?' }).getByRole('button', { name: 'Revoke key' }).click();
      await expect.poll(() => table.getByText('Revoked', { exact: true }).count()).toBe(1);
      expect((await server.keyward.get(legacy.id))?.revokedAt).not.toBeNull();
      expect(await callProductApi(server, key)).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('switches workspace for someone in several, and keeps the choice in the address', async () => {
    await server.keyward.create({ workspaceId: 'beta', name: 'beta-only', actor: 'user_adam' });
    await server.keyward.create({ workspaceId: 'acme', name: 'acme-only', actor: 'user_adam' });
    const s = await openSession(browser, server, 'adam');
    try {
      const { page } = s;
      const switcher = page.getByRole('combobox', { name: 'Workspace' });
      await expect.poll(() => switcher.inputValue()).toBe('acme');
      await expect.poll(() => keysRegion(s).getByText('acme-only', { exact: true }).count()).toBe(1);
      await switcher.selectOption({ label: 'Beta (admin)' });
      await expect.poll(() => keysRegion(s).getByText('beta-only', { exact: true }).count()).toBe(1);
      expect(await keysRegion(s).getByText('acme-only', { exact: true }).count()).toBe(0);
      expect(new URL(page.url()).searchParams.get('workspace')).toBe('beta');
      await page.reload();
      await expect.poll(() => keysRegion(s).getByText('beta-only', { exact: true }).count()).toBe(1);
      expect(await switcher.inputValue()).toBe('beta');
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a dark theme passes axe-core too', async () => {
    const dark = await startPageServer({ dashboard: { page: { theme: { colorScheme: 'dark', radius: '4px' } } } });
    await dark.keyward.create({ workspaceId: 'acme', name: 'night-shift', actor: 'user_olivia', scopes: ['notes:read'] });
    const s = await openSession(browser, dark, 'olivia');
    try {
      await expect.poll(() => keysRegion(s).getByText('night-shift', { exact: true }).count()).toBe(1);
      expect(await s.page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');
      expect(await s.page.evaluate(() => getComputedStyle(document.querySelector('.kw-section')!).borderTopLeftRadius)).toBe('4px');
      expect(await seriousViolations(s.page)).toEqual([]);
      expect(s.violations).toEqual([]);
    } finally {
      await s.close();
      await dark.close();
    }
  });
});
