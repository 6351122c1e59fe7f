/**
 * A real browser for the page tests: Debian's Chromium (`/usr/bin/chromium`) driven by
 * playwright-core, whose own browser download cannot work here (no internet). `launchBrowser()`
 * finds Chromium, or installs the `chromium` package as root with apt-get when it is missing
 * (like PostgreSQL and Redis; about 25 s, once), or fails with a message naming the package.
 */
import { existsSync } from 'node:fs';
import type { Browser, LaunchOptions, Page } from 'playwright-core';
import { aptInstall, canAptInstall, which } from './services.js';

/**
 * Chromium's flags for this machine: no sandbox as root (Chromium refuses to start otherwise), and
 * none of its background connections (updates, sync, safe browsing), which a closed network
 * refuses by the dozen and which no test needs.
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  ...(typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : []),
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
]);

/** Chromium's path: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`, else `chromium` on the PATH. */
export function findChromium(): string | null {
  const given = process.env.CHROMIUM_PATH;
  if (given) return existsSync(given) ? given : null;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  return which('chromium') ?? which('chromium-browser');
}

/**
 * Chromium's path, installing Debian's `chromium` package first when it is missing and we may
 * (root with apt-get).
 * @throws {Error} naming the package to install, when Chromium is missing and cannot be installed here.
 */
export async function ensureChromium(): Promise<string> {
  const found = findChromium();
  if (found !== null) return found;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, which does not exist`);
  if (!canAptInstall()) {
    throw new Error(
      'the browser tests need Chromium: install the Debian package `chromium` (apt-get install -y chromium), ' +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary',
    );
  }
  await aptInstall(['chromium']);
  const installed = findChromium();
  if (installed === null) throw new Error('apt-get installed chromium, but /usr/bin/chromium is still missing');
  return installed;
}

/**
 * Launches headless Chromium (installing it when needed, see {@link ensureChromium}). One browser
 * per test file is plenty: give each test a context (`browser.newContext()`), which is cheap.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = await ensureChromium();
  // Loaded here, not at the top: everything else that imports @keyward/test-services never needs it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ headless: true, ...options, executablePath, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}

/**
 * axe-core's serious and critical violations of the page as it is now, as readable lines (`[]`
 * when there is none): run it in each state a test reaches (a dialog open, an error shown).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
