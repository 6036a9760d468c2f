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
    // A typed command makes it another script: the selftest's transcript no longer applies.
    const box = page.getByRole('textbox', { name: 'Console' });
    await box.fill('cat /sys/kernel/livepatch/*/enabled');
    await box.press('Enter');
    await expect.poll(() => badge.textContent()).toBe('script changed: no comparison');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('walks every chapter end to end with Continue; Back works; a debate chapter ends with the measured answer', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${server.url}?worker=off`, { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Chapters' }).click();
    const list = page.getByRole('dialog', { name: 'Chapters' });
    await list.locator('.chapter-open').first().waitFor();
    const titles = await list.locator('.chapter-open').allTextContents();
    expect(titles.length).toBeGreaterThanOrEqual(10);
    await page.keyboard.press('Escape');
    const card = page.getByTestId('chapter-card');
    for (const [i, title] of titles.entries()) {
      // The operator chapter's last step opens the 300,000-thread scenario; it is walked too.
      await page.getByRole('button', { name: 'Chapters' }).click();
      await list.getByRole('button', { name: title, exact: true }).click();
      await expect.poll(() => card.locator('h2').textContent()).toBe(title);
      const steps = Number((await card.locator('header .muted').textContent())?.replace(/^step 1 of /, ''));
      for (let n = 1; n < steps; n++) {
        await expect.poll(() => card.getAttribute('data-step')).toBe(String(n));
        expect(new URL(page.url()).searchParams.get('step')).toBe(String(n));
        await card.getByRole('button', { name: 'Continue' }).click();
      }
      await expect.poll(() => card.getAttribute('data-step')).toBe(String(steps));
      if (title.startsWith('The hybrid-mode debate')) {
        const answer = card.getByTestId('chapter-answer');
        await expect.poll(() => answer.locator('tbody th').allTextContents(), { timeout: 30_000 }).toEqual(['upstream', 'hybrid-rfc-2025', 'replace-set-2026']);
      }
      if (i === 0) {
        await card.getByRole('button', { name: 'Back' }).click();
        await expect.poll(() => card.getAttribute('data-step')).toBe(String(steps - 1));
        await card.getByRole('button', { name: 'Continue' }).click();
      }
      await card.getByRole('button', { name: 'Finish' }).click();
      await expect.poll(() => card.count()).toBe(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a chapter step from its link, highlights its view, and measures the policies', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(`${server.url}?chapter=debate-consistency&step=3`, { waitUntil: 'load' });
    const card = page.getByTestId('chapter-card');
    await expect.poll(() => card.getAttribute('data-step'), { timeout: 30_000 }).toBe('3');
    await expect.poll(() => page.locator('.scenario-title').textContent()).toMatch(/^Petr's lp1\/lp2\/lp3 under the hybrid RFC/);
    const opacity = (view: string) => page.locator(`.panel[data-view="${view}"]`).evaluate((e) => getComputedStyle(e).opacity);
    expect(await opacity('consistency')).toBe('1');
    expect(await opacity('tasks')).toBe('0.4');
    const rows = card.getByTestId('chapter-answer').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    // Under the hybrid RFC: one never-shipped universe and one mass switch; none under upstream.
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent).slice(0, 4).join('|')));
    expect(cells[0]).toMatch(/^upstream\|\d+\|0\|0$/);
    expect(cells[1]).toMatch(/^hybrid-rfc-2025\|\d+\|1\|1$/);
    await card.getByRole('button', { name: 'Back' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('2');
    await card.getByRole('button', { name: 'Close the chapter' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('chapter')).toBeNull();
    expect(await opacity('tasks')).toBe('1');
    const bad = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await bad.goto(`${server.url}?chapter=nonesuch`, { waitUntil: 'load' });
    await expect.poll(() => bad.getByRole('alert').filter({ hasText: 'no chapter' }).textContent()).toBe("The link names no chapter called 'nonesuch'.Dismiss");
    await bad.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers the first chapter on a first plain visit, and remembers the answer', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // The prompt never shows to automation (the other tests); this test is a person.
    await page.addInitScript(() => Object.defineProperty(navigator, 'webdriver', { get: () => false }));
    await page.goto(server.url, { waitUntil: 'load' });
    const prompt = page.getByRole('region', { name: 'First visit' });
    await prompt.getByRole('button', { name: 'Start the first chapter' }).click();
    await expect.poll(() => page.getByTestId('chapter-card').getAttribute('data-chapter')).toBe('reach-every-task');
    await page.goto(server.url, { waitUntil: 'load' });
    await page.locator('.app-head').waitFor();
    expect(await prompt.count()).toBe(0);
    await page.close();
  });
});
