// Helpers for the end-to-end tests: find a Chrome/Chromium binary, launch it
// headless through playwright-core, and serve a fresh production build of the app.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build, preview } from 'vite';

const CANDIDATE_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Project root (the folder holding index.html and vite.config.ts). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Returns the path of a Chrome or Chromium executable, CHROME_PATH first. */
export function findChrome(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, but no file exists there`);
  }
  for (const candidate of CANDIDATE_PATHS) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "No Chrome or Chromium found: install Debian's chromium (apt-get install -y chromium) or set CHROME_PATH",
  );
}

/** Launches a headless Chrome/Chromium with flags that suit containers and CI. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChrome(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface PreviewServer {
  /** Base URL of the served app, ending with '/'. */
  url: string;
  /** Stops the server and deletes the temporary build. */
  close: () => Promise<void>;
}

/**
 * Builds the app with Vite into a temporary folder (never the user's dist/) and
 * serves it with `vite preview` on a free port. Call it from beforeAll.
 */
export async function startPreviewServer(): Promise<PreviewServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'livepatch-explorer-e2e-'));
  try {
    await productionBuild(outDir);
    const server = await preview({
      root: PROJECT_ROOT,
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (address === null || typeof address === 'string') {
      await closeQuietly(server.close);
      throw new Error(`vite preview did not report a TCP address (got ${String(address)})`);
    }
    return {
      url: `http://127.0.0.1:${address.port}/`,
      close: async () => {
        await closeQuietly(server.close);
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Vitest sets NODE_ENV=test, which would make Vite and the React plugin emit a
 * development bundle (jsxDEV, React's dev build). Build as `npm start` does.
 */
async function productionBuild(outDir: string): Promise<void> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: PROJECT_ROOT,
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

async function closeQuietly(close: () => Promise<void>): Promise<void> {
  try {
    await close();
  } catch (_error) {
    // The server may already be closed; nothing else to release.
  }
}
