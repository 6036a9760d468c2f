import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';
import { Simulation } from '../../src/engine/simulation';
import { formatDmesg } from '../../src/kernel/printk';
import { DEFAULT_SCENARIO_DOCUMENT as DEFAULT_SCENARIO } from '../../src/scenario/defaultScenario';
import { parseScript } from '../../src/scenario/script';
import { runLines } from '../support/helpers';

describe('smoke: the app loads in Chromium', () => {
  const app = serveAppInBrowser();

  it('shows the heading and logs no console errors', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('requestfailed', (request) =>
      errors.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
    );

    await page.goto(server.url, { waitUntil: 'load' });

    const heading = page.getByRole('heading', { level: 1, name: 'Livepatch Explorer' });
    await heading.waitFor({ state: 'visible' });
    expect(await heading.isVisible()).toBe(true);
    expect(await page.title()).toBe('Livepatch Explorer');
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.getAttribute('html', 'lang')).toBe('en');

    // Run to the completion of the reversed transition with the toolbar, then past the end
    // of the script with the time slider's event.
    const next = page.getByRole('button', { name: 'Next interesting event' });
    for (let i = 0; i < 5; i++) {
      if (((await page.getByTestId('dmesg').textContent()) ?? '').includes('unpatching complete')) break;
      await next.click();
    }
    await seekIntoScript(page, 60_000_000);

    const resultsDir = join(PROJECT_ROOT, 'test-results');
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'smoke.png'), fullPage: true });

    // The browser ran the same model: its transcript equals Node's, byte for byte.
    const parsed = parseScript(DEFAULT_SCENARIO.script);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const sim = new Simulation();
    runLines(sim, parsed.lines);
    const expected = sim.log.map((r) => formatDmesg(r));
    const shown = await page.evaluate(() => (window as unknown as { livepatchExplorer: { session: { sim: { dmesg(): string[] } } } }).livepatchExplorer.session.sim.dmesg());
    expect(shown).toEqual(expected);
    expect(await page.getByTestId('dmesg').textContent()).toContain("livepatch: 'test_klp_callbacks_demo': unpatching complete");

    expect(errors).toEqual([]);
    await page.close();
  });
});
