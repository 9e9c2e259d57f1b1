import { spawn } from 'node:child_process';
import { chooseLaunch, initialState, type LaunchChoice } from './slots';
import { executableOf, readState, slotUsable, writeState, type OtaPaths } from './slotStore';
import { removePartials } from './installer';

/**
 * `kabosu launch -- run ...`, the unit's ExecStart (image/systemd/kabosu.service): picks the slot
 * to start (slots.chooseLaunch: the trial slot while its boot counter lasts, else the committed
 * one, else the factory app), writes the counter down *before* starting it (so a version that
 * dies or hangs before it can commit uses its try up), then runs it as a child with the same
 * arguments and forwards signals. The child exiting with RESTART_EXIT_CODE (an update installed
 * or rolled back) is started again at once through a fresh choice; any other exit ends the
 * launcher with the child's code, and systemd's Restart=always starts the launcher again.
 */
export const RESTART_EXIT_CODE = 75;
/** More immediate restarts than this in a row and the launcher leaves it to systemd (RestartSec). */
const MAX_IMMEDIATE_RESTARTS = 5;

export interface LaunchPlan {
  choice: LaunchChoice;
  /** argv of the process to start. */
  command: string[];
  env: NodeJS.ProcessEnv;
}

/** The factory app: this very executable (the SEA binary, or node + bin/kabosu.js in a checkout). */
export function factoryCommand(): string[] {
  const script = process.argv[1];
  return script && /\.(c?js|ts)$/.test(script) ? [process.execPath, ...process.execArgv, script] : [process.execPath];
}

/** Reads the state, chooses, writes the counted-down state (fsynced) and says what to start. */
export function planLaunch(p: OtaPaths, factoryVersion: string, args: string[], env: NodeJS.ProcessEnv, nowMs: number): LaunchPlan {
  let choice: LaunchChoice;
  try {
    removePartials(p); // an install cut short: never a slot
    const state = readState(p, factoryVersion);
    choice = chooseLaunch(state, (s) => slotUsable(p, s, state), nowMs);
    if (JSON.stringify(choice.state) !== JSON.stringify(state)) writeState(p, choice.state);
  } catch (err) {
    // An unreadable state (both copies damaged, a full or read-only disk) must not stop the
    // miner from starting: the factory app always can; it reports the problem itself.
    const state = initialState(factoryVersion);
    choice = { slot: 'factory', state, note: `OTA state unusable (${(err as Error).message}): starting the factory app` };
  }
  const childEnv: NodeJS.ProcessEnv = { ...env, KABOSU_SLOT: choice.slot };
  // systemd addresses the watchdog to the main pid (this launcher); the child pings with
  // NotifyAccess=all, so it must not discard the watchdog as "not for me".
  delete childEnv.WATCHDOG_PID;
  const command = choice.slot === 'factory' ? [...factoryCommand(), ...args] : [executableOf(p, choice.slot), ...args];
  return { choice, command, env: childEnv };
}

export async function runLauncher(o: { paths: OtaPaths; factoryVersion: string; args: string[]; env: NodeJS.ProcessEnv; log: (line: Record<string, unknown>) => void }): Promise<number> {
  for (let restarts = 0; ; restarts++) {
    const plan = planLaunch(o.paths, o.factoryVersion, o.args, o.env, Date.now());
    o.log({ msg: 'launching', slot: plan.choice.slot, note: plan.choice.note, ...(plan.choice.rolledBack ? { rolledBack: plan.choice.rolledBack } : {}) });
    const code = await runChild(plan);
    if (code !== RESTART_EXIT_CODE || restarts >= MAX_IMMEDIATE_RESTARTS) return code;
    o.log({ msg: 'restart requested by the app', slot: plan.choice.slot });
  }
}

function runChild(plan: LaunchPlan): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(plan.command[0], plan.command.slice(1), { env: plan.env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
    const sigs: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
    for (const s of sigs) process.on(s, forward);
    const done = (code: number): void => {
      for (const s of sigs) process.off(s, forward);
      resolve(code);
    };
    child.once('error', () => done(127));
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
  });
}
