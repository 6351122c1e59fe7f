// The browser side of the page tests: one Chromium per test file, a context per person, what the
// page printed and what the CSP refused, and axe-core's verdict.
import { launchBrowser } from '@keyward/test-services';

export { seriousViolations } from '@keyward/test-services';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PageServer, Person } from './page-server.js';

/** One signed-in person's tab, with everything it logged. */
export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every console message, page error and failed request text, in order. */
  readonly logs: string[];
  /** CSP violations the page reported (`securitypolicyviolation` events and console refusals). */
  readonly violations: string[];
  close(): Promise<void>;
}

/** Launches Chromium (installing it when missing, see @keyward/test-services). */
export function openBrowser(): Promise<Browser> {
  return launchBrowser();
}

/**
 * A new context (its own cookies and storage) signed in as `person` (or nobody), on the page.
 * Clipboard access is granted, as a person would allow it.
 */
export async function openSession(browser: Browser, server: PageServer, person: Person | null, path = '/keyward/'): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const page = await context.newPage();
  const logs: string[] = [];
  const violations: string[] = [];
  page.on('console', (message) => {
    logs.push(`${message.type()}: ${message.text()}`);
    if (/Content Security Policy|Trusted Type/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
  await page.exposeBinding('__kwViolation', (_source, text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __kwViolation: (text: string) => void }).__kwViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  if (person !== null) await page.goto(server.signInUrl(person, path));
  else await page.goto(`${server.origin}${path}`);
  return { context, page, logs, violations, close: () => context.close() };
}
