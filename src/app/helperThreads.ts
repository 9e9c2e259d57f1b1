/**
 * Keeps the event loop's wake-ups its own. The loop thread runs at nice -10 (`loopNice`), every
 * other thread of the daemon (V8's background compile and GC workers, libuv's threadpool, the
 * UART reader threads, worker threads) as SCHED_BATCH at nice 0, which keeps its CPU share but
 * never preempts on wake-up.
 *
 * Why: the loop wakes V8 workers when it posts compile or GC jobs. Under CFS/EEVDF the woken
 * worker may preempt the loop on the loop's own CPU even with another CPU idle, and a share in
 * flight then waits out the job (0.7 ms seen with `perf sched`, docs/performance.md). Applied at
 * start and every `periodMs`, since libuv and Node create threads lazily.
 *
 * The loop's nice: under EEVDF a thread with ten times the weight is nearly always eligible,
 * so on a 2-core box it is not queued behind a compile job or a UART reader's hash when a share
 * arrives (pipeline-remote: shares over 1 ms 1.5 % -> 0.5 %, docs/performance.md). Lowering a
 * nice value needs CAP_SYS_NICE (the unit runs as root); without it the loop stays at 0.
 * Threads inherit their creator's nice, so the helpers are set back to 0.
 *
 * Linux only, through the kabosu addon (native/src/sched.cc) and os.setPriority (a thread id
 * on Linux); elsewhere it does nothing. KABOSU_HELPER_SCHED=normal turns all of it off, =idle
 * uses SCHED_IDLE for the helpers; KABOSU_LOOP_NICE sets the loop's nice (0 leaves it).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Clock, TimerHandle } from '../hal/types';
import { tryLoadAddon } from '../native/load';
import type { Component } from './component';

export type ThreadPolicy = 'normal' | 'batch' | 'idle';

/** The thread ids to demote: every task id but the loop's (the process id), as numbers. */
export function helperThreadIds(taskDirEntries: readonly string[], loopTid: number): number[] {
  const out: number[] = [];
  for (const e of taskDirEntries) {
    if (!/^[1-9][0-9]{0,9}$/.test(e)) continue;
    const tid = Number(e);
    if (tid !== loopTid) out.push(tid);
  }
  return out;
}

export class HelperThreadsComponent implements Component {
  readonly name = 'helper-threads';
  readonly critical = false;
  private timer: TimerHandle | null = null;
  /** Threads set to the policy since start (a thread that exits and is replaced counts again). */
  applied = 0;

  constructor(
    private readonly clock: Clock,
    private readonly o: { periodMs?: number; policy?: ThreadPolicy; loopNice?: number; setPolicy?: (tid: number, p: ThreadPolicy) => boolean; listTasks?: () => string[] } = {},
  ) {}

  /** The loop thread's nice value after start (null: not changed). */
  loopNice: number | null = null;
  private niceBefore: number | null = null;

  async start(): Promise<void> {
    if (process.platform !== 'linux' || process.env.KABOSU_HELPER_SCHED === 'normal') return;
    let set = this.o.setPolicy;
    if (!set) {
      const addon = tryLoadAddon();
      if (!addon?.setThreadPolicy) return; // no addon, or one built before sched.cc
      set = (tid, p) => addon.setThreadPolicy!(tid, p);
    }
    const policy = this.o.policy ?? (process.env.KABOSU_HELPER_SCHED === 'idle' ? 'idle' : 'batch');
    const envNice = Number(process.env.KABOSU_LOOP_NICE);
    const nice = this.o.loopNice ?? (process.env.KABOSU_LOOP_NICE !== undefined && Number.isInteger(envNice) && envNice >= -20 && envNice <= 0 ? envNice : -10);
    if (nice !== 0) {
      try {
        this.niceBefore = getPriority(process.pid);
        setPriority(process.pid, nice); // on Linux: the thread whose id is the pid, the loop
        this.loopNice = getPriority(process.pid);
      } catch {
        // no CAP_SYS_NICE: the loop keeps its nice
      }
    }
    const list = this.o.listTasks ?? (() => readdirSync('/proc/self/task'));
    const done = new Set<number>();
    const run = (): void => {
      const tids = helperThreadIds(list(), process.pid);
      for (const tid of tids) {
        if (done.has(tid)) continue;
        try {
          if (set!(tid, policy)) this.applied++;
          if (nice !== 0) setPriority(tid, 0); // made by the loop after its nice changed: inherited
        } catch {
          // not permitted here (a seccomp profile, say): leave the thread as it is
        }
        done.add(tid);
      }
      // Forget threads that exited, so a new thread reusing the id is demoted too.
      const live = new Set(tids);
      for (const tid of done) if (!live.has(tid)) done.delete(tid);
    };
    run();
    this.timer = this.clock.setInterval(run, this.o.periodMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    if (this.niceBefore !== null) {
      try {
        setPriority(process.pid, this.niceBefore);
      } catch {
        // raising a nice value is always allowed; nothing to do if it still fails
      }
      this.niceBefore = null;
      this.loopNice = null;
    }
  }
}
