import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KabosuProcs } from './kabosuProcs';

/**
 * `kabosu run` as a process on this config (written to k.dir/config.json, data in k.dir/data),
 * once its HTTP API listens on httpPort; `statusWhen` polls /api/v1/status until `done`.
 */
export async function runConfiguredDaemon(k: KabosuProcs, cfg: unknown, httpPort: number) {
  mkdirSync(join(k.dir, 'data'));
  writeFileSync(join(k.dir, 'config.json'), JSON.stringify(cfg));
  k.daemon(['run', '--config', join(k.dir, 'config.json'), '--data-dir', join(k.dir, 'data')]);
  await k.waitFor(/HTTP API listening/, 30_000);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const status = async (): Promise<any> => (await fetch(`http://127.0.0.1:${httpPort}/api/v1/status`)).json();
  /** The latest status: the first for which `done` holds, or the last one read within `ms`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const statusWhen = async (done: (s: any) => boolean, ms: number): Promise<any> => {
    const end = Date.now() + ms;
    let s = await status();
    while (!done(s) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      s = await status();
    }
    return s;
  };
  return { status, statusWhen };
}
