import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { klpChartLayoutPlugin } from './src/ui/views/statechart/chartLayoutPlugin';

export default defineConfig({
  plugins: [react(), klpChartLayoutPlugin()],
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
