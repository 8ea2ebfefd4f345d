import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const backend = process.env.QUORUM_BACKEND_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [{ find: /^@contract$/, replacement: fileURLToPath(new URL('../server/src/contract/index.ts', import.meta.url)) }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie)[\\/]/ },
            // WebRTC code only the room page needs: fetched when someone opens a room.
            {
              name: 'media',
              test: /node_modules[\\/](mediasoup-client|awaitqueue|events-alias|fake-mediastreamtrack|h264-profile-level-id|sdp-transform|supports-color)[\\/]/,
            },
            // The recordings player's HLS engine: fetched when someone opens a recording.
            { name: 'hls', test: /node_modules[\\/]hls\.js[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': backend,
      '/ws': { target: backend, ws: true },
      '/health': backend,
      '/metrics': backend,
    },
  },
});
