/**
 * Regenerates the README's screenshots of the key-management page (packages/dashboard/docs/*.png)
 * from a demo server with made-up data, in headless Chromium:
 *
 *   pnpm --filter @keyward/dashboard screenshot
 *
 * The keys are made by the engine at run time and only their `prefix…last4` is ever on screen;
 * the one place a whole key appears (the dialog right after creating it) is masked in the picture.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openBrowser, openSession } from '../test/support/browser.js';
import { importLegacyKey } from '../test/support/legacy.js';
import { startPageServer } from '../test/support/page-server.js';
import { buildPage } from './build-page.mjs';

const DAY = 86_400_000;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
mkdirSync(out, { recursive: true });
await buildPage();

// The engine's clock walks through the last 30 days while the demo keys are made and used.
const today = Date.now();
let clock = today - 29 * DAY;
const server = await startPageServer({
  engine: { now: () => clock, legacy: { sunset: new Date(today + 45 * DAY) } },
  dashboard: { page: { notice: 'Demo data: made-up people and keys (pnpm --filter @keyward/dashboard screenshot).' } },
});
const { keyward } = server;
const at = (daysAgo: number, hour = 10) => {
  const d = new Date(today - daysAgo * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  clock = d.getTime();
};
const use = async (key: string, times: number) => {
  for (let i = 0; i < times; i++) await keyward.verify({ authorization: `Bearer ${key}` });
};

at(28);
const billing = await keyward.create({ workspaceId: 'acme', name: 'billing-worker', scopes: ['notes:read', 'notes:write'], actor: 'user_olivia' });
at(26);
const ci = await keyward.create({ workspaceId: 'acme', name: 'ci-deploy', scopes: ['notes:read'], actor: 'user_adam' });
at(21);
const laptop = await keyward.create({ workspaceId: 'acme', name: 'old-laptop', scopes: ['notes:read'], actor: 'user_adam' });
at(12);
const staging = await keyward.create({
  workspaceId: 'acme',
  name: 'staging-sync',
  environment: 'test',
  scopes: ['notes:read'],
  actor: 'user_olivia',
});
const trial = await keyward.create({
  workspaceId: 'acme',
  name: 'partner-trial',
  scopes: ['notes:read'],
  actor: 'user_olivia',
  expiresAt: new Date(today + 18 * DAY),
});
for (let day = 28; day >= 0; day--) {
  at(day, 9);
  const weekday = new Date(clock).getUTCDay() % 6 !== 0;
  await use(billing.key, (weekday ? 14 : 4) + ((day * 7) % 9));
  if (day <= 26) await use(ci.key, weekday ? 3 + (day % 4) : 0);
  if (day <= 12) await use(staging.key, 2 + (day % 3));
  if (day <= 12 && day % 2 === 0) await use(trial.key, 1 + (day % 5));
  if (day > 15 && day <= 21) await use(laptop.key, 2);
}
at(15, 16);
await keyward.revoke(laptop.record.id, { actor: 'user_olivia' });
const { key: legacyKey } = await importLegacyKey(keyward, { ownerId: 'user_olivia', name: 'personal key (2024)', createdAt: '2024-03-01T00:00:00Z' });
at(0, Math.max(0, new Date(today).getUTCHours() - 2));
await use(legacyKey, 1);
const rotated = await keyward.rotate(ci.record.id, { gracePeriod: '24h', actor: 'user_adam' });
await use(rotated.key, 2);
await keyward.flush();
clock = today;

const browser = await openBrowser();
const shot = async (page: Page, name: string, options: Parameters<Page['screenshot']>[0] = {}) => {
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(out, name), ...options });
  console.log(`wrote docs/${name}`);
};
try {
  const admin = await openSession(browser, server, 'olivia');
  const { page } = admin;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('region', { name: 'Audit log', exact: true }).getByRole('row').nth(3).waitFor();
  await shot(page, 'page.png', { fullPage: true });

  await page.getByRole('button', { name: 'Create key' }).click();
  const create = page.getByRole('dialog', { name: 'Create key' });
  await create.getByRole('textbox', { name: 'Name' }).fill('reporting-export');
  await create.getByRole('checkbox', { name: /notes:read/ }).check();
  await create.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByRole('dialog', { name: 'Your new API key' }).getByRole('textbox');
  await secret.waitFor();
  await shot(page, 'page-new-key.png', { mask: [secret], maskColor: '#dfe4ec' });
  await page.keyboard.press('Escape');

  const billingDisplay = `${billing.record.prefix}…${billing.record.hint}`;
  await page.getByRole('button', { name: `Rotate billing-worker, ${billingDisplay}` }).click();
  await page.getByRole('dialog', { name: 'Rotate “billing-worker”' }).getByRole('radio').nth(1).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await shot(page, 'page-rotate.png');
  await page.keyboard.press('Escape');
  await admin.close();

  const member = await openSession(browser, server, 'mia');
  await member.page.setViewportSize({ width: 1280, height: 640 });
  await member.page.getByRole('region', { name: 'Keys', exact: true }).getByRole('row').nth(2).waitFor();
  await shot(member.page, 'page-member.png');
  // The key store down: the page says so, and never shows an empty list.
  server.control.failing = true;
  await member.page.reload();
  await member.page.getByRole('button', { name: 'Try again' }).first().waitFor();
  await shot(member.page, 'page-unavailable.png');
  server.control.failing = false;
  await member.close();
} finally {
  await browser.close();
  await server.close();
}
