/**
 * Runs INSIDE the test guest beside `kabosu run` (hashboards.backend "linux"): the wires between
 * the guest's controller interfaces and the host's simulated hash boards, for the parts QEMU
 * cannot carry itself. The chain UARTs need nothing here (guest ttyS1..4 are QEMU chardevs on
 * the simulator's PTYs).
 *
 * Real kernel, mirrored to the host simulator's GPIO (its remote hal, `kabosu sim run --hal`):
 *   - chain reset outputs: what kabosu drives on gpio-sim (read back through gpio-sim's own
 *     sim_gpioN/value) is written to the sim's `reset.N`, so a chain reset reaches the chips;
 *   - PLUG inputs: the sim's `present.N` sets gpio-sim's pull on that line, so kabosu reads
 *     (and gets edge interrupts for) board presence from the kernel.
 * Fakes (no PWM or tach simulator in the kernel), under `root` (hashboards.linux.sysfsRoot /
 * procRoot point here; `sys/class/gpio` is a symlink to the real /sys/class/gpio):
 *   - `sys/class/pwm/pwmchip0`: export creates pwmM/{period,duty_cycle,enable}; the duty kabosu
 *     writes is sent to the sim's fan PWM, so the sim's physics feel kabosu's fan control;
 *   - `proc/interrupts`: the L3+ tach lines ("256:", "254:") count pulses at the sim's tach rpm
 *     (fan faults injected on the host show up here).
 * argv: JSON {root, hal, chains, resetGpio[], presentGpio[], fans: [{irq, pulsesPerRev}]}
 * Prints "WIRES READY" once the tree exists; runs until killed.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RemoteHalClient } from '../../../src/hal/remote/client';

interface Args {
  root: string;
  hal: string;
  chains: number;
  resetGpio: number[];
  presentGpio: number[];
  fans: Array<{ irq: number; pulsesPerRev: number }>;
}
const a = JSON.parse(process.argv[2] ?? '{}') as Args;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sys = join(a.root, 'sys');
const proc = join(a.root, 'proc');
const pwmChip = join(sys, 'class/pwm/pwmchip0');

function simLine(n: number): string {
  // Our gpio-sim chip is the one at base 0 (tools/vm/init.sh); its bank dir holds sim_gpioN.
  const chip = readdirSync('/sys/class/gpio').find((d) => d.startsWith('gpiochip') && readFileSync(`/sys/class/gpio/${d}/base`, 'utf8').trim() === '0')!;
  const platform = dirname(dirname(realpathSync(`/sys/class/gpio/${chip}`)));
  return join(platform, readdirSync(platform).find((d) => /^gpiochip\d+$/.test(d))!, `sim_gpio${n}`);
}

function atomicWrite(path: string, text: string): void {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

async function main(): Promise<void> {
  mkdirSync(join(sys, 'class'), { recursive: true });
  if (!existsSync(join(sys, 'class/gpio'))) symlinkSync('/sys/class/gpio', join(sys, 'class/gpio'));
  mkdirSync(pwmChip, { recursive: true });
  writeFileSync(join(pwmChip, 'export'), '');
  writeFileSync(join(pwmChip, 'npwm'), '2\n');
  mkdirSync(proc, { recursive: true });
  const counts = a.fans.map(() => 0);
  const writeIrqs = (): void =>
    atomicWrite(join(proc, 'interrupts'), ['           CPU0       ', ...a.fans.map((f, i) => `${String(f.irq).padStart(3)}: ${String(Math.floor(counts[i]!)).padStart(10)}  gpio  0 Edge      fan${i}-tach`)].join('\n') + '\n');
  writeIrqs();

  const hal = await RemoteHalClient.connect(a.hal, { timeoutMs: 10_000 });
  const resets = Array.from({ length: a.chains }, (_, c) => hal.gpio(`reset.${c}`));
  const presents = Array.from({ length: a.chains }, (_, c) => hal.gpio(`present.${c}`));
  const pwm = hal.pwm(0);
  const tachs = a.fans.map((_, i) => hal.tach(i));
  const resetPaths = a.resetGpio.map((n) => join(simLine(n), 'value'));
  const pullPaths = a.presentGpio.map((n) => join(simLine(n), 'pull'));
  // PLUG first, so kabosu finds the boards present when it opens the lines.
  for (let c = 0; c < a.chains; c++) writeFileSync(pullPaths[c]!, (await presents[c]!.read()) ? 'pull-up' : 'pull-down');
  process.stdout.write('WIRES READY\n');

  // Reset lines: kabosu -> kernel gpio-sim -> here -> the sim's chain, on their own fast loop
  // (the chain driver's reset pulse is 500 ms low, then it talks to the chips 500 ms later).
  // One loop per chain, so a slow remote call on one chain never delays another's release.
  const resetLoop = async (c: number): Promise<void> => {
    let last: number | undefined;
    for (;;) {
      const v = readFileSync(resetPaths[c]!, 'utf8').trim() === '1' ? 1 : 0;
      if (v !== last) {
        last = v;
        await resets[c]!.write(v).catch((e: Error) => process.stderr.write(`reset.${c} <- ${v} failed: ${e.message}\n`));
        process.stdout.write(`reset.${c} <- ${v} at ${uptime()}\n`);
      }
      await sleep(20);
    }
  };
  for (let c = 0; c < a.chains; c++) void resetLoop(c);

  // Tach pulses: counted on their own timer from the latest rpm, so a slow turn of the remote
  // loop below (TCG, a busy guest) never looks like a stopped fan.
  let rpm = a.fans.map(() => 0);
  let t = Date.now();
  setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < a.fans.length; i++) counts[i]! += ((rpm[i]! * a.fans[i]!.pulsesPerRev) / 60_000) * (now - t);
    t = now;
    writeIrqs();
  }, 100);

  const lastPresent: number[] = [];
  let lastDuty = -1;
  const num = (path: string): number | null => {
    // kabosu's writeFile truncates, then writes: an empty read is a write in progress, not 0.
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  };
  for (let slow = 0; ; slow++) {
    // PWM: a fresh export gets its channel files.
    const ex = readFileSync(join(pwmChip, 'export'), 'utf8').trim();
    if (/^\d+$/.test(ex)) {
      writeFileSync(join(pwmChip, 'export'), '');
      const d = join(pwmChip, `pwm${ex}`);
      if (!existsSync(d)) {
        mkdirSync(d);
        for (const [f, v] of [['period', '0'], ['duty_cycle', '0'], ['enable', '0'], ['polarity', 'normal']]) writeFileSync(join(d, f!), v + '\n');
      }
    }
    for (const ch of readdirSync(pwmChip).filter((n) => /^pwm\d+$/.test(n))) {
      const d = join(pwmChip, ch);
      const [period, dutyNs, enable] = [num(join(d, 'period')), num(join(d, 'duty_cycle')), num(join(d, 'enable'))];
      // A channel not yet enabled (kabosu is still opening it) leaves the fans as they are.
      if (period === null || dutyNs === null || enable !== 1 || !(period > 0)) continue;
      const duty = dutyNs / period;
      if (Math.abs(duty - lastDuty) > 1e-4 && duty >= 0 && duty <= 1) {
        await pwm.setDuty(duty).catch(() => undefined);
        lastDuty = duty;
        process.stdout.write(`pwm duty <- ${duty.toFixed(3)} at ${uptime()}\n`);
      }
    }
    // Tach rpm from the sim every turn; presence every ~8 turns.
    if (slow % 8 === 0) {
      for (let c = 0; c < a.chains; c++) {
        const v = await presents[c]!.read().catch(() => lastPresent[c] ?? 0);
        if (v !== lastPresent[c]) {
          writeFileSync(pullPaths[c]!, v ? 'pull-up' : 'pull-down');
          lastPresent[c] = v;
          process.stdout.write(`PLUG${c} <- ${v} at ${uptime()}\n`);
        }
      }
    }
    const before = rpm;
    const next = await Promise.all(tachs.map((tc, i) => tc.readRpm().catch(() => rpm[i]!)));
    rpm = next;
    if (slow % 20 === 0 || rpm.some((r, i) => Math.abs(r - before[i]!) > Math.max(100, 0.2 * before[i]!))) process.stdout.write(`tach rpm ${rpm.map((r) => r.toFixed(0)).join(',')} at ${uptime()}\n`);
    await sleep(250);
  }
}

const uptime = (): string => new Date().toISOString().slice(11, 23);

main().catch((e) => {
  process.stderr.write(`boardWires: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
