import { defineConfig } from '@playwright/test';
import { STATE } from './global-setup';

// The server is started by the caller (scripts/ or `cargo leptos end-to-end`); no webServer here.
// Browsers are never downloaded: the system Chromium is used (`apt-get install chromium`).
export default defineConfig({
  testDir: './tests',
  // Logs in as the first-run admin; every test starts with that session (see global-setup.ts).
  globalSetup: require.resolve('./global-setup'),
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: process.env.VANGUARD_URL || 'http://127.0.0.1:3000',
    storageState: STATE,
    browserName: 'chromium',
    // a 3:1 viewport so the wall fills the screen (the canvas letterboxes on any other ratio)
    viewport: { width: 2880, height: 960 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
});
