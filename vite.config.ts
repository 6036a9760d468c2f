import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { klpChartLayoutPlugin } from './src/ui/views/statechart/chartLayoutPlugin.ts';

export default defineConfig({
  plugins: [react(), klpChartLayoutPlugin()],
  // One app chunk of about 600 KB (190 KB gzip); `npm run bench` watches bundle_gzip_kb.
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
