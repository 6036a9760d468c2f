// What the end-to-end tests share: the built app served and a headless Chromium for one
// describe block, a page's error log, and moving the page's cursor.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, startPreviewServer, type PreviewServer } from './browser';

export interface StartedApp {
  browser: Browser;
  server: PreviewServer;
}

/** Serve a production build and launch Chromium before the block's tests; close both after. */
export function serveAppInBrowser(): { started(): StartedApp } {
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startPreviewServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    started() {
      if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
      return { browser, server };
    },
  };
}

/** Uncaught page errors (and, unless told otherwise, console errors) as they happen. */
export function pageErrors(page: Page, { consoleErrors = true } = {}): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (consoleErrors) page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
}

/** The playback SEEK the time slider sends: `us` after the script started. */
export async function seekIntoScript(page: Page, us: number): Promise<void> {
  await page.evaluate((t) => {
    const e = (window as unknown as { livepatchExplorer: { session: { start: number }; playback: { send(ev: unknown): void } } }).livepatchExplorer;
    e.playback.send({ type: 'SEEK', time: e.session.start + t });
  }, us);
}

/** Open a shipped scenario from the preset menu and wait until the page runs it. */
export async function openPreset(page: Page, id: string): Promise<void> {
  type Explorer = { livepatchExplorer?: { scenario: { title: string } } };
  const before = await page.evaluate(() => (window as unknown as Explorer).livepatchExplorer?.scenario.title);
  await page.getByLabel('Scenario preset').selectOption(id);
  await page.waitForFunction((t) => {
    const title = (window as unknown as Explorer).livepatchExplorer?.scenario.title;
    return title !== undefined && title !== t;
  }, before);
}
