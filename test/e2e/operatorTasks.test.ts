// Issue 10 §3 (Tasks view): a "blocked only" filter, search by pid or comm (the match ringed
// and inspected), and a group of blockers never thinner than MIN_BLOCKER_PX at 300,000 threads.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

/** Where the Tasks canvas draws a slot's cell (viewport px), or null when it is not drawn. */
function centreOf(page: Page, slot: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate((s) => (window as unknown as { livepatchTasksView: { centreOf(s: number): { x: number; y: number } | null } }).livepatchTasksView.centreOf(s), slot);
}

describe('operator: Tasks filter and search', () => {
  const app = serveAppInBrowser();

  for (const size of SIZES) {
    it(`finds a task by pid or comm, rings and inspects it, and filters to blocked tasks at ${size.width}×${size.height}`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: size });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'stuck-kthread-force');
      await seekIntoScript(page, 12_000_000);
      const tasks = page.getByRole('region', { name: 'Tasks', exact: true });
      const search = tasks.getByRole('searchbox', { name: 'Find a task by pid or comm' });
      await search.fill('1034');
      await search.press('Enter');
      await page.getByTestId('inspector-task').waitFor();
      expect(await page.getByTestId('inspector-task').textContent()).toContain('stuckd');
      expect(await tasks.locator('.tasks-search-result').textContent()).toBe('1 match');
      await search.fill('KWORKER');
      await search.press('Enter');
      await expect.poll(async () => tasks.locator('.tasks-search-result').textContent()).toMatch(/^\d+ matches$/);
      const first = await page.getByTestId('inspector-task').textContent();
      expect(first).toContain('kworker');
      await search.press('Enter');
      await expect.poll(async () => page.getByTestId('inspector-task').textContent()).not.toBe(first);
      await search.fill('no-such-task');
      await search.press('Enter');
      await expect.poll(async () => tasks.locator('.tasks-search-result').textContent()).toBe('no match');

      // Blocked only: the stuck kthread's cell is drawn, a switched task's is not.
      const stuckd = await page.evaluate(() => {
        const k = (window as unknown as { livepatchExplorer: { session: { sim: { kernel: { tasks: { n: number; pid: Int32Array } } } } } }).livepatchExplorer.session.sim.kernel;
        return k.tasks.pid.indexOf(1034);
      });
      expect(await centreOf(page, 1)).not.toBeNull();
      await tasks.getByRole('button', { name: 'Blocked only' }).click();
      expect(await tasks.getByRole('button', { name: 'Blocked only' }).getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => centreOf(page, 1)).toBeNull();
      expect(await centreOf(page, stuckd)).not.toBeNull();
      expect(await page.getByTestId('tasks-canvas').getAttribute('aria-label')).toContain('1 pending, 1 blocked');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `/work/shots/tasks-blocked-only-${size.width}x${size.height}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('draws the 1,941-odd NFS readers of long-walk-lockup as a band, not a 2-pixel line', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: SIZES[0] });
    await page.goto(`${server.url}?worker=off`, { waitUntil: 'load' });
    await openPreset(page, 'long-walk-lockup');
    await seekIntoScript(page, 21_000_000);
    const band = await page.evaluate(() => {
      const e = (window as unknown as { livepatchExplorer: { session: { sim: { kernel: { tasks: { n: number; commOf(s: number): string } } } } } }).livepatchExplorer;
      const t = e.session.sim.kernel.tasks;
      const hook = (window as unknown as { livepatchTasksView: { centreOf(s: number): { x: number; y: number } | null } }).livepatchTasksView;
      let top = Infinity;
      let bottom = -Infinity;
      for (let s = 0; s < t.n; s++) {
        if (!t.commOf(s).startsWith('nfs-')) continue;
        const c = hook.centreOf(s);
        if (!c) continue;
        top = Math.min(top, c.y);
        bottom = Math.max(bottom, c.y);
      }
      return bottom - top;
    });
    expect(band).toBeGreaterThanOrEqual(16);
    await page.screenshot({ path: '/work/shots/tasks-long-walk-1280x720.png' });
    await page.close();
  });
});
