import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { klpChartLayoutPlugin } from './src/ui/views/statechart/chartLayoutPlugin.ts';

export default defineConfig({
  plugins: [react(), klpChartLayoutPlugin()],
  // The app's first load is its entry chunk plus the two common chunks it shares with the lazy
  // dialogs (Search, the scenario editor, Compare mode), about 256 KB gzip in all; `npm run
  // bench` watches bundle_gzip_kb (`npm run bench -- app` prints it alone).
  build: { chunkSizeWarningLimit: 1000 },
  preview: {
    port: 5173,
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/summaryReporter.ts'],
  },
});
