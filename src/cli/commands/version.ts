import type { CliCommand } from '../command';
import { VERSION } from '../../core/version';

export const command: CliCommand = {
  summary: 'print the kabosu version (--json for details)',
  async run(ctx) {
    const info = { version: VERSION, node: process.version, platform: `${process.platform}-${process.arch}` };
    if (ctx.argv.includes('--json')) ctx.stdout.write(JSON.stringify(info) + '\n');
    else ctx.stdout.write(`kabosu ${info.version} (node ${info.node}, ${info.platform})\n`);
    return 0;
  },
};
