import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { launchBrowser, startPreviewServer, type PreviewServer } from './browser';

describe('accessibility', () => {
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startPreviewServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('names every view region and every playback control', async () => {
    if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
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
      if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url, { waitUntil: 'load' });
      if (theme === 'light') await page.getByRole('button', { name: 'Toggle theme' }).click();
      await page.evaluate(() => {
        const e = (window as unknown as { livepatchExplorer: { session: { start: number }; playback: { send(ev: unknown): void } } }).livepatchExplorer;
        e.playback.send({ type: 'SEEK', time: e.session.start + 10_000_000 });
      });
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });
  }
});
