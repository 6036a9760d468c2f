// Issue 11 §7: a link whose `t=` lies 10 h into a transition that never finishes is reached in
// slices, on the page's thread and in the simulation worker alike: the page paints first, the
// replay shows its progress and can be cancelled, and the page is usable afterwards (the
// console answers, Play moves time).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../src/scenario/document';
import { encodeScenarioUrl } from '../../src/scenario/url';
import { pageErrors, serveAppInBrowser } from './app';

const TEN_HOURS_US = 36_000_000_000;

/** The default scenario's stuck transition with nobody to reverse it: it retries for ever. */
function stuckLink(): string {
  const r = validateScenario({
    format: 'livepatch-explorer/scenario',
    version: 1,
    title: 'Stuck for ever',
    script: ['load_mod test_klp_callbacks_busy block_transition=Y', 'load_lp_nowait test_klp_callbacks_demo'],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return encodeScenarioUrl(r.scenario, TEN_HOURS_US);
}

type Hook = { livepatchExplorer?: { port: { ready(): boolean; piece(n: 'cursor'): { now: number; start: number } } } };
const cursorNow = (page: Page) => page.evaluate(() => (window as unknown as Hook).livepatchExplorer!.port.piece('cursor').now);

describe('a link’s far cursor is reached in slices', () => {
  const app = serveAppInBrowser();

  for (const mode of ['off', 'on'] as const) {
    it(`worker=${mode}: paints first, shows the replay's progress, Cancel stops it, the console and Play work`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors = pageErrors(page);
      await page.goto(`${server.url}?worker=${mode}${stuckLink()}`, { waitUntil: 'load' });
      // The page is drawn while the replay runs: the toolbar with its progress bar.
      const progress = page.getByRole('progressbar', { name: 'Replaying to the cursor' });
      await progress.waitFor();
      await page.locator('.scenario-title', { hasText: 'Stuck for ever' }).waitFor();
      await page.waitForFunction(() => (window as unknown as Hook).livepatchExplorer?.port.ready() === true);
      // It moves: the cursor advances towards 10 h.
      const first = await cursorNow(page);
      await expect.poll(() => cursorNow(page)).toBeGreaterThan(first);
      const value = Number(await progress.getAttribute('value'));
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      await page.getByRole('button', { name: 'Cancel the replay' }).click();
      await progress.waitFor({ state: 'detached' });
      const stopped = await cursorNow(page);
      expect(stopped).toBeLessThan(TEN_HOURS_US);
      // Usable: the console answers about the moment on screen.
      const box = page.getByRole('textbox', { name: 'Console' });
      await box.fill('cat /sys/kernel/livepatch/test_klp_callbacks_demo/transition');
      await box.press('Enter');
      const item = page.locator('.co-item:not(.co-running):not(.co-waiting)', { has: page.locator('code', { hasText: 'callbacks_demo/transition' }) }).last();
      await item.locator('pre').first().waitFor();
      expect(await item.locator('pre').allTextContents()).toEqual(['1']);
      // Play moves virtual time on.
      const before = await cursorNow(page);
      await page.getByRole('button', { name: 'Play', exact: true }).click();
      await expect.poll(() => cursorNow(page)).toBeGreaterThan(before);
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await page.screenshot({ path: `/work/shots/ops/link-cursor-worker-${mode}-1280x720.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
