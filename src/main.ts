import { COMMANDS } from './cli/commands';
import type { CliContext } from './cli/command';
import { ConfigError, UsageError, formatError, isKabosuError } from './core/errors';

/** The `kabosu` CLI entry: dispatches `kabosu <command> ...` to src/cli/commands. */
export async function main(argv: string[], io: Omit<CliContext, 'argv'>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') return main(['version', ...rest], io);
  const load = COMMANDS[name];
  try {
    if (!load) throw new UsageError(`unknown command '${name}'`, `run 'kabosu help' for the list of commands`);
    const cmd = load();
    return await cmd.run({ ...io, argv: rest });
  } catch (err) {
    io.stderr.write(formatError(err) + '\n');
    if (err instanceof UsageError || err instanceof ConfigError) return 2;
    if (isKabosuError(err)) return 1;
    if (io.env.KABOSU_DEBUG) io.stderr.write(String((err as Error)?.stack) + '\n');
    return 1;
  }
}

async function usage(): Promise<string> {
  const lines = ['usage: kabosu <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const cmd = load();
    lines.push(`  ${name.padEnd(10)} ${cmd.summary}`);
  }
  return lines.join('\n') + '\n';
}

if (require.main === module || process.env.KABOSU_MAIN === '1' || isEntry()) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(formatError(err) + '\n');
      process.exitCode = 1;
    },
  );
}

function isEntry(): boolean {
  // Loaded by bin/kabosu.js (source checkout) or as the bundle's entry.
  const parent = require.main?.filename ?? '';
  return parent.endsWith('kabosu.js') || parent.endsWith('kabosu.cjs') || !require.main;
}
