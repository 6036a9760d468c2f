// Issue 10 §1: a command typed at a paused moment while the script's own `sleep 16` runs
// answers now, about the moment on screen: the sleep gets Ctrl-C, the typed line runs at the
// cursor, the later script lines are forked away with the notice (in-process and worker).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pageErrors, serveAppInBrowser } from './app';

const SIZES = [
  { width: 1280, height: 720, mode: 'off' },
  { width: 1440, height: 900, mode: 'on' },
] as const;
const CAT = 'cat /sys/kernel/livepatch/test_klp_callbacks_demo/transition';

type Explorer = { livepatchExplorer: { port: { ready(): boolean; piece(n: 'cursor'): { now: number; start: number } }; playback: { send(e: unknown): void } } };
/** The cursor, µs after the script began (through the port: in-process or in the worker). */
const cursor = (page: Page) => page.evaluate(() => {
  const c = (window as unknown as Explorer).livepatchExplorer.port.piece('cursor');
  return c.now - c.start;
});
const seek = (page: Page, us: number) => page.evaluate((t) => {
  const e = (window as unknown as Explorer).livepatchExplorer;
  e.playback.send({ type: 'SEEK', time: e.port.piece('cursor').start + t });
}, us);

describe('a command typed while the script’s `sleep 16` runs', () => {
  const app = serveAppInBrowser();

  for (const size of SIZES) {
    it(`runs now at ${size.width}×${size.height} (worker=${size.mode}): the sleep gets ^C, the notice shows`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
      const errors = pageErrors(page);
      await page.goto(`${server.url}?worker=${size.mode}`, { waitUntil: 'load' });
      await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
      await page.waitForFunction(() => (window as unknown as Explorer).livepatchExplorer.port.ready());
      // The default scenario: `sleep 16` starts at about +4 s.
      await seek(page, 8_000_000);
      await expect.poll(() => cursor(page)).toBe(8_000_000);
      const box = page.getByRole('textbox', { name: 'Console' });
      await box.fill(CAT);
      await box.press('Enter');
      const item = page.locator('.co-item:not(.co-running):not(.co-waiting)', { has: page.locator('code', { hasText: CAT }) }).last();
      await item.locator('pre').first().waitFor();
      // Still in the transition the cursor showed: the typed line did not wait for the sleep.
      expect(await item.locator('pre').allTextContents()).toEqual(['1']);
      expect(await page.locator('section[data-view="console"] .co-waiting').count()).toBe(0);
      await page.locator('section[data-view="console"]').getByText('^C').first().waitFor();
      await page.locator('.co-forked').getByText(/Timeline forked at \+8s: 3 later commands dropped/).waitFor();
      // The cursor stayed within a few ms of where the user typed.
      expect(await cursor(page)).toBeLessThan(8_100_000);
      await page.screenshot({ path: `/work/shots/ops/busy-shell-${size.width}x${size.height}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
