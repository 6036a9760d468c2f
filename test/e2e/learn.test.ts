// Issue 9 §3-§4 in Chromium: the "About this scenario" text with its glossary terms, the
// glossary dialog, the chapters and the kernel's selftests as presets.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, seekIntoScript, serveAppInBrowser } from './app';

describe('learning aids', () => {
  const app = serveAppInBrowser();

  it("shows a preset's description under the header, its terms open the glossary", async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-hybrid');
    const about = page.getByTestId('about');
    await expect.poll(() => about.locator('summary').textContent()).toMatch(/^About this scenarioPetr Mladek's counter-example/);
    expect(await about.locator('.about-text').isVisible()).toBe(false);
    await about.locator('summary').click();
    await expect.poll(() => about.locator('.about-text').textContent()).toMatch(/during lp3's transition a switched task runs/);
    // The first 'nop' of the text is a term; it opens the glossary at its entry.
    await about.locator('.about-text').getByRole('button', { name: 'nop', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Glossary' });
    await expect.poll(() => dialog.locator('.glossary-current dt').textContent()).toBe('nop');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    // The header's Glossary button opens the whole list; a view's term opens its entry.
    await page.getByRole('button', { name: 'Glossary' }).click();
    expect(await dialog.locator('dt').allTextContents()).toEqual(expect.arrayContaining(['TIF_PATCH_PENDING', 'func_stack', 'nop', 'stack_order', 'unhashed', 'fake signal', 'patch_state']));
    await dialog.getByRole('button', { name: 'Close the glossary' }).click();
    await page.getByRole('region', { name: 'Function stacks' }).getByRole('button', { name: 'stack_order' }).first().click();
    await expect.poll(() => dialog.locator('.glossary-current dt').textContent()).toBe('stack_order');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers every conformance case as a preset grouped by selftest script, with a computed match badge', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    const groups = await page.getByLabel('Scenario preset').locator('optgroup').evaluateAll((gs) => gs.map((g) => [g.getAttribute('label'), g.children.length]));
    expect(groups.map((g) => g[0])).toEqual(expect.arrayContaining(['Kernel selftests: test-livepatch.sh', 'Kernel selftests: test-callbacks.sh', 'Kernel selftests: test-sysfs.sh']));
    const cases = ['conformance', 'extra-cases'].flatMap((d) => readdirSync(join(__dirname, '..', 'fixtures', d)).filter((f) => f.endsWith('.json')));
    expect(groups.reduce((n, g) => n + Number(g[1]), 0)).toBe(cases.length);
    await openPreset(page, 'selftest:livepatch-01');
    const badge = page.getByTestId('selftest-badge');
    await expect.poll(() => badge.textContent()).toBe('selftest: play to the end to compare');
    await seekIntoScript(page, 120_000_000);
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toBe("✓ matches the kernel's transcript (12 lines)");
    expect(await badge.getAttribute('data-result')).toBe('match');
    expect(errors).toEqual([]);
    await page.close();
  });
});
