import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The web client: built into dist/client, served by the API from the same origin. */
export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: '../dist/client', emptyOutDir: true },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
