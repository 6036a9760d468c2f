import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveAppInBrowser } from './app';

interface Hook {
  livepatchExplorer: { port: { piece(name: 'cursor'): { start: number; now: number }; piece(name: 'console'): { entries: string[] }; command(t: string): Promise<unknown> }; playback: { send(ev: unknown): void } };
}

/**
 * App sets window.livepatchExplorer in an effect after its first render, which can come after
 * the load event when the machine is busy: wait for it before using it.
 */
async function loaded(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as Partial<Hook>).livepatchExplorer !== undefined);
}

describe('scenario links and the saved copy', () => {
  const app = serveAppInBrowser();

  it('a malformed link shows why and opens the default scenario', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await page.goto(`${server.url}#s=1.%3Cscript%3E&t=5`, { waitUntil: 'load' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This link could not be opened');
    expect(await page.locator('.scenario-title').textContent()).toBe('A kworker blocks the transition; the operator reverses it');
    await page.close();
  });

  it('a typed command is in the address bar and survives a reload, and the link replays it elsewhere', async () => {
    const { browser, server } = app.started();
    const context = await browser.newContext();
    const page = await context.newPage();
    await loaded(page, server.url);
    const before = await page.evaluate(async () => {
      const e = (window as unknown as Hook).livepatchExplorer;
      e.playback.send({ type: 'SEEK', time: e.port.piece('cursor').start + 2_000_000 });
      const hash = location.hash;
      await e.port.command('cat /sys/kernel/livepatch/test_klp_callbacks_demo/enabled');
      return hash;
    });
    // The script changed: the fragment and the saved copy are rewritten.
    await page.waitForFunction((old) => location.hash !== old && (localStorage.getItem('livepatch-explorer/current') ?? '').includes('at 2s: cat'), before);
    const link = await page.evaluate(() => location.href);
    expect(link).toMatch(/#s=1\.[A-Za-z0-9_-]+&t=\d+$/);

    await loaded(page, server.url);
    const restored = await page.evaluate(() => (window as unknown as Hook).livepatchExplorer.port.piece('console').entries);
    expect(restored.at(-1)).toBe('at 2s: cat /sys/kernel/livepatch/test_klp_callbacks_demo/enabled');

    const other = await browser.newPage();
    await loaded(other, link);
    const shared = () => other.evaluate(() => {
      const e = (window as unknown as Hook).livepatchExplorer;
      const cursor = e.port.piece('cursor');
      return { entries: e.port.piece('console').entries, at: cursor.now - cursor.start };
    });
    // The link's cursor (where the typed line's run left it, just after 2 s: the script's
    // `sleep 16` got Ctrl-C and the `cat` ran) is reached in slices after the first paint.
    const t = Number(/&t=(\d+)$/.exec(link)?.[1]);
    await expect.poll(async () => { const x = await shared(); return x.at; }).toBe(t - (await other.evaluate(() => (window as unknown as Hook).livepatchExplorer.port.piece('cursor').start)));
    expect((await shared()).at).toBeGreaterThanOrEqual(2_000_000);
    expect((await shared()).at).toBeLessThan(2_010_000);
    expect((await shared()).entries.at(-1)).toBe('at 2s: cat /sys/kernel/livepatch/test_klp_callbacks_demo/enabled');
    await other.close();
    await context.close();
  });
});
