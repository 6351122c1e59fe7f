// @keyward/dashboard/react inside a provider's own settings page, on real React (19, development
// build, so that React's own warnings show), in real Chromium: Tooken's Settings → API Keys with
// Regenerate (the old key dies at once) and the Audit Log.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openBrowser, openSession, seriousViolations } from './support/browser.js';
import { callProductApi, type PageServer, startPageServer } from './support/page-server.js';

const here = fileURLToPath(new URL('.', import.meta.url));

const APP = `
import { version } from 'react';
import { createRoot } from 'react-dom/client';
import { KeywardDashboard } from '@keyward/dashboard/react';

function Settings() {
  return (
    <div className="app">
      <nav aria-label="Settings"><a href="/settings/profile">Profile</a> <a href="/settings/api-keys" aria-current="page">API Keys</a></nav>
      <main>
        <h1>Settings → API Keys</h1>
        <KeywardDashboard basePath="/keyward" hideHeading sections={['keys', 'audit']} texts={{ title: 'API Keys', rotate: 'Regenerate', auditLog: 'Audit Log' }} />
      </main>
    </div>
  );
}
window.__reactVersion = version;
createRoot(document.getElementById('app')).render(<Settings />);
`;

let browser: Browser;
let server: PageServer;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: APP, resolveDir: here, loader: 'tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    conditions: ['@keyward/source'],
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const styles = readFileSync(new URL('../src/react/styles.css', import.meta.url), 'utf8');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Settings</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/settings/styles.css"></head>
<body><div id="app"></div><script src="/settings/app.js"></script></body></html>`;
  const files: Record<string, [string, string]> = {
    '/settings/api-keys': ['text/html; charset=utf-8', html],
    '/settings/app.js': ['text/javascript; charset=utf-8', script],
    '/settings/styles.css': ['text/css; charset=utf-8', styles],
  };
  [browser, server] = await Promise.all([
    openBrowser(),
    startPageServer({
      // Tooken: "Regenerate" replaces the key, and the old one stops at once.
      dashboard: { gracePeriods: ['0s'] },
      routes: (_req, res, url) => {
        const file = files[url.pathname];
        if (file === undefined) return false;
        // The provider's own page, under its own strict CSP: the components need no inline script or style either.
        res
          .writeHead(200, {
            'content-type': file[0],
            'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
          })
          .end(file[1]);
        return true;
      },
    }),
  ]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('runs in a provider’s settings page on real React: create, copy once, Regenerate (the old key dies at once), Audit Log', async () => {
  const s = await openSession(browser, server, 'olivia', '/settings/api-keys');
  try {
    const { page } = s;
    expect(await page.evaluate(() => (window as unknown as { __reactVersion: string }).__reactVersion)).toMatch(/^19\./);
    await expect.poll(() => page.getByText('No keys yet. Create one to call the API.').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Settings → API Keys']);

    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByRole('textbox', { name: 'Name' }).fill('billing-worker');
    await create.getByRole('checkbox', { name: /notes:read/ }).check();
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    const key = await shown.getByRole('textbox', { name: 'API key for “billing-worker”' }).inputValue();
    expect(await callProductApi(server, key)).toBe(200);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(key);

    const display = `${key.slice(0, 'acme_live_'.length)}…${key.slice(-4)}`;
    await page.getByRole('button', { name: `Regenerate billing-worker, ${display}` }).click();
    const regenerate = page.getByRole('dialog', { name: 'Regenerate “billing-worker”' });
    expect(await regenerate.textContent()).toContain('The old key stops working at once.');
    expect(await regenerate.getByRole('radio').count()).toBe(0);
    await regenerate.getByRole('button', { name: 'Regenerate key' }).click();
    const renewed = page.getByRole('dialog', { name: 'New key for “billing-worker”' });
    const next = await renewed.getByRole('textbox', { name: 'API key for “billing-worker”' }).inputValue();
    expect(await renewed.getByRole('list', { name: 'Both keys now' }).textContent()).toContain('Stopped working');
    expect(await callProductApi(server, key)).toBe(401);
    expect(await callProductApi(server, next)).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    await renewed.getByRole('button', { name: 'Close' }).click();
    expect(await page.content()).not.toContain(next);

    const audit = page.getByRole('region', { name: 'Audit Log', exact: true });
    await expect.poll(() => audit.getByRole('row').filter({ hasText: 'Key rotated' }).count()).toBe(1);
    expect(await audit.getByRole('row').filter({ hasText: 'old key stopped at once' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    // React's development build warns about keys, nesting and props: none here, and no CSP refusal.
    expect(s.logs.filter((l) => /^(error|warning)/.test(l))).toEqual([]);
    expect(s.violations).toEqual([]);
  } finally {
    await s.close();
  }
});
