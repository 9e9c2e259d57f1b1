import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim';
import { parseFaultSpec, type FaultSpec } from '../../src/sim/faults/faultSpec';
import { runStandaloneDiagnostics } from '../../src/health/diagnostics';
import type { DiagReport } from '../../src/health/diagReport';
import { command as diag } from '../../src/cli/commands/diag';

const SEED = Number(process.env.SIM_SEED ?? 7);

async function diagWith(faults: FaultSpec[]): Promise<DiagReport> {
  const clock = new VirtualClock();
  const log = pino({ level: 'silent' });
  const sim = createSimMiner({ boardId: 'l3plus', seed: SEED, clock, transport: 'stream', pow: 'scrypt-sim', logger: log });
  sim.start();
  try {
    for (const f of faults) sim.control.inject(parseFaultSpec(f));
    const run = runStandaloneDiagnostics({ hal: sim.hal, board: sim.board, clock, log, simulated: true });
    let done = false;
    run.then(() => (done = true), () => (done = true));
    while (!done) await clock.runFor(100);
    return await run;
  } finally {
    await sim.stop();
  }
}

const kinds = (r: DiagReport) => r.faults.map((f) => `${f.kind}@${f.part}`).sort();

test('healthy simulated miner: every check passes', async () => {
  const r = await diagWith([]);
  assert.ok(r.ok, `seed ${SEED}: ${JSON.stringify(r.faults)}`);
  assert.is(r.chains.length, 4);
  for (const c of r.chains) {
    assert.is(c.chips_found, 72);
    assert.is(c.chips.filter((x) => x.response_ms !== null).length, 72);
    assert.ok(c.chips.every((x) => x.read_errors === 0 && x.reads === 3));
  }
  assert.is(r.sensors.length, 8);
  assert.ok(r.sensors.every((s) => s.local_c! > 10 && s.remote_c! > 10));
  assert.equal(r.fans.map((f) => f.steps.length), [3, 3]);
  const fan0 = r.fans[0].steps.map((s) => s.rpm!);
  assert.ok(fan0[0] < fan0[1] && fan0[1] < fan0[2], 'rpm follows duty');
  assert.ok(r.regulators.every((g) => Math.abs(g.read_v! - 9.885) < 0.01));
  assert.ok(r.psu && 'vout_v' in r.psu && Math.abs(r.psu.vout_v - 12) < 0.1);
});

test('each injected fault is found and named', async () => {
  const cases: [FaultSpec, string][] = [
    [{ fault: 'chip-dead', target: { chain: 1, chip: 7 } } as FaultSpec, 'chain_chips_missing@chain1'],
    [{ fault: 'fan-seized', target: { fan: 1 } } as FaultSpec, 'fan_stalled@fan1'],
    [{ fault: 'tach-lost', target: { fan: 0 } } as FaultSpec, 'fan_stalled@fan0'],
    [{ fault: 'sensor-absent', target: { chain: 3, sensor: 1 } } as FaultSpec, 'sensor_missing@chain3.sensor1'],
    [{ fault: 'sensor-implausible', target: { chain: 0, sensor: 0 } } as FaultSpec, 'sensor_implausible@chain0.sensor0'],
    [{ fault: 'psu-sag', target: {}, params: { scale: 0.85 } } as FaultSpec, 'psu_sag@psu'],
    [{ fault: 'regulator-fault', target: { chain: 2 }, params: { mode: 'no-answer' } } as FaultSpec, 'regulator_no_answer@chain2.regulator'],
    [{ fault: 'regulator-fault', target: { chain: 2 }, params: { mode: 'output-off' } } as FaultSpec, 'chain_chips_missing@chain2'],
    [{ fault: 'chain-unplugged', target: { chain: 0 } } as FaultSpec, 'regulator_no_answer@chain0.regulator'],
  ];
  for (const [spec, want] of cases) {
    const r = await diagWith([spec]);
    assert.ok(!r.ok, `${spec.fault}: not detected`);
    assert.ok(kinds(r).includes(want), `${spec.fault}: want ${want}, got ${kinds(r).join(' ')}`);
  }
});

