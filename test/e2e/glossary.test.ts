// Issue 9 §3: the glossary is reachable from every term the views show. In a stuck transition
// (stuck-kthread-reverse at 10 s), a term in the Tasks legend, the Status facts, the sysfs
// tree, the Inspector's patch facts, the Timeline legend and the Consistency table each opens
// the one glossary dialog at its own entry.
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, seekIntoScript, serveAppInBrowser } from './app';

const SHOTS = process.env.SEARCH_SHOTS;

async function opensEntry(page: Page, term: Locator, entry: string): Promise<void> {
  await term.scrollIntoViewIfNeeded();
  await term.click();
  const dialog = page.getByRole('dialog', { name: 'Glossary' });
  await expect.poll(() => dialog.locator('.glossary-current dt').textContent()).toBe(entry);
  await page.keyboard.press('Escape');
  await expect.poll(() => dialog.count()).toBe(0);
}

describe('glossary terms in the views', () => {
  const app = serveAppInBrowser();

  it('a term in each of six views opens its definition', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'stuck-kthread-reverse');
    await seekIntoScript(page, 10_000_000);
    const region = (name: string) => page.getByRole('region', { name, exact: true });
    const term = (r: Locator, name: string) => r.getByRole('button', { name, exact: true }).first();
    await expect.poll(() => region('Status').getByTestId('status-pending').count(), { timeout: 30_000 }).toBe(1);

    await opensEntry(page, term(region('Tasks'), 'unhashed'), 'unhashed');
    await opensEntry(page, term(region('Status'), 'attempts'), 'attempt');
    await opensEntry(page, term(region('Status'), 'signals'), 'fake signal');
    await opensEntry(page, term(region('sysfs'), 'transition'), 'transition');
    await region('Status').getByRole('button', { name: /^Inspect .*, the patch in transition$/ }).click();
    await opensEntry(page, term(region('Inspector'), 'stack_order'), 'stack_order');
    await opensEntry(page, term(region('Inspector'), 'replace'), 'atomic replace');
    await region('Timeline').getByRole('button', { name: 'Legend' }).click();
    await opensEntry(page, term(region('Timeline'), 'fake signals'), 'fake signal');
    await opensEntry(page, term(region('Consistency'), 'universe'), 'universe');
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/glossary-terms-1440x900.png` });
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
