import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';

describe('playing the default scenario to completion', () => {
  const app = serveAppInBrowser();

  it('Play runs the transition to its end: the log says so and no task is pending', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });

    // The cells are drawn from the first frames on, even when the cursor moves before the
    // canvas settled its size (a resize clears a canvas: the renderer must draw again).
    await seekIntoScript(page, 1_000_000);
    await page.waitForFunction(() => {
      const hook = (window as unknown as { livepatchTasksView?: { centreOf(slot: number): { x: number; y: number } | null } }).livepatchTasksView;
      const canvas = document.querySelector<HTMLCanvasElement>('[data-view="tasks"] canvas');
      const p = hook?.centreOf(0);
      if (!canvas || !p) return false;
      const r = canvas.getBoundingClientRect();
      const k = canvas.width / r.width;
      const px = canvas.getContext('2d')?.getImageData(Math.floor((p.x - r.left) * k), Math.floor((p.y - r.top) * k), 1, 1).data;
      return px !== undefined && px[3] > 0;
    });

    // Fastest speed, then Play: the virtual clock runs on its own until the script is done.
    const speed = page.getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await speed.press('End');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByTestId('dmesg').getByText("livepatch: 'test_klp_callbacks_demo': unpatching complete").waitFor({ timeout: 30_000 });
    await page.getByText('test_klp_callbacks_busy: test_klp_callbacks_busy_exit').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();

    // The table alternative of the Tasks canvas: every group has 0 pending and 0 blocked tasks.
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    const table = page.getByRole('table', { name: 'Tasks by group and patch state' });
    const headers = await table.locator('thead th').allTextContents();
    const pendingCol = headers.indexOf('pending');
    const blockedCol = headers.indexOf('blocked');
    expect(pendingCol).toBeGreaterThan(0);
    expect(blockedCol).toBeGreaterThan(0);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows) {
      expect(r[pendingCol], `pending in ${r[0]}`).toBe('0');
      expect(r[blockedCol], `blocked in ${r[0]}`).toBe('0');
    }
    expect(await page.locator('[data-state="klp.core.no transition"]').getAttribute('data-active')).toBe('true');
    // The patch is gone: its func_stack entry fades out of the Function stacks view.
    await page.locator('[data-view="funcs"]').getByText('busymod_work_func').first().waitFor({ state: 'detached' });

    const dir = join(PROJECT_ROOT, 'test-results');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'played-to-completion.png') });

    // A small cell can take the whole grid, and Esc gives it back.
    await page.getByRole('button', { name: 'Expand Statechart' }).click();
    const chart = page.locator('[data-view="statechart"]');
    expect(await chart.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(1000);
    await page.screenshot({ path: join(dir, 'statechart-expanded.png') });
    await page.keyboard.press('Escape');
    expect(await chart.evaluate((el) => el.getBoundingClientRect().width)).toBeLessThan(600);
    expect(errors).toEqual([]);
    await page.close();
  });
});
