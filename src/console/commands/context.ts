import type { DaemonLink } from '../daemonLink';
import type { RescueOptions } from '../rescue';
import type { Style } from '../style';
import type { AdminPasswordStore } from '../../auth/adminPassword';

/** What every console command sees: the session's fixed parts and this run's I/O. */
export interface ConsoleEnv {
  link: DaemonLink;
  rescue: RescueOptions;
  style: Style;
  passwords: AdminPasswordStore;
  /** argv run by `reboot` after the boards are off (default systemctl reboot). */
  rebootCommand: string[];
}

export interface CommandContext extends ConsoleEnv {
  args: string[];
  /** Text to the terminal ("\n" is sent as CR LF). */
  out(text: string): void;
  /** A line from the person (secret: no echo); null on Ctrl-C, idle timeout or hang-up. */
  ask(prompt: string, o?: { secret?: boolean }): Promise<string | null>;
  /** True only when the person typed `word` exactly. */
  confirm(question: string, word?: string): Promise<boolean>;
  /** Aborted by Ctrl-C (follow mode, diag, fan test) or a hang-up. */
  signal: AbortSignal;
  /** Waits; false when aborted first. */
  sleep(ms: number): Promise<boolean>;
  /** A record in the event log (the daemon's when it runs, always the console's own log). */
  audit(kind: string, message: string, data?: Record<string, unknown>): void;
  /** Ends the session after this command (back to the login prompt). */
  logout(): void;
}

export interface ConsoleCommand {
  name: string;
  usage: string;
  summary: string;
  /** Longer help (`help NAME`). */
  help?: string;
  /** Needs the running daemon (refused in rescue mode with a pointer to `why`/`start`). */
  daemon: boolean;
  /** Words that may follow, given the words already typed after the name. */
  complete?(args: string[]): string[];
  run(ctx: CommandContext): Promise<void>;
}

export class ConsoleUsageError extends Error {
  constructor(readonly usage: string, message?: string) {
    super(message ?? `usage: ${usage}`);
  }
}
