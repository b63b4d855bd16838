import { defineConfig } from 'vite'

// A static build served by @retrace/server at `/`: hashed files under /assets, no CDN, no
// inline script (the server's Content-Security-Policy allows only same-origin scripts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    // Nothing inlined as data: URLs beyond the CSP's img-src; fonts are the system's.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': process.env.RETRACE_URL ?? 'http://127.0.0.1:8787' } },
})
