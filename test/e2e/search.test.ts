// The Search dialog (issue 9 §2) in Chromium: the search runs in a worker and finds Petr's
// counter-example under hybrid-rfc-2025, which opens as a scenario; under upstream it finds
// nothing and says how many states it explored; a bad depth is refused.
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, serveAppInBrowser } from './app';

const SHOTS = process.env.SEARCH_SHOTS;

describe('Search dialog', () => {
  const app = serveAppInBrowser();

  it("finds Petr's counter-example under hybrid-rfc-2025 and opens the found run as a scenario", async () => {
    const { browser, server } = app.started();
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const page = await browser.newPage({ viewport });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'petr-hybrid');
      await page.getByRole('button', { name: 'Search…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Search every interleaving' });
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

  it('finds nothing under upstream and says how many states it explored; a bad depth is refused', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-upstream');
    await page.getByRole('button', { name: 'Search…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search every interleaving' });
    const depth = dialog.getByRole('textbox');
    await depth.fill('x');
    expect(await dialog.getByRole('button', { name: 'Run search' }).isDisabled()).toBe(true);
    await dialog.getByRole('alert').waitFor();
    await depth.fill('60');
    await dialog.getByRole('button', { name: 'Run search' }).click();
    await expect.poll(() => dialog.getByTestId('search-report').textContent(), { timeout: 60_000 }).toMatch(/^none found: \d+ states explored \(every reachable state\)/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
