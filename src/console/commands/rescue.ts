import { postMortem, startDaemon } from '../rescue';
import type { ConsoleCommand } from './context';

/** `why` (what happened to the daemon) and `start` (start it again), for rescue mode and after. */
export const WHY: ConsoleCommand = {
  name: 'why',
  usage: 'why',
  summary: 'is the daemon running; if not, its last exit and last error lines',
  daemon: false,
  async run(ctx) {
    const alive = await ctx.link.alive();
    ctx.out(`daemon: ${alive ? ctx.style.ok('running') : ctx.style.bad('not running')} (control socket ${ctx.link.socketPath})\n`);
    const pm = postMortem(ctx.rescue);
    ctx.out(`supervisor: ${pm.supervisor === 'systemd' ? `systemd unit ${ctx.rescue.unit}` : 'none (development)'}${pm.crashLooping ? ctx.style.bad(' -- crash-looping') : ''}\n`);
    if (pm.lastExit) ctx.out(`last exit: ${pm.lastExit}\n`);
    if (pm.lastErrors.length) ctx.out(`last warnings and errors:\n${pm.lastErrors.map((l) => '  ' + l).join('\n')}\n`);
    else ctx.out('no warning or error lines found\n');
    if (!alive) ctx.out('next: config validate, config set PATH VALUE to fix, then start\n');
  },
};

export const START: ConsoleCommand = {
  name: 'start',
  usage: 'start',
  summary: 'start the daemon (systemd: restart the unit) after fixing the config',
  daemon: false,
  async run(ctx) {
    if (await ctx.link.alive()) return ctx.out('the daemon is already running (use restart to restart mining)\n');
    if (!(await ctx.confirm('start the daemon?', 'yes'))) return ctx.out('not confirmed; nothing done\n');
    ctx.out(startDaemon(ctx.rescue) + '\n');
    for (let i = 0; i < 60; i++) {
      if (!(await ctx.sleep(500))) return;
      if (await ctx.link.alive()) return ctx.out(ctx.style.ok('the daemon is up') + '\n');
    }
    ctx.out(ctx.style.bad('the daemon did not come up within 30 s') + '; see why\n');
  },
};
