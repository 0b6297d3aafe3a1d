// Builds the console into web/dist, which `tusou serve` serves at /. Preact's JSX through
// Vite's own transform (no framework plugin needed).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: a single chunk keeps the first load to two requests.
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npm run dev:web` next to `tusou serve` on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
