import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { displayHex, getAlgorithm, headerFromHex, scryptBackendName, type PowName } from '../../pow';

const USAGE = 'usage: kabosu pow scrypt|sha256d|scrypt-sim HEADER_HEX   (80-byte header, 160 hex digits)';

export const command: CliCommand = {
  summary: 'hash an 80-byte block header (scrypt, sha256d, scrypt-sim); prints display order',
  async run(ctx) {
    const [algo, hex, ...extra] = ctx.argv;
    if (!algo || !hex || extra.length > 0) throw new UsageError('kabosu pow needs an algorithm and one header', USAGE);
    if (algo !== 'scrypt' && algo !== 'sha256d' && algo !== 'scrypt-sim') throw new UsageError(`unknown algorithm '${algo}'`, USAGE);
    let header: Buffer;
    try {
      header = headerFromHex(hex);
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const hash = await getAlgorithm(algo as PowName).hash(header);
    ctx.stdout.write(displayHex(hash) + '\n');
    if (ctx.env.KABOSU_DEBUG) ctx.stderr.write(`backend: ${scryptBackendName()}\n`);
    return 0;
  },
};
