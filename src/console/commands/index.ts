import { READ_COMMANDS } from './read';
import { ACTION_COMMANDS } from './actions';
import { EVENTS, LOGS } from './events';
import { CONFIG } from './config';
import { NET } from './net';
import { START, WHY } from './rescue';
import type { CommandContext, ConsoleCommand } from './context';

/** The console's command table, `help`, and tab completion over it. */
const SESSION: ConsoleCommand[] = [
  {
    name: 'passwd',
    usage: 'passwd',
    summary: 'change the admin password',
    daemon: false,
    async run(ctx) {
      const old = await ctx.ask('current password: ', { secret: true });
      if (old === null) return;
      if (!(await ctx.passwords.verify(old))) return ctx.out('wrong password; unchanged\n');
      const a = await ctx.ask('new password: ', { secret: true });
      if (a === null) return;
      const b = await ctx.ask('again: ', { secret: true });
      if (b === null) return;
      if (a !== b) return ctx.out('the two entries differ; unchanged\n');
      await ctx.passwords.set(a);
      ctx.audit('console_password_changed', 'admin password changed from the console');
      ctx.out('admin password changed\n');
    },
  },
  { name: 'logout', usage: 'logout', summary: 'end this session (also: exit)', daemon: false, run: async (ctx) => ctx.logout() },
];

export const COMMANDS: ConsoleCommand[] = [...READ_COMMANDS, EVENTS, LOGS, CONFIG, NET, ...ACTION_COMMANDS, WHY, START, ...SESSION];
const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));
BY_NAME.set('exit', BY_NAME.get('logout')!);

export function findCommand(name: string): ConsoleCommand | undefined {
  return name === 'help' ? HELP : BY_NAME.get(name);
}

export const HELP: ConsoleCommand = {
  name: 'help',
  usage: 'help [COMMAND]',
  summary: 'this list, or one command in detail',
  daemon: false,
  complete: (args) => (args.length === 0 ? COMMANDS.map((c) => c.name) : []),
  async run(ctx: CommandContext) {
    const name = ctx.args[0];
    if (name) {
      const c = findCommand(name);
      if (!c) return ctx.out(`no command ${name}; help lists them\n`);
      return ctx.out(`${c.usage}\n  ${c.summary}\n${c.help ? `  ${c.help}\n` : ''}${c.daemon ? '  needs the running daemon\n' : ''}`);
    }
    const w = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
    ctx.out(['commands (Tab completes, Up/Down history, Ctrl-C stops a running command):', ...[HELP, ...COMMANDS].map((c) => `  ${c.usage.padEnd(Math.min(w, 40))}${c.usage.length >= 40 ? '\n' + ' '.repeat(42) : ''}${c.summary}`)].join('\n') + '\n');
  },
};

/** Candidates for the word being typed, given the text before the cursor. */
export function completions(before: string): string[] {
  const words = before.split(/\s+/);
  if (words.length <= 1) return ['help', ...COMMANDS.map((c) => c.name)];
  const cmd = findCommand(words[0]);
  return cmd?.complete ? cmd.complete(words.slice(1, -1)) : [];
}

/** The command line as it may be recorded: a secret typed by mistake after `config set PATH` is not. */
export function auditLine(words: string[], isSecretPath: (p: string) => boolean): string {
  if (words[0] === 'config' && words[1] === 'set' && words[2] && isSecretPath(words[2]) && words.length > 3) return words.slice(0, 3).join(' ') + ' <value withheld>';
  return words.join(' ');
}
