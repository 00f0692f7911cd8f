import react from '@vitejs/plugin-react'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

// The <chatkit-rs-chat> element as one classic script, `dist/chatkit-rs.js` (React, the styles
// and everything else inside), so a page needs one <script src="/chatkit-rs.js"> and one tag.
// Runs after the pages' build, into the same dist/ (which it must not empty).
export default defineConfig({
  plugins: [react()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    assetsInlineLimit: 0,
    sourcemap: false,
    lib: {
      entry: resolve(import.meta.dirname, 'src/chat/element.tsx'),
      name: 'ChatKitRs',
      formats: ['iife'],
      fileName: () => 'chatkit-rs.js',
    },
  },
})
