/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The Rust server in development; override with CHATKIT_DEV_BACKEND=http://host:port.
const backend = process.env.CHATKIT_DEV_BACKEND ?? 'http://127.0.0.1:8787'

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
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
})
