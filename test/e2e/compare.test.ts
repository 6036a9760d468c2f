// Compare mode (issue 9 §1) in Chromium: opened from the header's Compare button on
// petr-hybrid vs petr-replace-set, one linked cursor (a step or a seek leaves both clocks
// equal), the two func_stack views and universe matrices differ as the policies say, the log
// diff lists lines only in A and only in B, the address round-trips (a reload restores both
// scenarios and the cursor), petr-upstream vs petr-hybrid read the same, a hostile compare
// link leaves a message and a working page; axe clean, no page errors. COMPARE_SHOTS=<dir>
// writes the screenshots.
import { mkdirSync } from 'node:fs';
import { deflateSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPreset, pageErrors, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';
import { MAX_DOCUMENT_BYTES } from '../../src/scenario/document';

const SHOTS = process.env.COMPARE_SHOTS;

interface CompareHook {
  livepatchCompare?: { link: { send(ev: unknown): void } };
}

/** Both runs to `us` of kernel time, as the time slider would send it. */
async function seekBoth(page: Page, us: number): Promise<void> {
  await page.waitForFunction(() => (window as unknown as CompareHook).livepatchCompare !== undefined);
  await page.evaluate((t) => (window as unknown as Required<CompareHook>).livepatchCompare.link.send({ type: 'SEEK', time: t }), us);
}

/** The two clocks' readouts without their side letter. */
async function clocks(page: Page): Promise<[string, string]> {
  const a = (await page.getByTestId('clock-a').textContent()) ?? '';
  const b = (await page.getByTestId('clock-b').textContent()) ?? '';
  return [a.replace(/^A /, ''), b.replace(/^B /, '')];
}

async function waitClocksAt(page: Page, readout: RegExp): Promise<void> {
  await expect.poll(async () => (await clocks(page)).every((c) => readout.test(c)), { timeout: 30_000 }).toBe(true);
}

/** From the page's scenario (a preset), Compare with another preset through the dialog. */
async function compareWith(page: Page, presetB: string): Promise<void> {
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare with…' });
  await dialog.getByLabel('Scenario B preset').selectOption(presetB);
  await dialog.getByRole('button', { name: 'Compare with this preset' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('universes-B').waitFor();
}

const side = (page: Page, s: 'A' | 'B') => page.locator(`section.cmp-side[data-side="${s}"]`);

describe('Compare mode', () => {
  const app = serveAppInBrowser();

  it('petr-hybrid vs petr-replace-set: linked cursor, two func_stacks and matrices, the log diff, the link round-trips', async () => {
    const { browser, server } = app.started();
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const page = await browser.newPage({ viewport });
      const errors = pageErrors(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await openPreset(page, 'petr-hybrid');
      const pageClock = await page.locator('.controls .clock').textContent();
      await compareWith(page, 'petr-replace-set');
      expect(await side(page, 'A').getByRole('heading', { level: 2 }).textContent()).toBe("A: Petr's lp1/lp2/lp3 under the hybrid RFC: a mass switch nobody tested");
      expect(await side(page, 'B').getByRole('heading', { level: 2 }).textContent()).toBe("B: Petr's lp1/lp2/lp3 under replace sets: the conflicting load is refused");
      expect(await side(page, 'A').locator('.cmp-policy code').textContent()).toBe('hybrid-rfc-2025');
      expect(await side(page, 'B').locator('.cmp-policy code').textContent()).toBe('replace-set-2026');

      // One playback row drives both: after each step both clocks read the same time.
      // (Several events may share an instant: step until A's time moves.)
      for (let moves = 0; moves < 3; moves++) {
        const before = (await clocks(page))[0];
        for (let i = 0; i < 50 && (await clocks(page))[0] === before; i++) await page.getByRole('button', { name: 'Step forward' }).click();
        expect((await clocks(page))[0]).not.toBe(before);
        await expect.poll(async () => new Set(await clocks(page)).size).toBe(1);
      }
      // The marker button too.
      await page.getByRole('button', { name: 'marker ▸' }).click();
      await expect.poll(async () => new Set(await clocks(page)).size).toBe(1);
      // The page's keyboard shortcuts drive the linked cursor too: → steps A and B follows; ? lists them.
      await page.locator('body').click({ position: { x: 2, y: 2 } });
      const beforeKey = (await clocks(page))[0];
      for (let i = 0; i < 50 && (await clocks(page))[0] === beforeKey; i++) await page.keyboard.press('ArrowRight');
      expect((await clocks(page))[0]).not.toBe(beforeKey);
      await expect.poll(async () => new Set(await clocks(page)).size).toBe(1);
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });

      // Between lp2's completion and lp3's load: under hybrid funcA runs lp2 over lp1; under replace sets lp2 was refused.
      await seekBoth(page, 7_710_000);
      await waitClocksAt(page, /^\[\s*7\.710000\]$/);
      const funcA = (s: 'A' | 'B') => page.getByTestId(`funcs-${s}`).locator('[data-func="funcA"] .fs-entry:not(.fs-leaving) .fs-patch').allTextContents();
      await expect.poll(() => funcA('A')).toEqual(['lp2', 'lp1']);
      expect(await funcA('B')).toEqual(['lp1']);

      // Seek both past the end of both scripts: lp3 leaves funcA=lp1, funcB=lp3 on both sides.
      await seekBoth(page, 12_000_000);
      await waitClocksAt(page, /^\[\s*12\.000000\]$/);
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/compare-${viewport.width}x${viewport.height}.png` });
      }
      await expect.poll(() => funcA('A')).toEqual(['lp1']);
      expect(await funcA('B')).toEqual(['lp1']);
      // Hybrid ran a never-shipped universe on the way (funcA=original, funcB=lp3); replace sets never did.
      expect(await page.getByTestId('universes-A').locator('tr.cs-never').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('universes-B').locator('tr.cs-never').count()).toBe(0);
      // The log diff: the same as `sim A --compare B` (5 lines only in A, 2 only in B).
      expect(await page.getByTestId('log-diff-summary').textContent()).toMatch(/^5 lines only in A, 2 lines only in B, up to the cursor/);
      const onlyA = await page.locator('.cmp-log-rows li[data-side="A"] code').allTextContents();
      const onlyB = await page.locator('.cmp-log-rows li[data-side="B"] code').allTextContents();
      expect(onlyA[0]).toBe("livepatch: enabling patch 'lp2'");
      expect(onlyB[1]).toBe('insmod: ERROR: could not insert module test_modules/lp2.ko: Invalid parameters');

      expect(await seriousViolations(page)).toEqual([]);

      // The address holds A, B and the cursor: a reload restores all three.
      await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5_000 }).toMatch(/^#s=\d+\.[\w-]+&t=12000000&b=\d+\.[\w-]+$/);
      await page.reload({ waitUntil: 'load' });
      await page.getByTestId('universes-B').waitFor();
      await waitClocksAt(page, /^\[\s*12\.000000\]$/);
      expect(await side(page, 'B').locator('.cmp-policy code').textContent()).toBe('replace-set-2026');
      expect(await page.getByTestId('log-diff-summary').textContent()).toMatch(/^5 lines only in A, 2 lines only in B/);
      // Opened from the link, the page's own host (hidden behind Compare) has not replayed to the cursor.
      expect(await page.evaluate(() => (window as unknown as { livepatchCompare: { page: { piece(n: 'cursor'): { now: number } } } }).livepatchCompare.page.piece('cursor').now)).toBeLessThan(12_000_000);

      // Leaving Compare returns to A (after the reload: A at the link's cursor); the address is A's alone again.
      await page.getByRole('button', { name: 'Leave Compare' }).click();
      await page.locator('.controls .clock').waitFor();
      expect(await page.locator('.scenario-title').textContent()).toBe("Petr's lp1/lp2/lp3 under the hybrid RFC: a mass switch nobody tested");
      expect(await page.locator('.controls .clock').textContent()).toMatch(/^\[\s*12\.000000\]/);
      await expect.poll(() => page.evaluate(() => location.hash)).not.toContain('&b=');
      expect(pageClock).toMatch(/^\[/);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('leaving Compare returns to A as it was; petr-upstream vs petr-hybrid logs read the same', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-upstream');
    await page.getByRole('button', { name: 'Step forward' }).click();
    const before = await page.locator('.controls .clock').textContent();
    await compareWith(page, 'petr-hybrid');
    await seekBoth(page, 12_000_000);
    await waitClocksAt(page, /^\[\s*12\.000000\]$/);
    await expect.poll(() => page.getByTestId('log-diff-summary').textContent()).toMatch(/^No differences: both kernel logs read the same up to the cursor \(\d+ lines, timestamps ignored\)\.$/);
    expect(await page.locator('.cmp-log-rows').count()).toBe(0);
    // The matrices still differ: upstream never runs a never-shipped universe here, hybrid does.
    expect(await page.getByTestId('universes-A').locator('tr.cs-never').count()).toBe(0);
    expect(await page.getByTestId('universes-B').locator('tr.cs-never').count()).toBeGreaterThan(0);

    // "Same scenario, other policy" from the dialog, by keyboard: B becomes A under replace-set-2026 or a clear refusal.
    await page.getByRole('button', { name: 'Change B…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Compare with…' });
    await dialog.waitFor();
    expect(await dialog.getByRole('group', { name: 'Same scenario, other policy' }).getByRole('button').allTextContents()).toEqual(['hybrid-rfc-2025', 'replace-set-2026']);
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/compare-chooser-1280x720.png` });
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Leave Compare' }).click();
    await page.locator('.controls .clock').waitFor();
    expect(await page.locator('.scenario-title').textContent()).toBe("Petr's lp1/lp2/lp3 under upstream: atomic replace drops both funcA patches");
    expect(await page.locator('.controls .clock').textContent()).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with both hosts in simulation workers (?worker=on) the cursor stays linked and the diff is the same', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${server.url}?worker=on`, { waitUntil: 'load' });
    await openPreset(page, 'petr-hybrid');
    await compareWith(page, 'petr-replace-set');
    await seekBoth(page, 7_710_000);
    await waitClocksAt(page, /^\[\s*7\.710000\]$/);
    await page.getByRole('button', { name: 'marker ▸' }).click();
    await expect.poll(async () => (await clocks(page))[0]).not.toMatch(/7\.710000/);
    await expect.poll(async () => new Set(await clocks(page)).size).toBe(1);
    await seekBoth(page, 12_000_000);
    await waitClocksAt(page, /^\[\s*12\.000000\]$/);
    await expect.poll(() => page.getByTestId('log-diff-summary').textContent()).toMatch(/^5 lines only in A, 2 lines only in B, up to the cursor/);
    expect(await page.getByTestId('universes-A').locator('tr.cs-never').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('universes-B').locator('tr.cs-never').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a hostile compare link shows a message, opens A alone, and the page works', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page, { consoleErrors: false });
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-upstream');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#s=/);
    const good = (await page.evaluate(() => location.hash)).replace(/&b=.*$/, '');
    for (const [b, why] of [
      ['1.%40%40%40', 'the scenario data is damaged'],
      ['99.eJw', 'made by a newer Livepatch Explorer'],
      // A few kilobytes that inflate far past the largest document.
      [`1.${Buffer.from(deflateSync(new Uint8Array(MAX_DOCUMENT_BYTES * 4).fill(32))).toString('base64url')}`, 'expands to more than'],
    ]) {
      await page.goto(`${server.url}${good}&b=${b}`, { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      const alert = page.getByRole('alert').filter({ hasText: 'The Compare part of this link could not be opened' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain(why);
      expect(await page.locator('.scenario-title').textContent()).toBe("Petr's lp1/lp2/lp3 under upstream: atomic replace drops both funcA patches");
      expect(await page.getByTestId('compare-timelines').count()).toBe(0);
      if (SHOTS && why === 'the scenario data is damaged') {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/compare-bad-link-1280x720.png` });
      }
      await page.getByRole('button', { name: 'Play' }).click();
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => page.evaluate(() => location.hash)).not.toContain('&b=');
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the same scenario under a policy whose fields it lacks: refused with the validator's message, then offered without those fields", async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await openPreset(page, 'petr-hybrid');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare with…' });
    await dialog.getByRole('button', { name: 'upstream', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/cannot run under upstream: modules\[1\]\.replaceable: only kernel\.policy "hybrid-rfc-2025" has a replaceable attribute/);
    await dialog.getByRole('button', { name: 'Compare under upstream without those fields' }).click();
    await dialog.waitFor({ state: 'detached' });
    await seekBoth(page, 30_000_000);
    await waitClocksAt(page, /^\[\s*30\.000000\]$/);
    expect(await side(page, 'B').textContent()).toContain('(policy upstream, without replaceable)');
    // Petr's counter-example: a never-shipped universe under the hybrid RFC, none under upstream.
    await expect.poll(() => page.getByTestId('universes-A').locator('tr.cs-never').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('universes-B').locator('tr.cs-never').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