test('UART noise shows as damaged frames on that chain', async () => {
  const r = await diagWith([{ fault: 'uart-noise', target: { chain: 2 }, params: { bit_flip_prob: 0.01 } } as FaultSpec]);
  const c2 = r.chains[2];
  assert.ok(c2.bad_frames > 0 || c2.chips_found < 72 || c2.no_answer.length > 0, JSON.stringify({ bad: c2.bad_frames, found: c2.chips_found }));
  assert.ok(!r.ok);
  assert.is(r.chains[0].bad_frames, 0);
  assert.ok(c2.chips.some((x) => (x.read_errors ?? 0) > 0), 'per-chip read errors on the noisy chain');
});

function ctx(argv: string[], cwd: string) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  return { c: { argv, stdout: out, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd }, text: () => text };
}

test('kabosu diag: no daemon -> standalone; exit 0 healthy, 1 with a fault, 2 on bad usage; --json parses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-diag-'));
  try {
    const a = ctx(['--data-dir', dir, '--config', join(dir, 'none.json'), '--json'], dir);
    assert.is(await diag.run(a.c), 0);
    const rep = JSON.parse(a.text()) as DiagReport;
    assert.is(rep.mode, 'standalone');
    assert.ok(rep.notes.some((n) => n.includes('simulated')));
    const b = ctx(['--standalone', '--sim-fault', '{"fault":"fan-seized","target":{"fan":0}}'], dir);
    assert.is(await diag.run(b.c), 1);
    assert.match(b.text(), /fan0.*seized/);
    for (const bad of [['--nope'], ['--seed', 'x'], ['--sim-fault', '{not json'], ['--sim-fault', '{"fault":"melt"}']]) {
      try {
        await diag.run(ctx(bad, dir).c);
        assert.unreachable(`${bad.join(' ')} accepted`);
      } catch (err) {
        assert.is((err as { code?: string }).code, 'KBS_E_CLI_USAGE', bad.join(' '));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

test('kabosu diag with a daemon running: answered by the daemon over its control socket (POST /v1/diag)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-diagd-'));
  const port = await freePort();
  const cfg = join(dir, 'config.json');
  const data = join(dir, 'data');
  writeFileSync(
    cfg,
    JSON.stringify({
      version: 1,
      device: { id: 'diag-daemon' },
      mining: { enabled: true },
      pools: [{ name: 't', url: `stratum+tcp://127.0.0.1:${port}`, user: 'a.b' }],
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: SEED, pow: 'scrypt-sim', transport: 'stream' } },
      testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
      logging: { level: 'warn' },
    }),
  );
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
  const child = spawn(process.execPath, [join(__dirname, '../../bin/kabosu.js'), 'run', '--config', cfg, '--data-dir', data], { env, stdio: 'ignore' });
  try {
    const end = Date.now() + 30_000;
    let rep: DiagReport | undefined;
    while (!rep && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!existsSync(join(data, 'kabosu.sock'))) continue;
      const a = ctx(['--config', cfg, '--data-dir', data, '--json'], dir);
      try {
        const code = await diag.run(a.c);
        const parsed = JSON.parse(a.text()) as DiagReport;
        if (parsed.chains.length === 4 && parsed.chains.every((c) => c.chips_found === 72)) {
          assert.is(code, 0, a.text());
          rep = parsed;
        }
      } catch {
        /* still starting */
      }
    }
    assert.ok(rep, 'the daemon answered with all chains up');
    assert.is(rep!.mode, 'daemon');
    assert.is(rep!.sensors.length, 8);
    assert.ok(rep!.regulators.every((g) => g.set_v !== null && Math.abs(g.set_v - 9.885) < 0.01));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
