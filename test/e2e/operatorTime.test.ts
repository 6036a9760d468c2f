// Issue 10 §3-§4: the timeline's log scale and warning markers, one time base, `next` and the
// marker steps, the kernel log's wrapping, the link keeping the selection and expanded panel.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

type Explorer = { livepatchExplorer?: { scenario: { title: string }; session: { now: number; start: number } } };

const now = (page: Page) => page.evaluate(() => (window as unknown as Explorer).livepatchExplorer!.session.now);

describe('operator: time, markers, log and link', () => {
  const app = serveAppInBrowser();

  for (const size of SIZES) {
    it(`marks warnings by kind on a log scale and speaks dmesg time at ${size.width}×${size.height}`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: size });
      const errors = pageErrors(page);
      await page.goto(`${server.url}?worker=off`, { waitUntil: 'load' });
      await openPreset(page, 'long-walk-lockup');
      await seekIntoScript(page, 22_000_000);
      const timeline = page.getByTestId('timeline');
      // 302,000 threads: the log scale is on by default.
      expect(await page.getByRole('checkbox', { name: 'Log scale' }).isChecked()).toBe(true);
      await expect.poll(() => timeline.locator('[data-kind="lockup"]').count()).toBeGreaterThan(0);
      expect(await timeline.locator('[data-kind="rcu"]').count()).toBeGreaterThan(0);
      const lockup = await timeline.locator('[data-kind="lockup"] title').first().textContent();
      expect(lockup).toMatch(/^hard LOCKUP on CPU \d+ \(\S+:\d+ on CPU \d+\) at \[\s*\d+\.\d{6}\] \+[\d.]+s since the script began$/);
      expect(await timeline.locator('[data-kind="rcu"] title').first().textContent()).toMatch(/^RCU Tasks: rcu_tasks grace period \d+ is \d+ jiffies old at \[/);
      // The axis and the toolbar speak seconds since boot first.
      expect(await timeline.locator('svg text').allTextContents()).toContain('10s');
      expect(await page.locator('output.clock').textContent()).toMatch(/^\[\s*\d+\.\d{6}\] \+[\d.]+s$/);
      await page.getByRole('checkbox', { name: 'Log scale' }).uncheck();
      expect(await page.getByRole('checkbox', { name: 'Log scale' }).isChecked()).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `/work/shots/timeline-long-walk-${size.width}x${size.height}.png` });
      expect(errors).toEqual([]);
      await page.close();
    });

    it(`steps by attempt and marker, wraps the log, and keeps the selection in the link at ${size.width}×${size.height}`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: size });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'stuck-kthread-force');
      await seekIntoScript(page, 12_000_000);
      const t0 = await now(page);
      await page.getByRole('button', { name: 'Back one attempt' }).click();
      const t1 = await now(page);
      expect(t1).toBeLessThan(t0);
      expect(t0 - t1).toBeLessThanOrEqual(2_000_000);
      await page.getByRole('button', { name: 'Next marker' }).click();
      const t2 = await now(page);
      expect(t2).toBeGreaterThan(t1);
      await page.getByRole('button', { name: 'Previous marker' }).click();
      expect(await now(page)).toBeLessThan(t2);

      // Long lines wrap: no reason text is cut off at the panel's edge.
      const line = page.getByTestId('dmesg').locator('.log-line', { hasText: 'is sleeping on function' }).first();
      const box = await line.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, height: el.clientHeight }));
      expect(box.scroll).toBeLessThanOrEqual(box.client + 1);
      await page.getByRole('checkbox', { name: 'wrap' }).uncheck();
      const unwrapped = await line.evaluate((el) => el.clientHeight);
      expect(unwrapped).toBeLessThanOrEqual(box.height);

      // Function stacks say what U and S are.
      expect(await page.getByRole('region', { name: 'Function stacks', exact: true }).locator('abbr').first().getAttribute('title')).toMatch(/^U column/);

      // Select a task and expand a panel: both travel in the link.
      const search = page.getByRole('searchbox', { name: 'Find a task by pid or comm' });
      await search.fill('1034');
      await search.press('Enter');
      await page.getByTestId('inspector-task').waitFor();
      await page.getByRole('button', { name: 'Expand Inspector' }).click();
      await expect.poll(() => page.url()).toMatch(/&task=\d+&view=inspector$/);
      const link = page.url();
      const other = await browser.newPage({ viewport: size });
      await other.goto(link, { waitUntil: 'load' });
      await other.getByTestId('inspector-task').waitFor();
      expect(await other.getByTestId('inspector-task').textContent()).toContain('stuckd');
      expect(await other.getByRole('button', { name: 'Restore Inspector' }).count()).toBe(1);
      await other.close();
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('next stops at the last event instead of running minutes of idle time', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: SIZES[0] });
    await page.goto(server.url, { waitUntil: 'load' });
    const next = page.getByRole('button', { name: 'Next interesting event' });
    const stops: number[] = [];
    for (let i = 0; i < 6; i++) {
      await next.click();
      stops.push(await now(page));
    }
    expect(stops.at(-1)).toBe(stops.at(-2));
    const start = await page.evaluate(() => (window as unknown as Explorer).livepatchExplorer!.session.start);
    expect(stops.at(-1)! - start).toBeLessThan(120_000_000);
    await page.close();
  });
});
