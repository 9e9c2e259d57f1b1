/**
 * Giving a chip back a step it lost at run time (issue #8 item 2: restore when conditions
 * allow). A chip the monitor stepped down because its HW errors rose (usually heat: the stable
 * limit falls 0.25 %/°C) may try its old step again once the board has run at least `coolerC`
 * cooler than when it lost the step, for `waitMs`, at most `maxTries` times; if the chip is still
 * not good there, the monitor takes the step back (a few HW errors). Pure.
 */
export interface StepDown {
  atMs: number;
  boardC: number | null;
  tries: number;
}

export interface RecoveryOptions {
  waitMs: number;
  coolerC: number;
  maxTries: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = { waitMs: 10 * 60_000, coolerC: 3, maxTries: 3 };

export function mayRetry(d: StepDown, nowMs: number, boardC: number | null, o: RecoveryOptions = DEFAULT_RECOVERY): boolean {
  if (d.tries >= o.maxTries || nowMs - d.atMs < o.waitMs) return false;
  if (d.boardC === null || boardC === null) return false;
  return boardC <= d.boardC - o.coolerC;
}
