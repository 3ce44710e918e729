import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The built UI is served by Vigil itself (packages/server/src/serve/ui.ts) from dist/.
// `vite dev` proxies Vigil's APIs to a Vigil on :9090 so the UI can be developed live.
const vigil = process.env.VIGIL_URL ?? 'http://127.0.0.1:9090';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': vigil,
      '/-/': vigil,
    },
  },
});
