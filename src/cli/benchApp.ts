// The app's load figures of DESIGN.md: `bundle_gzip_kb` (the JavaScript and CSS the first
// page load fetches, gzip-compressed as a server would send them) and `first_render_ms`
// (navigation start to the first render of the explorer, median of several cold loads in
// headless Chromium, from a local static server serving a production build).

import { gzipSync } from 'node:zlib';
import { launchBrowser, startPreviewServer } from '../../test/e2e/browser';

const LOADS = 7;

export async function appBench(): Promise<Record<string, number>> {
  const server = await startPreviewServer();
  const browser = await launchBrowser();
  try {
    let bundleBytes = 0;
    const renders: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const fetched: Promise<number>[] = [];
      if (i === 0) {
        page.on('response', (r) => {
          const type = r.request().resourceType();
          if (type === 'script' || type === 'stylesheet') fetched.push(r.body().then((b) => gzipSync(b, { level: 9 }).length, () => 0));
        });
      }
      await page.goto(server.url, { waitUntil: 'load' });
      const at = await page.evaluate(async () => {
        for (;;) {
          const m = performance.getEntriesByName('lpx:first-render')[0];
          if (m) return m.startTime;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      renders.push(at);
      if (i === 0) bundleBytes = (await Promise.all(fetched)).reduce((a, b) => a + b, 0);
      await context.close();
    }
    renders.sort((a, b) => a - b);
    return {
      bundle_gzip_kb: Math.round((bundleBytes / 1024) * 10) / 10,
      first_render_ms: Math.round(renders[renders.length >> 1] * 10) / 10,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
