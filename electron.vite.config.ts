import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Berth's folders differ from electron-vite's defaults, so every entry is explicit. Main also
// builds `web`, the same main-side services served to a browser without Electron.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          main: resolve(import.meta.dirname, 'src-main/app/main.ts'),
          web: resolve(import.meta.dirname, 'src-main/web/web-main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: true,
      // A sandboxed renderer runs only CommonJS preloads (no ESM, no Node beyond the sandbox's require).
      rollupOptions: {
        input: { preload: resolve(import.meta.dirname, 'src-main/preload/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    // Relative asset URLs work both from file:// (Electron) and from web mode's server.
    base: './',
    plugins: [react()],
    resolve: { alias: { '@renderer': resolve(import.meta.dirname, 'src-renderer/src') } },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
