// npm run bench -- browser: the Tasks view's figures in headless Chromium on a production build.
//   tasks_view_redraw_1m_ms   median cell redraw (rasterize + putImageData) with 1,000,000 tasks
//   tasks_view_update_1m_ms   median model rebuild after a simulation step (classify, group, codes)
//   fps_100k_tasks_playing    animation frames per second over 3 s of playing with 100,000 tasks
//   tasks_view_redraws_per_s_100k  cell redraws per second in the same run (each frame's new moment drawn)
//   tasks_view_frame_100k_ms  median cost of the Tasks view's work in one of those frames
//   worker_1m_longest_frame_gap_ms  longest wall gap between the page's animation frames while a
//                             1M-task machine is built in the simulation worker and played 3 s
// Timings are taken in the page with performance.now() around the view's own functions.
// The 1M page is opened with ?worker=off: these are the figures of the page-side model (a
// 1M-task page otherwise runs its simulation in the worker and builds the model there).

import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreviewServer } from '../../test/e2e/browser';

const WARMUP = 3;
const RUNS = 21;
const PLAY_MS = 3000;

interface PageHook {
  livepatchTasksView?: { cells(): number; redraws(n: number): number[]; rebuilds(n: number): number[] };
  livepatchExplorer: { playback: { send(ev: { type: string }): void } };
}

/**
 * Runs in the page: play, let it settle for a second, count animation frames and cell
 * redraws for PLAY_MS, pause. A string, because tsx would wrap named inner functions of an
 * evaluated closure in a helper that does not exist in the page.
 */
const PLAY_SCRIPT = `(async () => {
  const w = window;
  const h = w.livepatchTasksView;
  if (!h) throw new Error('no Tasks view hook');
  w.livepatchExplorer.playback.send({ type: 'PLAY' });
  await new Promise((r) => setTimeout(r, 1000));
  const draws0 = h.draws();
  h.takeFrameCosts();
  let frames = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      frames++;
      if (performance.now() - t0 < PLAY_MS) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  const seconds = (performance.now() - t0) / 1000;
  w.livepatchExplorer.playback.send({ type: 'PAUSE' });
  const costs = h.takeFrameCosts().sort((a, b) => a - b);
  return { fps: frames / seconds, redrawsPerS: (h.draws() - draws0) / seconds, frameMs: costs[costs.length >> 1] ?? NaN };
})()`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function open(browser: Browser, url: string, cells: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction((n) => ((window as unknown as PageHook).livepatchTasksView?.cells() ?? 0) >= n, cells, { timeout: 180_000 });
  return page;
}

/** Watches requestAnimationFrame from before the app's scripts run: the longest gap so far. */
const FRAME_WATCH = `(() => {
  const g = { max: 0, last: 0 };
  window.lpxBenchGaps = g;
  const loop = () => {
    const t = performance.now();
    if (g.last) g.max = Math.max(g.max, t - g.last);
    g.last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})()`;

/** The 1M page in its default worker mode: build, then play PLAY_MS; the longest frame gap. */
async function workerFrameGap(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.addInitScript(FRAME_WATCH);
    await page.goto(`${url}?bench=tasks-1m`, { waitUntil: 'load' });
    await page.waitForFunction((n) => ((window as unknown as PageHook).livepatchTasksView?.cells() ?? 0) >= n, 1_000_000, { timeout: 180_000 });
    await page.evaluate(() => (window as unknown as PageHook).livepatchExplorer.playback.send({ type: 'PLAY' }));
    await page.waitForTimeout(PLAY_MS);
    return await page.evaluate(() => (window as unknown as { lpxBenchGaps: { max: number } }).lpxBenchGaps.max);
  } finally {
    await page.close();
  }
}

export async function browserBench(): Promise<Record<string, number>> {
  const server = await startPreviewServer();
  const browser = await launchBrowser();
  try {
    const out: Record<string, number> = {};
    const big = await open(browser, `${server.url}?bench=tasks-1m&worker=off`, 1_000_000);
    const redraws = await big.evaluate(([w, r]) => {
      const h = (window as unknown as PageHook).livepatchTasksView;
      if (!h) throw new Error('no Tasks view hook');
      h.redraws(w);
      return h.redraws(r);
    }, [WARMUP, RUNS]);
    out.tasks_view_redraw_1m_ms = median(redraws);
    const rebuilds = await big.evaluate(([w, r]) => {
      const h = (window as unknown as PageHook).livepatchTasksView;
      if (!h) throw new Error('no Tasks view hook');
      h.rebuilds(w);
      return h.rebuilds(r);
    }, [WARMUP, 9]);
    out.tasks_view_update_1m_ms = median(rebuilds);
    await big.close();

    const mid = await open(browser, `${server.url}?bench=tasks-100k`, 100_000);
    const play = (await mid.evaluate(PLAY_SCRIPT.replace('PLAY_MS', String(PLAY_MS)))) as { fps: number; redrawsPerS: number; frameMs: number };
    out.fps_100k_tasks_playing = play.fps;
    out.tasks_view_redraws_per_s_100k = play.redrawsPerS;
    out.tasks_view_frame_100k_ms = play.frameMs;
    await mid.close();

    out.worker_1m_longest_frame_gap_ms = await workerFrameGap(browser, server.url);
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}
