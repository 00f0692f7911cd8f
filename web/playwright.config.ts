// Browser tests of the chat UI: Playwright driving the system's Chromium (no browser download)
// against the real `chatkit` binary in demo mode, started by e2e/global-setup.ts on a free port
// with a fresh data directory. Run after `npm run build` and `cargo build -p chatkit`:
//   npx playwright test            (CHATKIT_BIN, CHROMIUM_PATH override what is found)
import { defineConfig } from '@playwright/test'
import { chromiumPath } from './e2e/chromium'

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: '../target/playwright',
  use: {
    baseURL: process.env.CHATKIT_E2E_URL,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
})
