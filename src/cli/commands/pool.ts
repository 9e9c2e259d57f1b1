/**
 * `kabosu pool`: run the Stratum V1 test pool alone (`--v2`: the Stratum V2 one, with an
 * authority key generated or given by `--authority-secret HEX`). Prints its URL (V2: the URL
 * carries the authority key a config's pools[].url needs; the secret goes to stderr); on
 * SIGINT/SIGTERM prints the pool's stats as one JSON line and stops cleanly.
 */
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';

function num(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got '${v}'`);
  return n;
}

export const command: CliCommand = {
  summary: 'run the Stratum test pool (--port N --host H --pow scrypt-sim|scrypt --block-interval S --job-interval S --difficulty D; --v2 [--authority-secret HEX] for Stratum V2)',
  async run(ctx) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: ctx.argv, allowPositionals: false,
        options: {
          port: { type: 'string' }, host: { type: 'string' }, pow: { type: 'string' },
          'block-interval': { type: 'string' }, 'job-interval': { type: 'string' }, difficulty: { type: 'string' },
          vardiff: { type: 'string' }, v2: { type: 'boolean' }, 'authority-secret': { type: 'string' }, help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      throw new UsageError((e as Error).message, 'kabosu pool --help');
    }
    if (values.help) { ctx.stdout.write(`kabosu pool: ${command.summary}\n`); return 0; }
    const pow = (values.pow as string | undefined) ?? 'scrypt-sim';
    if (pow !== 'scrypt-sim' && pow !== 'scrypt') throw new UsageError(`--pow must be scrypt-sim or scrypt, got '${pow}'`);
    const opts = {
      port: num(values.port as string | undefined, 'port', 3333, 0, 65535),
      host: (values.host as string | undefined) ?? '127.0.0.1',
      pow: pow as 'scrypt' | 'scrypt-sim',
      blockIntervalS: num(values['block-interval'] as string | undefined, 'block-interval', 60, 0.01, 86400),
      jobIntervalS: num(values['job-interval'] as string | undefined, 'job-interval', 30, 0.01, 86400),
      difficulty: num(values.difficulty as string | undefined, 'difficulty', 1, 1e-12, 1e15),
      vardiffTargetS: num(values.vardiff as string | undefined, 'vardiff', 10, 0, 3600),
    };
    const secret = values['authority-secret'] as string | undefined;
    if (secret !== undefined && (!values.v2 || !/^[0-9a-fA-F]{64}$/.test(secret))) throw new UsageError('--authority-secret is 64 hex digits and needs --v2');
    // Lazy: keep `kabosu help` fast.
    const { startTestPool, startV2TestPool } = require('../../pool') as typeof import('../../pool');
    let pool: { url: string; stats(): unknown; close(): Promise<void> };
    if (values.v2) {
      const { vardiffTargetS: _v, ...v2opts } = opts;
      const p2 = await startV2TestPool({ ...v2opts, authoritySecret: secret });
      if (secret === undefined) ctx.stderr.write(`authority secret (keep it to restart with the same key: --authority-secret): ${p2.authoritySecretHex}\n`);
      ctx.stderr.write(`authority public key: ${p2.authorityKey}\n`);
      pool = p2;
    } else {
      pool = await startTestPool(opts);
    }
    ctx.stdout.write(`${pool.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.stdout.write(JSON.stringify(pool.stats()) + '\n');
    await pool.close();
    return 0;
  },
};
