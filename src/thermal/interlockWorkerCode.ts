/**
 * The interlock worker's code as one self-contained CommonJS script, for `new Worker(code,
 * { eval: true })` where no source file exists (the esbuild bundle, the single executable).
 * tools/build/bundle.mjs replaces this module in the bundle with the worker bundled alone
 * (src/thermal/interlockWorker.ts and what it imports); from source it stays null and the
 * worker loads interlockWorker.ts through tsx.
 */
export const BUNDLED_INTERLOCK_WORKER: string | null = null;
