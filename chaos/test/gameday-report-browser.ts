/**
 * Headless Debian Chromium for the report tests, through playwright-core (never a downloaded
 * browser): a fresh profile per launch, background networking off, and every request the page
 * makes beyond the report file itself counted and refused, so "works offline" is checked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface ReportBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<ReportBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'faultline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did while loading: console errors, page errors, requests other than itself. */
export interface PageWatch {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

/** Opens `fileUrl` with every other request refused and recorded. */
export async function openWatched(browser: ReportBrowser, fileUrl: string): Promise<PageWatch> {
  const page = await browser.context.newPage();
  const watch: PageWatch = { page, consoleErrors: [], pageErrors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watch.pageErrors.push(e.message));
  page.on('request', (r) => {
    if (r.url() !== fileUrl) watch.requests.push(r.url());
  });
  await page.route('**/*', (route) =>
    route.request().url() === fileUrl ? route.continue() : route.abort('blockedbyclient'),
  );
  await page.goto(fileUrl, { waitUntil: 'load' });
  return watch;
}
