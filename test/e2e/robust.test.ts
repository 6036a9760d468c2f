// Issue 11 in the browser: hostile links show a message and leave a usable page where Play
// works; a saved copy that fails to open (the three losing cases) is kept and offered for
// download after a reload, never overwritten.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { runCase, validateCase } from '../../src/scenario/case';
import { parseScenarioText } from '../../src/scenario/document';
import { encodeScenarioUrl } from '../../src/scenario/url';
import { seekIntoScript, serveAppInBrowser } from './app';

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

  it('a good scenario with a malformed time opens anyway, at its start, and the notice names the part left out', async () => {
    const { browser, server } = app.started();
    const text = await readFile(new URL('../../public/scenarios/petr-hybrid.json', import.meta.url), 'utf8');
    const parsed = parseScenarioText(text);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const page = await browser.newPage();
    await loaded(page, `${server.url}${encodeScenarioUrl(parsed.scenario)}&t=1234567890123456`);
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Part of this link was left out (link: the time part is malformed (expected t=<microseconds>, a whole number), got 't=1234567890123456'");
    expect(await page.locator('.scenario-title').textContent()).toBe(parsed.scenario.title);
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
    ['die', 'The simulation worker died (it stopped without an error: terminated, or out of memory)'],
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
    // The last good cursor is reached again in slices after the restart.
    await expect.poll(() => remoteState(page)).toEqual(before);
    expect(await box.inputValue()).toBe('ls /sys/kernel/livepatch');
    await playWorksRemote(page);
    await page.close();
  });

  it('Export case downloads the run as a conformance case (typed command included) that the runner passes; dropping it onto the page opens it', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await loaded(page, server.url);
    // In the stalled transition, the operator reverses it (the script ahead is dropped: a fork).
    await seekIntoScript(page, 8_000_000);
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).livepatchExplorer.session;
      return s.now >= s.start + 8_000_000;
    });
    const box = page.getByRole('textbox', { name: 'Console' });
    await box.fill('echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled');
    await box.press('Enter');
    await page.waitForFunction(() =>
      (window as unknown as { livepatchExplorer: { port: { piece(n: 'console'): { entries: string[] } } } }).livepatchExplorer.port.piece('console').entries.some((e) => e.endsWith('echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled')),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export case as a conformance case' }).click()]);
    expect(download.suggestedFilename()).toBe('a-kworker-blocks-the-transition-the-operator-reverses-it.json');
    const text = await readFile(await download.path(), 'utf8');
    const v = validateCase(JSON.parse(text), 'download');
    if (!v.ok) throw new Error(v.errors.join('\n'));
    expect(v.c.machine).toBeDefined();
    expect(v.c.script.at(-1)).toMatch(/^at \S+: echo 0 > \/sys\/kernel\/livepatch\/test_klp_callbacks_demo\/enabled$/);
    expect(v.c.expectedLog).toContain("livepatch: 'test_klp_callbacks_demo': reversing transition from patching to unpatching");
    expect(runCase(v.c).pass).toBe(true);

    // Dropped onto the page, a bad file and two files change nothing, with a message; the case opens.
    const drop = (files: { name: string; text: string }[]) =>
      page.evaluate((fs) => {
        const dt = new DataTransfer();
        for (const f of fs) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
        const target = document.querySelector('.tasks-view') ?? document.body;
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, files);
    const title = page.locator('.scenario-title');
    await drop([{ name: 'broken.json', text: '{"id":"x","title":"t","source":"s","script":[1],"expectedLog":[]}' }]);
    await page.getByRole('alert').filter({ hasText: 'broken.json is not a valid conformance case: case.script[0]: expected a string' }).waitFor();
    expect(await title.textContent()).toBe(DEFAULT_TITLE);
    await drop([{ name: 'a.json', text: text }, { name: 'b.json', text: text }]);
    await page.getByRole('alert').filter({ hasText: 'Drop one scenario or case file at a time (got 2 files); nothing was opened.' }).waitFor();
    expect(await title.textContent()).toBe(DEFAULT_TITLE);
    const typedBefore = await page.evaluate(() => (window as unknown as Hook).livepatchExplorer.session.now);
    expect(typedBefore).toBeGreaterThan(0);
    await drop([{ name: 'case.json', text }]);
    await page.waitForFunction(() => (window as unknown as { livepatchExplorer: { scenario: { description: string } } }).livepatchExplorer.scenario.description.startsWith('Exported from Livepatch Explorer'));
    expect(await page.evaluate(() => (window as unknown as { livepatchExplorer: { scenario: { script: string[] } } }).livepatchExplorer.scenario.script)).toEqual(v.c.script);
    await playWorks(page);
    await page.close();
  });

  it('a scenario document dropped onto the page opens', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage();
    await loaded(page, server.url);
    const doc = JSON.stringify({ format: 'livepatch-explorer/scenario', version: 1, title: 'Dropped here', script: ['load_lp test_klp_livepatch'] });
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, doc);
    await page.locator('.scenario-title', { hasText: 'Dropped here' }).waitFor();
    await playWorks(page);
    await page.close();
  });
});
