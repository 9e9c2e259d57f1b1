import type { Writable } from 'node:stream';

/** What every CLI command receives. Streams are injected so commands test without a TTY. */
export interface CliContext {
  argv: string[];
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  /** One line shown by `kabosu help`. */
  summary: string;
  /** Resolves to the process exit code. Throw UsageError/ConfigError for exit 2. */
  run(ctx: CliContext): Promise<number>;
}
