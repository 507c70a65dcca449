import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { localFontSources } from '../sidebar/build/local-font-sources.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The manager console, served by the server at /console/ from dist/console: the second entry of the front-end build
 * (`npm run build` builds the sidebar, then this). element-plus is imported per component: the resolver turns each
 * `<el-…>` of a template into an import of that component and its CSS, so a page loads only what it shows. Routes
 * are lazy, so echarts (in the dashboard pages) is not part of the first load. `manifest: true` writes
 * `.vite/manifest.json` (the module graph), which the bundle-size test and benchmark read; the server does not
 * serve it.
 */
export default defineConfig({
  root,
  base: '/console/',
  plugins: [
    vue(),
    Components({
      // Only element-plus is resolved; the console's own components are imported where they are used.
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: fileURLToPath(new URL('./src/components.d.ts', import.meta.url)),
    }),
  ],
  css: { postcss: { plugins: [localFontSources()] } },
  resolve: { alias: { '@shared': fileURLToPath(new URL('../shared', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    // echarts is one lazily loaded chunk of its own (~330 KB before gzip): no need to warn about it.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5174,
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/emulator': 'http://127.0.0.1:3000',
      '/wecom': 'http://127.0.0.1:3000',
    },
  },
});
