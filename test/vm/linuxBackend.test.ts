/**
 * The end goal of issue 17 item 8: in a Linux guest under QEMU TCG (tools/vm), `kabosu run`
 * (the production bundle, `npm run build`) with `hashboards.backend: "linux"` enumerates the
 * 4 x 72 chips of a host `kabosu sim run --pty --hal` simulator, mines accepted shares on a host
 * `kabosu pool` (reached at 10.0.2.2, QEMU user-net), and powers the boards off when the host's
 * simulator overheats them.
 *
 * Real kernel: the chain UARTs (guest 8250/16550 ttyS1..ttyS4 -> QEMU serial chardevs on the sim's
 * PTYs, the guest's baud reaching the host tty), GPIO (reset, PLUG, LEDs, beeper: sysfs on
 * gpio-sim at global base 0, the L3+ numbers unchanged; reset/PLUG mirrored to the sim by
 * test/vm/guest/boardWires.ts), networking to the pool.
 * Not the kernel: I2C (PICs, PSU) and the chip-behind TMP451 sensors go over the sim's remote hal
 * (hashboards.linux.i2cBridge) because i2c-stub cannot play a PIC and the chain-UART sensor
 * passthrough is not built; fan PWM and tach are a fake sysfs/proc tree (no PWM or tach simulator
 * in the kernel) that boardWires.ts ties to the sim's fans.
 * Runs where a VM can (tools/vm/guest.ts vmUnavailableReason) and KABOSU_VM_E2E=1 (npm run test:vm).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import * as vm from '../../tools/vm/guest';
import { callControl } from '../../src/sim/control/client';

// Opt-in (npm run test:vm sets KABOSU_VM_E2E=1): ~3-4 min of TCG, too long and too load-sensitive for npm test.
const reason = vm.vmUnavailableReason() ?? (process.env.KABOSU_VM_E2E !== '1' ? 'the daemon end-to-end runs with KABOSU_VM_E2E=1 (npm run test:vm)' : null);
const it = reason ? test.skip : test;
if (reason) process.stdout.write(`test/vm/linuxBackend skipped: ${reason}\n`);

const k = new KabosuProcs('kabosu-vmlinux-');
test.after(() => k.cleanup());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

async function until<T>(what: string, ms: number, fn: () => T | undefined | false | Promise<T | undefined | false>, diag: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms\n${diag()}`);
    await sleep(250);
  }
}

interface SimState {
  chains: Array<{ chain: number; powered: boolean; board_c: number; max_die_c: number }>;
}

it('kabosu run with backend linux in the guest: 4 x 72 chips over guest ttyS, accepted shares on the host pool, boards off on over-temperature', async () => {
  const t0 = Date.now();
  const { dir } = k;
  const ctl = `unix:${join(dir, 'ctl.sock')}`;
  const sim = k.start(['sim', 'run', '--board', 'l3plus', '--seed', '6', '--pty', '--pow', 'scrypt-sim', '--json', '--control', ctl, '--hal', '127.0.0.1:0', '--time-scale', '10']);
  const pool = k.start(['pool', '--port', '0', '--difficulty', '4096', '--block-interval', '600', '--job-interval', '600']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  const poolPort = /:(\d+)$/.exec(poolUrl)![1];
  const halPort = /:(\d+)$/.exec(info.hal)![1];

  // The production bundle and the guest-side wires, built on the host into the run's share.
  const workDir = join(dir, 'vm');
  const b = spawnSync(process.execPath, [join(vm.REPO, 'tools/build/bundle.mjs')], { env: { ...process.env, KABOSU_DIST: join(workDir, 'dist') }, encoding: 'utf8' });
  assert.is(b.status, 0, b.stderr);
  const wires = await vm.bundleForGuest(join(__dirname, 'guest/boardWires.ts'), workDir, 'wires.cjs');
  const board = JSON.parse(readFileSync(join(vm.REPO, 'board/l3plus.json'), 'utf8')) as {
    controller: { gpio: { chainReset: number[]; chainPresent: number[]; ledRed: number; ledGreen: number; beeper: number }; fans: Array<{ tachIrq: number; pulsesPerRev: number }> };
  };
  const g = board.controller.gpio;
  const kroot = '/run/tmp/kroot';
  writeFileSync(
    join(workDir, 'wires.json'),
    JSON.stringify({ root: kroot, hal: `10.0.2.2:${halPort}`, chains: 4, resetGpio: g.chainReset, presentGpio: g.chainPresent, fans: board.controller.fans.map((f) => ({ irq: f.tachIrq, pulsesPerRev: f.pulsesPerRev })) }),
  );
  writeFileSync(
    join(workDir, 'kabosu.json'),
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'host', url: `stratum+tcp://10.0.2.2:${poolPort}`, user: 'vm.worker' }],
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      // The stock driver's floor (src/sim/physics/fan.ts): at the default 10 % a fan sits on its
      // start duty and a PID output a hair below it stops the simulated fan (fans_stopped trip).
      thermal: { fan: { minDuty: 20 } },
      hashboards: {
        backend: 'linux',
        model: 'l3plus',
        linux: { uarts: ['/dev/ttyS1', '/dev/ttyS2', '/dev/ttyS3', '/dev/ttyS4'], sysfsRoot: `${kroot}/sys`, procRoot: `${kroot}/proc`, i2cBridge: `10.0.2.2:${halPort}`, i2cTimeoutMs: 10_000, tachWindowMs: 3000, pow: 'scrypt-sim' },
      },
    }),
  );
  const S = vm.GUEST_SHARE;
  const script = `
set -u
export NODE_PATH=${wires.env.NODE_PATH} KABOSU_ADDON=${wires.env.KABOSU_ADDON}
up() { cut -d' ' -f1 /proc/uptime; }
# The wires play hardware: they must not starve behind the daemon's threads in a busy TCG guest
# (a stalled tach counter reads as stopped fans).
nice -n -10 node ${S}/wires.cjs "$(cat ${S}/wires.json)" > ${S}/wires.log 2>&1 &
W=$!
i=0
until grep -q 'WIRES READY' ${S}/wires.log; do
  i=$((i+1)); if [ $i -gt 600 ] || ! kill -0 $W 2>/dev/null; then echo "wires not ready"; cat ${S}/wires.log; exit 3; fi; sleep 0.2
done
echo "wires ready $(up)"
unset NODE_PATH KABOSU_ADDON
node ${S}/dist/kabosu.cjs run --config ${S}/kabosu.json --data-dir /run/tmp/data > ${S}/daemon.log 2>&1 &
D=$!
echo "daemon started $(up)"
until [ -e ${S}/stop ]; do kill -0 $D 2>/dev/null || break; sleep 0.5; done
echo "stop seen $(up)"
node ${S}/dist/kabosu.cjs status --json --config ${S}/kabosu.json --data-dir /run/tmp/data > ${S}/status.json 2> ${S}/status.err
kill -INT $D; wait $D; echo "daemon exit $? $(up)"
kill $W 2>/dev/null
ls -l /sys/class/gpio > ${S}/gpio.txt
`;
  const guest = vm.startGuest({
    workDir,
    command: script,
    chains: info.ptys.map((tty) => ({ tty })),
    gpioLines: 113,
    gpioLabel: 'kabosu-l3plus',
    gpioNames: { ...Object.fromEntries(g.chainReset.map((n, c) => [n, `RST${c}`])), ...Object.fromEntries(g.chainPresent.map((n, c) => [n, `PLUG${c}`])), [g.ledRed]: 'LED_RED', [g.ledGreen]: 'LED_GREEN', [g.beeper]: 'BEEPER' },
    net: true,
    timeoutMs: 420_000,
    keep: true,
  });
  const daemonLog = (): string => read(join(workDir, 'daemon.log'));
  const diag = (): string => `--- guest stdout\n${read(join(workDir, 'stdout')).slice(-1500)}\n--- wires\n${read(join(workDir, 'wires.log')).slice(-1500)}\n--- daemon\n${daemonLog().slice(-4000)}`;
  const marks: Record<string, number> = {};
  try {
    await until('guest ready', 120_000, () => existsSync(join(workDir, 'stdout')), diag);
    marks.guestReady = Date.now() - t0;
    await until('4 chains of 72 chips mining', 200_000, () => (daemonLog().match(/"chips":72,[^\n]*"msg":"chain mining"/g) ?? []).length >= 4, diag);
    marks.chains = Date.now() - t0;
    await until('a share accepted', 150_000, () => /"msg":"share accepted"/.test(daemonLog()), diag);
    marks.share = Date.now() - t0;
    // Over-temperature, from the host: the simulated air gets hot.
    const hottestDie: number[] = [];
    const f = await callControl(ctl, 'POST', '/v1/faults', { fault: 'ambient-step', target: {}, params: { to_c: 80 } });
    assert.ok(f.status < 300, JSON.stringify(f.body));
    const off = await until(
      'boards powered off by the firmware',
      120_000,
      async () => {
        const s = (await callControl(ctl, 'GET', '/v1/state?chips=false')).body as SimState;
        // An unpowered die cools to the board at once: keep the hottest die seen while powered.
        for (const c of s.chains) if (c.powered) hottestDie[c.chain] = Math.max(hottestDie[c.chain] ?? 0, c.max_die_c);
        // Every board the interlock tripped for over_temp is off in the simulator (the PIC command
        // crosses the bridge after the log line).
        const tripped = [...daemonLog().matchAll(/"board":(\d+),"reason":"over_temp"[^\n]*"msg":"safety interlock: board powered off"/g)].map((m) => Number(m[1]));
        return tripped.length > 0 && tripped.every((b) => !s.chains[b]!.powered) ? { ...s, tripped } : undefined;
      },
      diag,
    );
    marks.overTempOff = Date.now() - t0;
    writeFileSync(join(workDir, 'stop'), '');
    const r = await guest.result;
    marks.guestDone = Date.now() - t0;
    process.stdout.write(`vm linux backend: ${JSON.stringify(marks)} ms since test start; guest uptime ${JSON.stringify(r.timings.guest)}; QEMU ready ${r.timings.readyWallMs} ms, run ${r.timings.wallMs} ms\n${r.stdout}\n`);
    assert.is(r.code, 0, diag());
    const status = JSON.parse(read(join(workDir, 'status.json'))) as { hashboards: { backend: string; simulated: boolean }; shares: { accepted: number }; chains: Array<{ chips_found: number }> };
    assert.is(status.hashboards.backend, 'linux');
    // (chips_found is 0 by now: the boards are off; the 4 x 72 came from the log above.)
    assert.ok(status.shares.accepted > 0);
    // The simulator's truth: each board the interlock cut for over_temp is off and really that hot
    // (its TMP451 remote channel reads the hottest die region; the trip is at dangerous 85 - margin 2 C).
    const trips = [...daemonLog().matchAll(/"board":(\d+),"reason":"over_temp","detail":"([^"]*)"/g)].filter((m) => off.tripped.includes(Number(m[1])));
    assert.ok(trips.length > 0, 'the daemon logged an over_temp trip');
    for (const [, board] of trips) {
      const c = off.chains[Number(board)]!;
      const die = hottestDie[Number(board)] ?? 0;
      assert.ok(!c.powered && die >= 78, `board ${board}, tripped for over_temp, is off and its dies reached the hot limit: ${JSON.stringify({ powered: c.powered, hottest_die_c_while_powered: die })}`);
    }
    const trip = trips[0]!;
    process.stdout.write(`  over-temperature trip: board ${trip[1]}: ${trip[2]}\n`);
  } finally {
    // KABOSU_VM_KEEP=DIR keeps the run's share (daemon.log, wires.log, status.json) for a look.
    if (process.env.KABOSU_VM_KEEP) cpSync(workDir, process.env.KABOSU_VM_KEEP, { recursive: true, filter: (src) => !src.includes('/dist/') });
    guest.kill();
    await guest.result.catch(() => undefined);
  }
});

test.run();
