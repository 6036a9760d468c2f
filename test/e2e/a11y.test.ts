import { describe, expect, it } from 'vitest';
import { seekIntoScript, serveAppInBrowser } from './app';
import { seriousViolations } from './axe';

describe('accessibility', () => {
  const app = serveAppInBrowser();

  it('names every view region and every playback control', async () => {
    const { browser, server } = app.started();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url, { waitUntil: 'load' });
    for (const name of ['Tasks', 'Function stacks', 'Timeline', 'Kernel log', 'Statechart', 'sysfs', 'Console', 'Inspector']) {
      expect(await page.getByRole('region', { name, exact: true }).count(), `region ${name}`).toBe(1);
    }
    for (const name of ['Play', 'Step forward', 'Step back']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), `button ${name}`).toBe(1);
    }
    expect(await page.getByRole('slider', { name: 'Speed' }).count()).toBe(1);
    await page.close();
  });

  for (const theme of ['dark', 'light']) {
    it(`axe finds no serious or critical violations (${theme} theme, stuck transition)`, async () => {
      const { browser, server } = app.started();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url, { waitUntil: 'load' });
      if (theme === 'light') await page.getByRole('button', { name: 'Toggle theme' }).click();
      await seekIntoScript(page, 10_000_000);
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });
  }
});
