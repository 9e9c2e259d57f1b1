import type { CliCommand } from './command';

/**
 * The `kabosu` CLI's public commands. Names and flags are a public interface: operators and
 * checks script against them, so keep them stable once they exist. Each entry loads its module
 * on first use (plain require, so the esbuild bundle and the tsx dev loader both handle it) so
 * `kabosu version` starts fast.
 */
type Loader = () => CliCommand;
const load = (mod: { command: CliCommand }): CliCommand => mod.command;

export const COMMANDS: Record<string, Loader> = {
  run: () => load(require('./commands/run')),
  config: () => load(require('./commands/config')),
  version: () => load(require('./commands/version')),
  pow: () => load(require('./commands/pow')),
  bench: () => load(require('./commands/bench')),
  sim: () => load(require('./commands/sim')),
  pool: () => load(require('./commands/pool')),
  status: () => load(require('./commands/status')),
  diag: () => load(require('./commands/diag')),
  tune: () => load(require('./commands/tune')),
  console: () => load(require('./commands/console')),
  ota: () => load(require('./commands/ota')),
  launch: () => load(require('./commands/launch')),
  profit: () => load(require('./commands/profit')),
};
