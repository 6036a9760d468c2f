// Issue 10 §2 and §4 (layout): the Status panel an SRE reads at a glance, its action buttons
// that type script lines, and a layout that keeps every panel usable at laptop sizes.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

const PANELS = ['Tasks', 'Timeline', 'Kernel log', 'Status', 'Console', 'sysfs', 'Inspector', 'Function stacks', 'Consistency', 'Statechart'];

/** The script as the session holds it (typed lines are written `at T: CMD`). */
function entries(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { livepatchExplorer: { session: { entries: string[] } } }).livepatchExplorer.session.entries]);
}

describe('operator: Status panel and layout', () => {
  const app = serveAppInBrowser();

  for (const size of SIZES) {
    it(`keeps every panel usable at ${size.width}×${size.height}, header on one line`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: size });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'stuck-kthread-force');
      await seekIntoScript(page, 12_000_000);
      for (const name of PANELS) {
        const body = page.getByRole('region', { name, exact: true }).locator('.panel-body');
        const box = await body.boundingBox();
        expect(box, name).not.toBeNull();
        expect(box!.height, `${name} body height`).toBeGreaterThanOrEqual(80);
        expect(box!.width, `${name} body width`).toBeGreaterThanOrEqual(250);
        expect(box!.y + box!.height, `${name} inside the window`).toBeLessThanOrEqual(size.height + 1);
      }
      const plot = await page.getByTestId('timeline').locator('svg').first().boundingBox();
      expect(plot!.height, 'timeline plot').toBeGreaterThanOrEqual(70);
      const inspector = await page.getByRole('region', { name: 'Inspector', exact: true }).boundingBox();
      expect(inspector!.height, 'Inspector').toBeGreaterThanOrEqual(size.height >= 900 ? 280 : 180);
      // The header is one line: the title gives way, ellipsised, with the full title on hover.
      const head = await page.locator('.app-head').boundingBox();
      expect(head!.height).toBeLessThan(40);
      const title = page.locator('.scenario-title');
      expect(await title.getAttribute('title')).toBe(await title.textContent());
      await page.screenshot({ path: `/work/shots/status-stuck-${size.width}x${size.height}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });

    it(`reads the transition at a glance and acts through the console at ${size.width}×${size.height}`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: size });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'stuck-kthread-force');
      await seekIntoScript(page, 12_000_000);
      const status = page.getByRole('region', { name: 'Status', exact: true });
      const transition = status.getByTestId('status-transition');
      expect(await transition.textContent()).toContain('patching lp_kthread_v2');
      expect(await transition.textContent()).toMatch(/since \[\s*7\.721170\] \+3\.51s since the script began/);
      expect(await transition.textContent()).toMatch(/attempts\d+/);
      expect(await transition.textContent()).toMatch(/next retryin /);
      const pending = await status.getByTestId('status-pending').textContent();
      expect(pending).toContain('1 task pending · 1 blocked');
      expect(pending).toContain('blocked: sleeping on function stuckd_loop, uninterruptible');
      expect(await status.getByTestId('status-warnings').textContent()).toBe('warnings0 WARN0 BUG0 Oops0 hard LOCKUP0 RCU Tasks');
      // An example task is one click from the Inspector.
      await status.getByRole('button', { name: 'Inspect stuckd:1034' }).click();
      expect(await page.getByTestId('inspector-task').textContent()).toContain('stuckd');

      // Force states its consequences first, and can be cancelled.
      await status.getByRole('button', { name: 'Force…' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Force lp_kthread_v2?' });
      expect(await confirm.textContent()).toContain('can never be removed');
      expect(await confirm.textContent()).toContain('plan a reboot');
      expect(await seriousViolations(page)).toEqual([]);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect(await confirm.count()).toBe(0);

      // Reverse types the line a person would type: it joins the script (and so the link).
      const before = (await entries(page)).length;
      await status.getByRole('button', { name: 'Reverse' }).click();
      const after = await entries(page);
      expect(after.at(-1)).toMatch(/^at [\d.]+s?: echo 0 > \/sys\/kernel\/livepatch\/lp_kthread_v2\/enabled$/);
      expect(after.length).toBeLessThanOrEqual(before + 1);
      expect(await page.getByRole('log', { name: 'Console transcript' }).textContent()).toContain('echo 0 > /sys/kernel/livepatch/lp_kthread_v2/enabled');
      // The script had lines ahead: the timeline forked. Its notice keeps the toolbar on one line
      // (ellipsised at 1280 px, the whole text on hover), so the panels below keep their room.
      const notice = page.getByRole('toolbar', { name: 'Playback' }).getByRole('status').filter({ hasText: 'Forked at' });
      expect(await notice.getAttribute('title')).toMatch(/^Forked at \[\s*\d+\.\d{6}\] \(\+[\d.]+m?s\): \d+ later commands? dropped$/);
      expect((await page.getByRole('toolbar', { name: 'Playback' }).boundingBox())!.height).toBeLessThan(45);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('forces from the Inspector of the patch, after saying what it costs', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: SIZES[0] });
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'stuck-kthread-force');
    await seekIntoScript(page, 12_000_000);
    await page.getByRole('region', { name: 'Status', exact: true }).getByRole('button', { name: 'Inspect lp_kthread_v2, the patch in transition' }).click();
    const inspector = page.getByRole('region', { name: 'Inspector', exact: true });
    await inspector.getByTestId('inspector-patch').waitFor();
    await inspector.getByRole('button', { name: 'Force…' }).click();
    await inspector.getByRole('button', { name: 'Force lp_kthread_v2' }).click();
    expect((await entries(page)).at(-1)).toMatch(/: echo 1 > \/sys\/kernel\/livepatch\/lp_kthread_v2\/force$/);
    await page.close();
  });

  it('collapses and resizes panels, and keeps the layout in local settings', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: SIZES[0] });
    await page.goto(server.url, { waitUntil: 'load' });
    const sysfs = page.getByRole('region', { name: 'sysfs', exact: true });
    await sysfs.getByRole('button', { name: 'Collapse sysfs' }).click();
    expect(await sysfs.locator('.panel-body').isVisible()).toBe(false);
    const splitter = page.getByRole('separator', { name: 'Resize Tasks and Timeline' });
    const was = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const now = Number(await splitter.getAttribute('aria-valuenow'));
    expect(now).toBeGreaterThan(was);
    await page.reload({ waitUntil: 'load' });
    expect(await page.getByRole('region', { name: 'sysfs', exact: true }).locator('.panel-body').isVisible()).toBe(false);
    expect(Number(await page.getByRole('separator', { name: 'Resize Tasks and Timeline' }).getAttribute('aria-valuenow'))).toBe(now);
    // Not in the address: a shared link carries the scenario, not the reader's screen.
    expect(page.url()).not.toContain('layout');
    await page.getByRole('button', { name: 'Show sysfs' }).click();
    expect(await page.getByRole('region', { name: 'sysfs', exact: true }).locator('.panel-body').isVisible()).toBe(true);
    await page.close();
  });
});
