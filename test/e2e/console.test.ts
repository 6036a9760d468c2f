import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { PROJECT_ROOT } from './browser';

const P = '/sys/kernel/livepatch/test_klp_callbacks_demo';
const RESULTS = join(PROJECT_ROOT, 'test-results');

const seekSeconds = (page: Page, sec: number) => seekIntoScript(page, sec * 1_000_000);

async function type(page: Page, line: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Console' });
  await box.fill(line);
  await box.press('Enter');
}

/** axe's serious and critical violations inside the given regions (with the overlay when open). */
async function seriousViolations(page: Page, include: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: await readFile(join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
  }
  return page.evaluate(async (sel) => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown): Promise<Result> } }).axe;
    const r = await axe.run({ include: sel.map((s) => [s]) });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, include);
}

const MY_VIEWS = ['section[data-view="funcs"]', 'section[data-view="sysfs"]', 'section[data-view="console"]'];

/** The transcript's item for the last command `cmd` once it has finished (or was rejected). */
function finished(page: Page, cmd: string) {
  return page.locator('.co-item:not(.co-running):not(.co-waiting)', { has: page.locator('code', { hasText: cmd }) }).last();
}

describe('console, function stacks, sysfs and the keyboard', () => {
  const app = serveAppInBrowser();
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    const { browser, server } = app.started();
    page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
    errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await mkdir(RESULTS, { recursive: true });
  });

  it('prints the kernel’s errno for writes to missing files', async () => {
    // Past the end of the script: the shell waits at its prompt, the patch is gone.
    await seekSeconds(page, 60);
    await type(page, `echo 1 > ${P}/force`);
    const force = finished(page, `echo 1 > ${P}/force`);
    await force.locator('.co-err', { hasText: 'No such file or directory' }).first().waitFor();
    expect(await force.locator('pre').allTextContents()).toEqual([`bash: ${P}/force: No such file or directory`]);

    await type(page, 'echo 1 > /sys/kernel/livepatch/nonexistent/enabled');
    const missing = finished(page, 'nonexistent/enabled');
    await missing.locator('pre').first().waitFor();
    expect(await missing.locator('pre').allTextContents()).toEqual(['bash: /sys/kernel/livepatch/nonexistent/enabled: No such file or directory']);
    expect(await page.getByRole('textbox', { name: 'Console' }).inputValue()).toBe('');
  });

  it('reads enabled=1 of a patch stuck in transition, and shows its func_stack and sysfs', async () => {
    await type(page, 'load_mod test_klp_callbacks_busy block_transition=Y');
    await finished(page, 'load_mod test_klp_callbacks_busy').waitFor();
    await type(page, 'load_lp_nowait test_klp_callbacks_demo');
    await finished(page, 'load_lp_nowait test_klp_callbacks_demo').waitFor();
    await type(page, `cat ${P}/enabled`);
    const cat = finished(page, `cat ${P}/enabled`);
    await cat.locator('pre').first().waitFor();
    expect(await cat.locator('pre').allTextContents()).toEqual(['1']);

    const funcs = page.locator('section[data-view="funcs"]');
    const func = funcs.locator('[data-func="busymod_work_func"]');
    await func.waitFor();
    expect(await func.locator('.fs-chip.fs-transition').count()).toBe(1);
    expect(await func.getByRole('img', { name: 'an unswitched task runs the original busymod_work_func [test_klp_callbacks_busy]' }).count()).toBe(1);
    expect(await func.getByRole('img', { name: 'a switched task runs patched_work_func [test_klp_callbacks_demo]' }).count()).toBe(1);
    await func.getByRole('button', { name: 'busymod_work_func' }).click();
    expect(await func.getByRole('button', { name: 'busymod_work_func' }).getAttribute('aria-pressed')).toBe('true');

    const sysfs = page.locator('section[data-view="sysfs"]');
    await sysfs.getByText(/the target, not the outcome: patching in progress/).waitFor();
    await sysfs.getByRole('button', { name: /kworker/ }).first().click();
    await sysfs.getByText(/\/proc\/\d+\/patch_state \(kworker/).waitFor();
    expect(await sysfs.getByText(/TIF_PATCH_PENDING set: not switched yet/).count()).toBe(1);

    await funcs.screenshot({ path: join(RESULTS, 'function-stacks.png') });
    await sysfs.screenshot({ path: join(RESULTS, 'sysfs.png') });

    expect(await seriousViolations(page, MY_VIEWS)).toEqual([]);
    await page.keyboard.press('t');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await seriousViolations(page, MY_VIEWS)).toEqual([]);
    await funcs.screenshot({ path: join(RESULTS, 'function-stacks-light.png') });
    await sysfs.screenshot({ path: join(RESULTS, 'sysfs-light.png') });
    await page.keyboard.press('t');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
  });

  it('shows a rejected line’s parse error, keeps it in the box, and recalls history with ArrowUp', async () => {
    const box = page.getByRole('textbox', { name: 'Console' });
    await type(page, 'frobnicate now');
    const rejected = page.locator('.co-rejected', { has: page.locator('code', { hasText: 'frobnicate now' }) });
    await rejected.waitFor();
    expect(await rejected.locator('pre').textContent()).toBe('bash: frobnicate: command not found');
    expect(await box.inputValue()).toBe('frobnicate now');

    await box.fill('');
    await box.press('ArrowUp');
    expect(await box.inputValue()).toBe('frobnicate now');
    await box.press('ArrowUp');
    expect(await box.inputValue()).toBe(`cat ${P}/enabled`);
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    expect(await box.inputValue()).toBe('');
    await page.locator('section[data-view="console"]').screenshot({ path: join(RESULTS, 'console.png') });
  });

  it('acting in the past forks the timeline with a visible notice', async () => {
    await seekSeconds(page, 30);
    await type(page, 'lsmod');
    await page.locator('.co-forked').getByText(/Timeline forked at \+30s: \d+ later commands? dropped/).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Forked at' }).count()).toBe(1);
    const lsmod = finished(page, 'lsmod');
    await lsmod.locator('pre').first().waitFor();
    expect(await lsmod.locator('pre').first().textContent()).toMatch(/^Module\s+Size\s+Used by$/);
  });

  it('runs from the keyboard alone: Tab to Play, Space, ? opens the shortcuts, Esc closes them', async () => {
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'Play'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(focused).toBe('Play');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play' }).waitFor();

    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Console');
    await page.keyboard.type('n?');
    expect(await page.getByRole('textbox', { name: 'Console' }).inputValue()).toBe('n?');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('textbox', { name: 'Console' }).fill('');

    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.locator('.fs-leaving').first().waitFor({ state: 'detached' });
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await dialog.getByText('Play / pause').count()).toBe(1);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null)).toBe(true);
    expect(await seriousViolations(page, ['[role="dialog"]'])).toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'help-overlay.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.screenshot({ path: join(RESULTS, 'console-page.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('downloads the transcript as text and a view as PNG', async () => {
    const [transcript] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export transcript' }).click()]);
    const text = await readFile(await transcript.path(), 'utf8');
    const dmesg = await page.evaluate(() => (window as unknown as { livepatchExplorer: { port: { query(name: 'dmesg', arg: null): Promise<string[]> } } }).livepatchExplorer.port.query('dmesg', null));
    expect(text).toBe(['# policy: upstream', ...dmesg].join('\n') + '\n');
    expect(transcript.suggestedFilename()).toMatch(/^livepatch-dmesg-\d+_\d{6}s\.txt$/);

    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Function stacks as PNG' }).click()]);
    await png.saveAs(join(RESULTS, 'function-stacks-export.png'));
    const bytes = await readFile(await png.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.suggestedFilename()).toMatch(/^livepatch-funcs-.*\.png$/);
    expect(errors).toEqual([]);
  });
});
