/** Polls `cond` every `everyMs` until it holds; rejects naming `what` (and `detail()`) after `ms`. */
export async function until(what: string, cond: () => boolean, ms: number, o: { everyMs?: number; detail?: () => string } = {}): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${o.detail ? `: ${o.detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}
