/**
 * Power-cut injection for the OTA tests (test/integration/otaPowerCut.test.ts): with
 * KABOSU_OTA_FAULT=<point>[,<point>...] the process SIGKILLs itself when it reaches that point
 * of an update, exactly as a power cut there would stop it (no exit handlers, no flush).
 * Points: download, write, after-write, after-flip, commit. Unset in production: a no-op.
 */
export type FaultName = 'download' | 'write' | 'after-write' | 'after-flip' | 'commit';

export function faultPoint(name: FaultName, env: NodeJS.ProcessEnv = process.env): void {
  const f = env.KABOSU_OTA_FAULT;
  if (f && f.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
