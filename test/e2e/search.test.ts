// The Search dialog (issue 9 §2) in Chromium: the search runs in a worker and finds Petr's
// counter-example under hybrid-rfc-2025, which opens as a scenario; under upstream with one
// cumulative patch it finds nothing and says how many states it explored; every policy gives
// one result each; Cancel stops a long search and leaves the page usable; a bad depth is refused.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/document';
import { encodeScenarioUrl } from '../../src/scenario/url';
import { openPreset, pageErrors, serveAppInBrowser } from './app';

const SHOTS = process.env.SEARCH_SHOTS;
const FIXTURES = join(__dirname, '..', 'fixtures', 'search');

/** A search fixture as a link fragment (the app opens it as it opens any link). */
function linkOf(file: string): string {
  const r = parseScenarioText(readFileSync(join(FIXTURES, file), 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return encodeScenarioUrl(r.scenario);
}

async function openSearch(page: Page) {
  await page.getByRole('button', { name: 'Search…' }).click();
  return page.getByRole('dialog', { name: 'Search every interleaving' });
}

describe('Search dialog', () => {
  const app = serveAppInBrowser();

  it("finds Petr's counter-example under hybrid-rfc-2025 and opens the found run as a scenario", async () => {
    const { browser, server } = app.started();
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const page = await browser.newPage({ viewport });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'petr-hybrid');
      const dialog = await openSearch(page);
      await dialog.getByRole('button', { name: 'Run search' }).click();
      const report = dialog.getByTestId('search-report');
      await expect.poll(() => report.textContent(), { timeout: 60_000 }).toMatch(/^found: never-shipped after \d+ states, 8 steps\nload_mod demo\nload_lp_nowait lp1\n/);
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/search-result-${viewport.width}x${viewport.height}.png` });
      }
      await dialog.getByRole('button', { name: 'Open the found run as a scenario' }).click();
      await expect.poll(() => page.locator('.scenario-title').textContent(), { timeout: 30_000 }).toMatch(/^Search: never-shipped in Petr's lp1\/lp2\/lp3/);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('under every policy: one result each, and the run found under hybrid-rfc-2025 opens as a scenario under that policy', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-hybrid');
    const dialog = await openSearch(page);
    await dialog.getByLabel('Under').selectOption('all');
    await dialog.getByRole('button', { name: 'Run search' }).click();
    const report = dialog.getByTestId('search-report');
    await expect.poll(() => report.textContent(), { timeout: 60_000 }).toMatch(/# policy replace-set-2026: every reachable state$/);
    const blocks = ((await report.textContent()) ?? '').split('\n\n');
    expect(blocks.map((b) => b.split('\n')[0].replace(/\d+/g, 'N'))).toEqual(['none found: N states explored', 'found: never-shipped after N states, N steps', 'none found: N states explored']);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/search-every-policy-1440x900.png` });
    }
    await dialog.getByRole('button', { name: 'Open the found run under hybrid-rfc-2025 as a scenario' }).click();
    await expect.poll(() => page.locator('.scenario-title').textContent(), { timeout: 30_000 }).toMatch(/^Search: never-shipped/);
    type Explorer = { livepatchExplorer: { scenario: { kernel: { policy: string } } } };
    expect(await page.evaluate(() => (window as unknown as Explorer).livepatchExplorer.scenario.kernel.policy)).toBe('hybrid-rfc-2025');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('finds nothing under upstream with one cumulative patch and says how many states it explored; a bad depth is refused', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(`${server.url}${linkOf('upstream-cumulative.json')}`, { waitUntil: 'load' });
    await page.locator('.scenario-title', { hasText: 'one cumulative patch' }).waitFor();
    const dialog = await openSearch(page);
    const depth = dialog.getByRole('textbox');
    await depth.fill('x');
    expect(await dialog.getByRole('button', { name: 'Run search' }).isDisabled()).toBe(true);
    await dialog.getByRole('alert').waitFor();
    await depth.fill('60');
    await dialog.getByRole('button', { name: 'Run search' }).click();
    await expect.poll(() => dialog.getByTestId('search-report').textContent(), { timeout: 60_000 }).toMatch(/^none found: \d+ states explored\n# policy upstream: every reachable state$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Cancel stops a long search: the progress stops, the dialog says after how many states, the page stays usable', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(`${server.url}${linkOf('large.json')}`, { waitUntil: 'load' });
    await page.locator('.scenario-title', { hasText: 'a large space to cancel' }).waitFor();
    const dialog = await openSearch(page);
    await dialog.getByRole('button', { name: 'Run search' }).click();
    const status = dialog.getByTestId('search-status');
    const explored = async () => Number(/([\d,]+) states explored/.exec((await status.textContent()) ?? '')?.[1].replace(/,/g, '') ?? 0);
    // Progress: the count of states explored grows.
    await expect.poll(explored, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await explored();
    await expect.poll(explored, { timeout: 30_000 }).toBeGreaterThan(first);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Cancelled after [\d,]+ states\.$/);
    const said = await status.textContent();
    await page.waitForTimeout(1500);
    expect(await status.textContent()).toBe(said);
    expect(await dialog.getByTestId('search-report').count()).toBe(0);
    // Usable: the form is back, the dialog closes, the page answers.
    expect(await dialog.getByRole('button', { name: 'Run search' }).isEnabled()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Search…' }).click();
    await page.getByRole('dialog', { name: 'Search every interleaving' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
