import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';
import { PROJECT_ROOT } from './browser';

interface Hook {
  livepatchExplorer: { scenario: { kernel: { version: string; cpus: { count: number } } }; session: { start: number }; playback: { send(ev: unknown): void } };
}

async function loaded(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as Partial<Hook>).livepatchExplorer !== undefined);
}

/** Move the cursor to `us` after the start (the default script has loaded its patch by 2 s). */
const seek = seekIntoScript;

describe('the scenario editor', () => {
  const app = serveAppInBrowser();

  it('edits the kernel, CPUs and task classes, reports a bad count typed in the JSON, and applies the fixed draft', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = pageErrors(page, { consoleErrors: false });
    await loaded(page, server.url);
    await seek(page, 2_000_000);
    const sysfs = page.locator('[data-view="sysfs"]');
    // 6.19 has the stack_order attribute (6.14+); 6.1 will not.
    await sysfs.getByText('stack_order', { exact: true }).first().waitFor();
    const hashBefore = await page.evaluate(() => location.hash);

    await page.getByRole('button', { name: 'Edit scenario…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Scenario editor' });
    await dialog.waitFor();
    const json = dialog.getByRole('textbox', { name: 'Document (JSON)' });

    await dialog.getByLabel('Kernel version').selectOption('6.1');
    await dialog.getByLabel('CPU count').fill('8');
    expect(JSON.parse(await json.inputValue()).kernel).toMatchObject({ version: '6.1', cpus: { count: 8 } });

    // Closing keeps the draft.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit scenario…' }).click();
    expect(await dialog.getByLabel('Kernel version').inputValue()).toBe('6.1');

    await dialog.getByLabel('Template').selectOption({ label: 'idle user threads' });
    await dialog.getByRole('button', { name: 'Add class' }).click();
    expect(await dialog.getByLabel('Name of class 1').inputValue()).toBe('idle threads');
    expect(await dialog.getByText('100 tasks in all').count()).toBe(1);

    // A bad count typed into the JSON: listed with its path, Apply disabled with the reason, the form locked.
    const doc = JSON.parse(await json.inputValue());
    doc.tasks.classes[0].count = 'many';
    const bad = JSON.stringify(doc, null, 2);
    await json.fill(bad);
    const list = dialog.getByRole('list', { name: '1 error' });
    await list.waitFor();
    expect(await list.getByRole('listitem').allTextContents()).toEqual(['tasks.classes[0].count: expected an integer from 1 to 1000000, got "many"']);
    const apply = dialog.getByRole('button', { name: 'Apply' });
    expect(await apply.isDisabled()).toBe(true);
    expect(await dialog.getByText('The document has 1 error (listed below); fix it to apply.').count()).toBe(1);
    expect(await dialog.getByLabel('CPU count').isDisabled()).toBe(true);
    expect(await json.inputValue()).toBe(bad);
    await mkdir(join(PROJECT_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'scenario-editor-error.png') });

    // Fixed in the JSON: the form follows it again.
    doc.tasks.classes[0].count = 50;
    await json.fill(JSON.stringify(doc, null, 2));
    await dialog.getByText('No errors').waitFor();
    expect(await dialog.getByLabel('Count of class 1').inputValue()).toBe('50');
    expect(await dialog.getByLabel('CPU count').isDisabled()).toBe(false);
    expect(await apply.isDisabled()).toBe(false);

    await apply.click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction((old) => location.hash !== old, hashBefore);
    const running = await page.evaluate(() => (window as unknown as Hook).livepatchExplorer.scenario.kernel);
    expect([running.version, running.cpus.count]).toEqual(['6.1', 8]);

    // The page runs it: the Tasks table has the new class, and 6.1's sysfs has no stack_order.
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    const table = page.getByRole('table', { name: 'Tasks by group and patch state' });
    await table.getByText('idle threads').first().waitFor();
    await seek(page, 2_000_000);
    await sysfs.getByText('transition', { exact: true }).first().waitFor();
    expect(await sysfs.getByText('stack_order', { exact: false }).count()).toBe(0);

    // Applied: the next opening starts from the running scenario.
    await page.getByRole('button', { name: 'Edit scenario…' }).click();
    expect(await dialog.getByLabel('Count of class 1').inputValue()).toBe('50');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a draft the machine could not boot before Apply (validation and build agree), keeps Tab inside, and Reset to current throws the draft away', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await loaded(page, server.url);
    await page.getByRole('button', { name: 'Edit scenario…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Scenario editor' });
    // The editor is its own chunk: it opens once loaded.
    await dialog.waitFor();
    // The title field has focus; Tab from the last control comes back to the first.
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('A kworker blocks the transition; the operator reverses it');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('A kworker blocks the transition; the operator reverses it');
    await dialog.getByLabel('Title').fill('Draft title');

    // No such function in vmlinux: the machine could not boot it, so the validator says so.
    const json = dialog.getByRole('textbox', { name: 'Document (JSON)' });
    const doc = JSON.parse(await json.inputValue());
    const classes = doc.tasks.classes;
    doc.tasks.classes = [{ comm: 'ghost-%d', count: 2, phases: [{ frames: ['nosuch_fn'], dwellUs: 1000, sched: 'interruptible' }] }];
    await json.fill(JSON.stringify(doc));
    const list = dialog.getByRole('list', { name: '1 error' });
    await list.waitFor();
    expect(await list.getByRole('listitem').allTextContents()).toEqual(['tasks.classes[0].phases[0].frames[0]: no function "nosuch_fn" in vmlinux (a frame names a vmlinux function, e.g. "schedule")']);
    const apply = dialog.getByRole('button', { name: 'Apply' });
    expect(await apply.isDisabled()).toBe(true);
    expect(await page.locator('.scenario-title').textContent()).toBe('A kworker blocks the transition; the operator reverses it');
    doc.tasks.classes = classes;
    await json.fill(JSON.stringify(doc));
    await dialog.getByText('No errors').waitFor();

    await apply.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close scenario editor');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Apply');
    await dialog.getByRole('button', { name: 'Reset to current' }).click();
    expect(await dialog.getByLabel('Title').inputValue()).toBe('A kworker blocks the transition; the operator reverses it');
    await page.close();
  });

  for (const theme of ['dark', 'light']) {
    it(`axe finds no serious or critical violations in the open dialog (${theme} theme)`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      await loaded(page, server.url);
      if (theme === 'light') await page.getByRole('button', { name: 'Toggle theme' }).click();
      await page.getByRole('button', { name: 'Edit scenario…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Scenario editor' });
      await dialog.getByLabel('Template').selectOption({ label: 'forking workers' });
      await dialog.getByRole('button', { name: 'Add class' }).click();
      expect(await seriousViolations(page)).toEqual([]);
      const dir = join(PROJECT_ROOT, 'test-results');
      await mkdir(dir, { recursive: true });
      await page.screenshot({ path: join(dir, theme === 'dark' ? 'scenario-editor.png' : 'scenario-editor-light.png') });
      await page.close();
    });
  }
});
