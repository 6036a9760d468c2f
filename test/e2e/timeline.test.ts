import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';

type Explorer = { session: { start: number; now: number; head: number; sim: { log: unknown[] } }; playback: { send(ev: unknown): void } };

const resultsDir = join(PROJECT_ROOT, 'test-results');

const seekTo = (page: Page, secondsIntoScript: number) => seekIntoScript(page, secondsIntoScript * 1e6);

const sessionNow = (page: Page) => page.evaluate(() => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.now);
const logLength = (page: Page) => page.evaluate(() => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.sim.log.length);

async function shoot(page: Page, view: string, name: string): Promise<void> {
  await page.locator(`section[data-view="${view}"]`).screenshot({ path: join(resultsDir, `${name}.png`) });
}

describe('timeline and statechart views', () => {
  const app = serveAppInBrowser();

  beforeAll(async () => {
    await mkdir(resultsDir, { recursive: true });
  });

  it('shows the run, scrubs back in time, lights the statechart and exports it', async () => {
    const { browser, server } = app.started();
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    const scripts: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
    page.on('worker', (w) => scripts.push(w.url()));
    await page.goto(server.url, { waitUntil: 'load' });

    const chart = page.getByRole('img', { name: 'Statechart of the klp core machine' });
    await chart.waitFor({ state: 'visible' });
    // Laid out at build time: no layout worker and no elkjs reach the page.
    expect(scripts.filter((u) => /elk|worker/i.test(u))).toEqual([]);
    const stateActive = (id: string) => page.locator(`[data-state="${id}"]`).getAttribute('data-active');
    expect(await stateActive('klp.core.no transition')).toBe('true');

    // Stuck: the kworker in D state holds the patching transition.
    await seekTo(page, 10);
    await page.waitForFunction(() => document.querySelector('[data-state="klp.core.patching"]')?.getAttribute('data-active') === 'true');
    expect(await stateActive('klp.core.no transition')).toBe('false');
    expect(await page.locator('[data-edge][data-last="true"]').count()).toBeGreaterThan(0);
    await shoot(page, 'statechart', 'statechart-patching-dark');

    // Run to the completion of the reversed transition, then on past the end of the script.
    const next = page.getByRole('button', { name: 'Next interesting event' });
    for (let i = 0; i < 5 && !((await page.getByTestId('dmesg').textContent()) ?? '').includes('unpatching complete'); i++) await next.click();
    await seekTo(page, 30);
    await page.waitForFunction(() => document.querySelector('[data-state="klp.core.no transition"]')?.getAttribute('data-active') === 'true');
    expect(await stateActive('klp.core.patching')).toBe('false');
    expect(await stateActive('klp.core.unpatching')).toBe('false');

    const timeline = page.getByRole('slider', { name: /^Timeline/ });
    expect(await page.locator('[data-testid="timeline"] [data-kind="attempt"]').count()).toBeGreaterThan(5);
    expect(await page.locator('[data-testid="timeline"] [data-kind="complete"]').count()).toBe(1);
    expect(await page.locator('[data-testid="timeline"] [data-kind="reverse"]').count()).toBe(1);
    expect(await page.locator('[data-testid="timeline"] [data-kind="signal"]').count()).toBe(1);
    expect(await page.locator('[data-testid="timeline"] path.tl-band').count()).toBeGreaterThan(0);
    await timeline.hover({ position: { x: 300, y: 60 } });
    await page.getByTestId('timeline-tooltip').waitFor({ state: 'visible' });
    await shoot(page, 'timeline', 'timeline-complete-dark');

    // Drag on the chart back to an earlier time: the clock and the log go back with it.
    const clock = page.getByRole('status', { name: 'Virtual time' }).or(page.locator('output.clock'));
    const clockBefore = await clock.textContent();
    const linesBefore = await logLength(page);
    const nowBefore = await sessionNow(page);
    const box = (await timeline.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((before) => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.now < before, nowBefore);
    await page.waitForFunction((before) => document.querySelector('output.clock')?.textContent !== before, clockBefore);
    expect(await clock.textContent()).not.toBe(clockBefore);
    expect(await logLength(page)).toBeLessThan(linesBefore);
    const head = await page.evaluate(() => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.head);
    expect(head).toBeGreaterThan(await sessionNow(page));
    // The recorded future stays drawn beyond the cursor.
    expect(await page.locator('[data-testid="timeline"] [data-kind="complete"][data-future="true"]').count()).toBe(1);
    await shoot(page, 'timeline', 'timeline-scrubbed-dark');

    // Keyboard: the arrow keys step from marker to marker.
    const markerTimes = (await page.locator('[data-testid="timeline"] [data-kind]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time'))))).sort((a, b) => a - b);
    const from = await sessionNow(page);
    await timeline.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.now !== t, from);
    expect(await sessionNow(page)).toBe(markerTimes.find((t) => t > from));

    // Clicking a marker (the round of fake signals) jumps to it.
    await page.mouse.move(0, 0);
    const signal = page.locator('[data-testid="timeline"] [data-kind="signal"]');
    const signalAt = Number(await signal.getAttribute('data-time'));
    await signal.locator('rect').click();
    await page.waitForFunction((t) => (window as unknown as { livepatchExplorer: Explorer }).livepatchExplorer.session.now === t, signalAt);

    // Zoom in with the button, then Fit.
    await page.getByRole('button', { name: 'Zoom in on timeline' }).click();
    expect(await page.getByRole('button', { name: 'Fit' }).first().isEnabled()).toBe(true);

    // Export the statechart as a standalone SVG with its colours.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
    const file = await download.path();
    const svgText = await readFile(file, 'utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toContain('unpatching');
    expect(svgText).toMatch(/fill:\s*rgb\(/);
    expect(svgText).not.toContain('var(--');

    // Light theme.
    await seekTo(page, 10);
    await page.waitForFunction(() => document.querySelector('[data-state="klp.core.patching"]')?.getAttribute('data-active') === 'true');
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await shoot(page, 'timeline', 'timeline-light');
    await shoot(page, 'statechart', 'statechart-patching-light');
    await page.screenshot({ path: join(resultsDir, 'timeline-statechart-page.png') });

    expect(errors).toEqual([]);
    await context.close();
  });
});
