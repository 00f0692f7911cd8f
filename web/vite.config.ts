/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

// The Rust server in development; override with CHATKIT_DEV_BACKEND=http://host:port.
const backend = process.env.CHATKIT_DEV_BACKEND ?? 'http://127.0.0.1:8787'

// Two pages: the status page (index.html, served at `/`) and the chat page (chat.html, served at
// `/chat`). The <chatkit-rs-chat> element's single-file bundle is built by vite.element.config.ts.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': backend,
      '/chatkit': backend,
      '/healthz': backend,
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Emit every asset as a hashed file under /assets instead of a data: URI, so a strict
    // Content-Security-Policy (default-src 'self') covers the whole page.
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        chat: resolve(import.meta.dirname, 'chat.html'),
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
})
