// The console as an SRE uses it at 1280×720 and 1440×900: a pipe, a glob, kpatch list during
// a stuck transition, and Ctrl-R to find a command again; axe clean with the output shown.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';
import { PROJECT_ROOT } from './browser';

const RESULTS = join(PROJECT_ROOT, 'test-results');

async function type(page: Page, line: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Console' });
  await box.fill(line);
  await box.press('Enter');
}

function finished(page: Page, cmd: string) {
  return page.locator('.co-item:not(.co-running):not(.co-waiting)', { has: page.locator('code', { hasText: cmd }) }).last();
}

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

describe('the console: pipes, globs, kpatch list, Ctrl-R', () => {
  const app = serveAppInBrowser();
  for (const size of SIZES) describe(`at ${size.width}×${size.height}`, () => {
    let page: Page;
    let errors: string[] = [];

    beforeAll(async () => {
      const { browser, server } = app.started();
      page = await browser.newPage({ viewport: size });
      errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await mkdir(RESULTS, { recursive: true });
    });

    it('runs a glob, a pipe and kpatch list on a transition stuck behind a kworker', async () => {
      await seekIntoScript(page, 60_000_000);
      await type(page, 'load_mod test_klp_callbacks_busy block_transition=Y');
      await finished(page, 'load_mod test_klp_callbacks_busy').waitFor();
      await type(page, 'load_lp_nowait test_klp_callbacks_demo');
      await finished(page, 'load_lp_nowait test_klp_callbacks_demo').waitFor();

      await type(page, 'grep . /sys/kernel/livepatch/*/enabled /sys/kernel/livepatch/*/transition');
      const grep = finished(page, 'grep . /sys/kernel/livepatch/*/enabled /sys/kernel/livepatch/*/transition');
      await grep.locator('pre').first().waitFor();
      expect(await grep.locator('pre').allTextContents()).toEqual(['/sys/kernel/livepatch/test_klp_callbacks_demo/enabled:1', '/sys/kernel/livepatch/test_klp_callbacks_demo/transition:1']);

      await type(page, 'dmesg | grep -c livepatch');
      const count = finished(page, 'dmesg | grep -c livepatch');
      await count.locator('pre').first().waitFor();
      expect(Number(await count.locator('pre').first().textContent())).toBeGreaterThan(2);

      await type(page, 'kpatch list');
      const list = finished(page, 'kpatch list');
      await list.locator('pre', { hasText: 'Installed patch modules:' }).waitFor();
      const out = await list.locator('pre').allTextContents();
      expect(out.slice(0, 4)).toEqual(['Loaded patch modules:', 'test_klp_callbacks_demo [enabling...]', '', 'Stalled processes:']);
      expect(out).toContain('stack:');
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator('section[data-view="console"]').screenshot({ path: join(RESULTS, `console-kpatch-${size.width}.png`) });
      await page.screenshot({ path: `/work/shots/ops/console-kpatch-${size.width}x${size.height}.png` });
    });

    it('Ctrl-R finds an earlier command as bash does, and Enter runs it', async () => {
      const box = page.getByRole('textbox', { name: 'Console' });
      await box.focus();
      await box.press('Control+r');
      await box.pressSequentially('grep .');
      const prompt = page.locator('.co-search');
      await expect.poll(() => prompt.textContent()).toBe("(reverse-i-search)`grep .': grep . /sys/kernel/livepatch/*/enabled /sys/kernel/livepatch/*/transition");
      await page.locator('section[data-view="console"]').screenshot({ path: join(RESULTS, `console-reverse-search-${size.width}.png`) });
      await box.press('Enter');
      await expect.poll(() => page.locator('.co-item', { has: page.locator('code', { hasText: 'grep . /sys/kernel/livepatch/*/enabled /sys/kernel/livepatch/*/transition' }) }).count()).toBe(2);
      expect(await prompt.count()).toBe(0);

      // Ctrl-G gives the typed line back.
      await box.fill('half typed');
      await box.press('Control+r');
      await box.pressSequentially('kpatch');
      await box.press('Control+g');
      expect(await box.inputValue()).toBe('half typed');
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
