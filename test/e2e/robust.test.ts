// Issue 11 in the browser: hostile links show a message and leave a usable page where Play
// works; a saved copy that fails to open (the three losing cases) is kept and offered for
// download after a reload, never overwritten.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveAppInBrowser } from './app';

interface Hook {
  livepatchExplorer: { session: { start: number; now: number } };
}

async function loaded(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as Partial<Hook>).livepatchExplorer !== undefined);
}

/** Play for a moment: virtual time moves, so the page is alive. */
async function playWorks(page: Page): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as Hook).livepatchExplorer.session.now);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForFunction((t) => (window as unknown as Hook).livepatchExplorer.session.now > t, before);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
}

interface RemoteHook {
  livepatchExplorer: {
    port: {
      ready(): boolean;
      piece(name: 'cursor'): { now: number };
      piece(name: 'console'): { entries: string[] };
      debugCrash(how: 'throw' | 'die'): void;
    };
  };
}

/** The cursor and the script, as the page's port has them (in worker mode there is no session on the page). */
function remoteState(page: Page): Promise<{ now: number; entries: string[] }> {
  return page.evaluate(() => {
    const p = (window as unknown as RemoteHook).livepatchExplorer.port;
    return { now: p.piece('cursor').now, entries: p.piece('console').entries };
  });
}

/** Play for a moment in worker mode: the worker's cursor moves. */
async function playWorksRemote(page: Page): Promise<void> {
  const { now } = await remoteState(page);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForFunction((t) => (window as unknown as RemoteHook).livepatchExplorer.port.piece('cursor').now > t, now);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  // The pause has reached the worker and its snapshot the page: the cursor is at rest.
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
}

const DEFAULT_TITLE = 'A kworker blocks the transition; the operator reverses it';

describe('hostile links and saved copies', () => {
  const app = serveAppInBrowser();

  it.each([
    ['#s=1.%3Cscript%3E&t=5', 'This link could not be opened (link: the scenario data is damaged'],
    ['#__proto__=1', "This link could not be opened (link: unknown part '__proto__'"],
    ['#s=9.eJwDAAAAAAE', 'This link could not be opened (link: the scenario is version 9'],
    ['#s=1.eJwDAAAAAAE&t=1234567890123456', 'This link could not be opened (link: the time part is malformed'],
  ])('%s: the message is shown, the page is usable and Play works', async (fragment, message) => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await loaded(page, `${server.url}${fragment}`);
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain(message);
    expect(await page.locator('.scenario-title').textContent()).toBe(DEFAULT_TITLE);
    await playWorks(page);
    await page.close();
  });

  it('?bench=__proto__ opens the explorer (no blank page), and Play works', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await loaded(page, `${server.url}?bench=__proto__`);
    expect(await page.locator('.scenario-title').textContent()).toBe(DEFAULT_TITLE);
    await playWorks(page);
    await page.close();
  });

  it.each([
    ['times going backwards', { script: ['at 10s: ls', 'at 5s: lsmod'] }],
    ['a line over 4,096 characters', { script: [`cat ${'x'.repeat(4100)}`] }],
    ['more than 10,000 lines', { script: Array.from({ length: 10_001 }, () => 'ls') }],
  ])('reload with a saved copy holding %s: it is kept, offered for download, never overwritten', async (_, body) => {
    const { browser, server } = app.started();
    const context = await browser.newContext();
    const page = await context.newPage();
    await loaded(page, server.url);
    const saved = JSON.stringify({ document: { format: 'livepatch-explorer/scenario', version: 1, ...body }, cursorUs: 5 });
    await page.evaluate((text) => {
      localStorage.clear();
      localStorage.setItem('livepatch-explorer/current', text);
    }, saved);
    await page.goto(server.url, { waitUntil: 'load' });
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Your saved scenario could not be restored');
    await page.getByRole('button', { name: 'Download the saved copy' }).waitFor();
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('livepatch-explorer/unopened-')).map((k) => localStorage.getItem(k)));
    expect(kept).toEqual([saved]);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the saved copy' }).click();
    expect((await download).suggestedFilename()).toBe('unopened-saved-scenario.json');
    await playWorks(page);
    await context.close();
  });

  // The crash is provoked through the devtools hook (EnginePort.debugCrash, never a control of
  // the page): 'throw' is an uncaught exception inside the worker, 'die' the worker terminated.
  it.each([
    ['throw', 'The simulation worker crashed: Uncaught Error: crash requested by RemoteSim.debugCrash'],
    ['die', 'The simulation worker died (it was terminated)'],
  ])('a crash of the simulation worker (%s) is reported; restarting resumes from the last good state, nothing typed lost', async (how, message) => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await page.goto(`${server.url}?worker=on`, { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    const box = page.getByRole('textbox', { name: 'Console' });
    await box.fill('cat /proc/cmdline');
    await box.press('Enter');
    await page.locator('.co-done', { hasText: 'cat /proc/cmdline' }).waitFor();
    await playWorksRemote(page);
    // A line being typed when it happens: kept.
    await box.fill('ls /sys/kernel/livepatch');
    // The last good state is the last snapshot the page got before the crash.
    const before = await page.evaluate((h) => {
      const p = (window as unknown as RemoteHook).livepatchExplorer.port;
      const state = { now: p.piece('cursor').now, entries: p.piece('console').entries };
      p.debugCrash(h as 'throw' | 'die');
      return state;
    }, how);
    expect(before.entries.some((e) => e.endsWith(': cat /proc/cmdline'))).toBe(true);
    const notice = page.getByTestId('crash-notice');
    await notice.waitFor();
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await notice.textContent()).toContain(message);
    expect(await notice.textContent()).toContain('restart at');
    await page.getByRole('button', { name: 'Restart from the last good state' }).click();
    await notice.waitFor({ state: 'detached' });
    await page.waitForFunction(() => (window as unknown as RemoteHook).livepatchExplorer.port.ready());
    expect(await remoteState(page)).toEqual(before);
    expect(await box.inputValue()).toBe('ls /sys/kernel/livepatch');
    await playWorksRemote(page);
    await page.close();
  });
});
