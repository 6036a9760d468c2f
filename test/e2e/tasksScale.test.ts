import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';

interface Hook {
  livepatchTasksView?: { cells(): number; centreOf(slot: number): { x: number; y: number } | null };
  livepatchExplorer: { session: { start: number; classify(): { reason: Uint8Array; n: number } }; playback: { send(e: unknown): void } };
}

describe('Tasks view at 100,000 tasks', () => {
  const app = serveAppInBrowser();

  it('draws every task, finds a blocker under the pointer after zooming, in both themes', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = pageErrors(page, { consoleErrors: false });
    await page.goto(`${server.url}?bench=tasks-100k`, { waitUntil: 'load' });
    await page.waitForFunction(() => ((window as unknown as Hook).livepatchTasksView?.cells() ?? 0) >= 100_000, undefined, { timeout: 60_000 });
    // Two seconds in, test_klp_livepatch's transition has stalled on the tasks in cmdline_proc_show.
    await seekIntoScript(page, 2_000_000);
    await page.waitForFunction(() => /blocked/.test(document.querySelector('[data-testid=tasks-canvas]')?.getAttribute('aria-label') ?? ''));
    const label = (await page.getByTestId('tasks-canvas').getAttribute('aria-label')) ?? '';
    expect(label).toMatch(/Task cells: 100\d{3} tasks in 3 groups/);
    const results = join(PROJECT_ROOT, 'test-results');
    await mkdir(results, { recursive: true });
    await page.locator('[data-view=tasks]').screenshot({ path: join(results, 'tasks-100k-dark.png') });

    // The first task in D state in cmdline_proc_show (reason 4): zoom in around it with the wheel.
    const slot = await page.evaluate(() => {
      const c = (window as unknown as Hook).livepatchExplorer.session.classify();
      for (let s = 0; s < c.n; s++) if (c.reason[s] === 4) return s;
      return -1;
    });
    expect(slot).toBeGreaterThan(0);
    let p = await page.evaluate((s) => (window as unknown as Hook).livepatchTasksView?.centreOf(s) ?? null, slot);
    if (!p) throw new Error('the blocked task has no cell');
    await page.mouse.move(p.x, p.y);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -500);
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=tasks-canvas]') as HTMLElement).dataset.zoom) > 8);
    p = await page.evaluate((s) => (window as unknown as Hook).livepatchTasksView?.centreOf(s) ?? null, slot);
    if (!p) throw new Error('the blocked task has no cell');
    await page.mouse.move(p.x, p.y);
    const tip = page.getByTestId('task-tooltip');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.textContent()).toContain('cmdline_proc_show');
    await page.screenshot({ path: join(results, 'tasks-100k-zoomed.png') });

    await page.mouse.move(2, 2);
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.getByRole('button', { name: 'Show all tasks' }).click();
    await page.waitForFunction(() => (document.querySelector('[data-testid=tasks-canvas]') as HTMLElement).dataset.zoom === '1');
    await page.locator('[data-view=tasks]').screenshot({ path: join(results, 'tasks-100k-light.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
