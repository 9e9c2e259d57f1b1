import { spawnSync } from 'node:child_process';
import { ConsoleUsageError, type CommandContext, type ConsoleCommand } from './context';
import { factoryReset } from '../factoryReset';

/**
 * Commands that change something: each asks for a typed confirmation first. None of them
 * touches the interlock: fan commands use auto/manual only (never immersion), and reboot and
 * factory reset pause mining (boards powered off) before they act.
 */
async function confirmed(ctx: CommandContext, question: string, word = 'yes'): Promise<boolean> {
  if (await ctx.confirm(question, word)) return true;
  ctx.out('not confirmed; nothing done\n');
  return false;
}

const simple = (name: string, summary: string, question: string, act: (ctx: CommandContext) => Promise<string>): ConsoleCommand => ({
  name,
  usage: name,
  summary,
  daemon: true,
  async run(ctx) {
    if (ctx.args.length > 0) throw new ConsoleUsageError(name, `${name} takes no arguments`);
    if (!(await confirmed(ctx, question))) return;
    ctx.out(`${await act(ctx)}\n`);
  },
});

export const ACTION_COMMANDS: ConsoleCommand[] = [
  simple('pause', 'stop hashing, boards powered off, until resume', 'pause mining (boards powered off)?', (c) => c.link.command('pause', { reason: 'console' })),
  simple('resume', 'resume hashing after pause', 'resume mining?', (c) => c.link.command('resume')),
  simple('restart', 'restart the mining pipeline (not the process)', 'restart the mining pipeline?', (c) => c.link.command('restart')),
  {
    name: 'fan',
    usage: 'fan test [SECONDS]',
    summary: 'spin the fans at 100 % for a few seconds, show their speed, then back to auto',
    daemon: true,
    complete: (args) => (args.length === 0 ? ['test'] : []),
    async run(ctx) {
      const [sub, secs] = ctx.args;
      if (sub !== 'test' || ctx.args.length > 2 || (secs !== undefined && !/^\d{1,3}$/.test(secs))) throw new ConsoleUsageError('fan test [SECONDS]');
      const seconds = Math.min(120, Math.max(1, Number(secs ?? 10)));
      if (!(await confirmed(ctx, `run the fans at 100 % for ${seconds} s?`))) return;
      const before = (await ctx.link.status()).thermal?.mode ?? 'auto';
      ctx.out(`${await ctx.link.command('fan-mode', { mode: 'manual', duty_pct: 100 })}\n`);
      try {
        for (let i = 0; i < seconds; i++) {
          if (!(await ctx.sleep(1000))) {
            ctx.out('stopped\n');
            break;
          }
          const fans = (await ctx.link.status()).thermal?.fans ?? [];
          ctx.out(`${i + 1}s ${fans.map((f) => `fan${f.index} ${f.rpm ?? '-'} rpm${f.ok ? '' : ' (NOT OK)'}`).join('  ')}\n`);
        }
      } finally {
        // Back to what it was (auto unless it was manual); immersion is never set from here.
        const mode = before === 'manual' ? 'manual' : 'auto';
        ctx.out(`${await ctx.link.command('fan-mode', { mode })}\n`);
      }
    },
  },
  {
    name: 'identify',
    usage: 'identify [SECONDS]',
    summary: 'blink the LEDs so the miner can be found in the rack',
    daemon: true,
    async run(ctx) {
      const s = ctx.args[0];
      if (ctx.args.length > 1 || (s !== undefined && !/^\d{1,3}$/.test(s))) throw new ConsoleUsageError('identify [SECONDS]');
      ctx.out(`${await ctx.link.command('identify', { seconds: Math.min(600, Math.max(1, Number(s ?? 30))) })}\n`);
    },
  },
  {
    name: 'ota',
    usage: 'ota status',
    summary: 'over-the-air update state',
    daemon: false,
    complete: (args) => (args.length === 0 ? ['status'] : []),
    async run(ctx) {
      if (ctx.args[0] !== 'status' || ctx.args.length !== 1) throw new ConsoleUsageError('ota status');
      ctx.out('OTA updates: not available in this build\n');
    },
  },
  {
    name: 'reboot',
    usage: 'reboot',
    summary: 'power the boards off and reboot the controller',
    daemon: false,
    async run(ctx) {
      if (!(await confirmed(ctx, 'reboot the controller?'))) return;
      if (await ctx.link.alive()) ctx.out(`${await ctx.link.command('pause', { reason: 'reboot' }).catch((e: Error) => `pause failed: ${e.message}`)}\n`);
      ctx.audit('console_reboot', 'reboot from the console');
      const [cmd, ...args] = ctx.rebootCommand;
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
      ctx.out(r.status === 0 ? 'rebooting\n' : `reboot failed: ${(r.stderr ?? '').trim() || r.error?.message || `status ${r.status}`}\n`);
    },
  },
  {
    name: 'factory-reset',
    usage: 'factory-reset',
    summary: 'erase the config, secrets, device key, admin password and data (typed confirmation)',
    daemon: false,
    async run(ctx) {
      ctx.out('factory reset erases the config (pools, secrets), the device key, the admin password and every file in the data directory.\n');
      if (!(await confirmed(ctx, 'type factory-reset to erase everything', 'factory-reset'))) return;
      if (await ctx.link.alive()) ctx.out(`${await ctx.link.command('pause', { reason: 'factory reset' }).catch((e: Error) => `pause failed: ${e.message}`)}\n`);
      ctx.audit('console_factory_reset', 'factory reset from the console');
      ctx.out(factoryReset(ctx.rescue) + '\n');
      ctx.logout();
    },
  },
];
