/**
 * The web UI's built files (index.html, app.js, app.css, manifest, service worker) by URL path.
 * tools/build/bundle.mjs replaces this module in the bundle (and so the single executable) with
 * the files tools/build/ui.mjs builds; from source it stays null and the daemon builds src/ui/app
 * with esbuild on the first request.
 */
export const EMBEDDED_UI: Record<string, { type: string; body: string }> | null = null;
