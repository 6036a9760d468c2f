import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';

interface PageEngine {
  session: { start: number; now: number; sim: { kernel: { tasks: { n: number; commOf(s: number): string } } }; classify(): { reason: Uint8Array } };
  playback: { send(ev: unknown): void };
}
type Win = { livepatchExplorer: PageEngine; livepatchTasksView?: { centreOf(slot: number): { x: number; y: number } | null } };

/** Slot of the kworker that the default scenario leaves in D state inside busymod_work_func. */
async function stuckKworker(page: Page): Promise<number> {
  return page.evaluate(() => {
    const e = (window as unknown as Win).livepatchExplorer;
    const c = e.session.classify();
    const k = e.session.sim.kernel;
    for (let s = 0; s < k.tasks.n; s++) if (c.reason[s] === 4 && k.tasks.commOf(s).startsWith('kworker/')) return s;
    return -1;
  });
}

async function cellCentre(page: Page, slot: number): Promise<{ x: number; y: number }> {
  const handle = await page.waitForFunction((s) => (window as unknown as Win).livepatchTasksView?.centreOf(s) ?? null, slot);
  return (await handle.jsonValue()) as { x: number; y: number };
}

describe('Tasks view and Inspector in Chromium', () => {
  const app = serveAppInBrowser();

  it('hovering the stuck kworker shows why it blocks; clicking inspects it', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByTestId('tasks-canvas').waitFor({ state: 'visible' });
    expect(await page.getByText('Click a task cell, a patch or a function to inspect it.').isVisible()).toBe(true);

    // Ten seconds into the script the patching transition is stuck on the kworker.
    await seekIntoScript(page, 10_000_000);
    const slot = await stuckKworker(page);
    expect(slot).toBeGreaterThan(0);
    const label = await page.getByTestId('tasks-canvas').getAttribute('aria-label');
    expect(label).toMatch(/1 pending/);

    const { x, y } = await cellCentre(page, slot);
    await page.mouse.move(x, y);
    const tip = page.getByTestId('task-tooltip');
    await tip.waitFor({ state: 'visible' });
    const tipText = (await tip.textContent()) ?? '';
    expect(tipText).toContain('busymod_work_func');
    expect(tipText).toContain('uninterruptible sleep');
    expect(tipText).toContain('blocks the switch');
    expect(tipText).toMatch(/patch_state\s*0/);

    const results = join(PROJECT_ROOT, 'test-results');
    await mkdir(results, { recursive: true });
    await page.screenshot({ path: join(results, 'tasks-hover.png') });

    await page.mouse.click(x, y);
    const inspector = page.getByTestId('inspector-task');
    await inspector.waitFor({ state: 'visible' });
    const inspectorText = (await inspector.textContent()) ?? '';
    expect(inspectorText).toContain('kworker/');
    expect(inspectorText).toContain('fake signals cannot wake it');
    // The ftrace handler's answer for an unpatched task in a patching transition: the original.
    expect(inspectorText).toContain('What would it run');
    expect(inspectorText).toMatch(/runs busymod_work_func/);
    expect(inspectorText).toContain('the task is unpatched (0)');
    await page.mouse.move(5, 5);
    // A tall window gives the Inspector's grid row room to show all of it.
    await page.setViewportSize({ width: 1400, height: 2000 });
    await page.locator('[data-view=inspector]').screenshot({ path: join(results, 'inspector-task.png') });
    await page.locator('[data-view=inspector] .panel-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator('[data-view=inspector]').screenshot({ path: join(results, 'inspector-call.png') });

    // From the func_stack to the patch, from the patch to the function.
    await page.getByRole('button', { name: 'Inspect patch test_klp_callbacks_demo' }).click();
    const patch = page.getByTestId('inspector-patch');
    await patch.waitFor({ state: 'visible' });
    expect((await patch.textContent()) ?? '').toMatch(/enabled1transition1replace0/);
    await page.getByRole('button', { name: 'Inspect function busymod_work_func' }).click();
    const func = page.getByTestId('inspector-func');
    await func.waitFor({ state: 'visible' });
    expect((await func.textContent()) ?? '').toContain('patched_work_func');
    await page.locator('[data-view=inspector]').screenshot({ path: join(results, 'inspector-func.png') });
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.setViewportSize({ width: 1400, height: 900 });

    // The table alternative lists the same blocker with its function.
    const table = page.getByTestId('tasks-table');
    expect(await table.textContent()).toContain('uninterruptible (D): busymod_work_func');
    await page.getByRole('button', { name: 'Table' }).click();
    expect(await table.isVisible()).toBe(true);
    await page.locator('[data-view=tasks]').screenshot({ path: join(results, 'tasks-table.png') });
    await page.getByRole('button', { name: 'Table' }).click();

    // Zoom in with the keyboard, reset, then with the wheel around the cell: the hovered
    // cell is still found where the layout says.
    const canvas = page.getByTestId('tasks-canvas');
    await canvas.focus();
    await page.keyboard.press('w');
    await page.waitForFunction(() => (document.querySelector('[data-testid=tasks-canvas]') as HTMLElement).dataset.zoom !== '1');
    await page.keyboard.press('0');
    await page.waitForFunction(() => (document.querySelector('[data-testid=tasks-canvas]') as HTMLElement).dataset.zoom === '1');
    await page.mouse.move(x, y);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=tasks-canvas]') as HTMLElement).dataset.zoom) > 1.5);
    const zoomed = await cellCentre(page, slot);
    await page.mouse.move(zoomed.x, zoomed.y);
    await tip.waitFor({ state: 'visible' });
    expect(await tip.textContent()).toContain('busymod_work_func');

    expect(errors).toEqual([]);
    await page.close();
  });
});
