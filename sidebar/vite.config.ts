import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { localFontSources } from './build/local-font-sources.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The rep sidebar, served by the server at /sidebar/ from dist/sidebar. */
export default defineConfig({
  root,
  base: '/sidebar/',
  plugins: [vue()],
  css: { postcss: { plugins: [localFontSources()] } },
  resolve: { alias: { '@shared': fileURLToPath(new URL('../shared', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../dist/sidebar', import.meta.url)), emptyOutDir: true },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/emulator': 'http://127.0.0.1:3000',
      '/wecom': 'http://127.0.0.1:3000',
    },
  },
});
