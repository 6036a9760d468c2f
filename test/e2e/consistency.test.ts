// The Consistency view (issue 8) in Chromium: Petr's counter-example under the hybrid RFC,
// run to the end: the universes matrix with the never-shipped row, the violations, the owner
// map beside stack_order and kpatch list, and the policy labelled as a proposal.
import { describe, expect, it } from 'vitest';
import { pageErrors, seekIntoScript, serveAppInBrowser } from './app';

describe('Consistency view', () => {
  const app = serveAppInBrowser();

  it("shows Petr's hybrid counter-example: a never-shipped universe, the mass switch, the owners", async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = pageErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByLabel('Scenario preset').selectOption('petr-hybrid');
    await expect.poll(() => page.locator('.scenario-title').textContent()).toMatch(/^Petr's lp1\/lp2\/lp3 under the hybrid RFC/);
    // The header labels the policy as a proposal.
    await expect.poll(() => page.locator('.policy-head').textContent()).toBe('policy hybrid-rfc-2025 proposal, not merged');

    // In lp3's transition: the switched tasks (patch_state 1) run the never-shipped universe.
    await seekIntoScript(page, 5_000_000);
    const note = page.getByRole('region', { name: 'Tasks' }).locator('.cs-tasks-note');
    await expect.poll(() => note.textContent(), { timeout: 30_000 }).toMatch(/^⚠ [\d,]+ tasks with patch_state 1 run U4, never shipped: funcA=original, funcB=lp3$/);

    await seekIntoScript(page, 30_000_000);
    const region = page.getByRole('region', { name: 'Consistency' });
    await region.getByText('mass switch').waitFor({ timeout: 60_000 });
    const cells = (table: string) => region.getByRole('table', { name: table }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '').join('|')));
    const rows = await cells('Universes');
    // The last column is the number of tasks in the universe now.
    expect(rows.map((r) => r.replace(/\|[\d,]*$/, ''))).toEqual([
      'U1 shipped|original|original',
      'U2 shipped|lp1|original',
      'U3 shipped|lp2|original',
      'U4 never shipped|original|lp3',
      'U5 shipped|lp1|lp3',
    ]);
    // Hover names the first task, its time and the command.
    expect(await region.locator('tr[data-universe="4"]').getAttribute('title')).toMatch(/^U4: never shipped together\. First task: \d+ \(.+\) at 7\.\d{6}, from 'load_lp lp3'\./);
    // The timeline marks both violations; the Tasks note is gone (nobody runs U4 any more).
    expect(await page.getByTestId('timeline-violations').locator('g').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-kind')))).toEqual(['never-shipped', 'mass-switch']);
    expect(await note.count()).toBe(0);
    const violations = await region.getByRole('list', { name: 'Violations' }).locator(':scope > li').allTextContents();
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/never shipped funcA, funcB \(lp3\)/);
    expect(violations[1]).toMatch(/mass switch funcA \(lp1\).*funcA: original -> lp1/);
    // Who owns each function now, beside stack_order and kpatch list.
    expect(await cells('Owner of each function')).toEqual(['funcA|lp1|lp1', 'funcB|lp3|lp3']);
    expect(await region.getByLabel('kpatch list').textContent()).toBe('# kpatch list\nLoaded patch modules:\nlp1 [enabled]\nlp3 [enabled]');

    await region.getByRole('button', { name: 'What this policy changes' }).click();
    expect(await region.getByRole('region', { name: 'What this policy changes' }).textContent()).toMatch(/klp_add_nops\(\): a replace patch adds no nops for the functions of non-replaceable patches/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
