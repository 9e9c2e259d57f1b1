/**
 * The safety interlock's second path, run in a worker thread (`startInterlockThread`): its own
 * event loop, its own clock (Date.now via setInterval) and its own hardware connection (the
 * remote hal of a `kabosu sim run --hal` process; /dev/i2c-N on a controller is the same shape),
 * so it keeps acting while the main event loop is blocked. It evaluates the same pure rules
 * (`interlockRules.ts`) and on a trip holds the chain's reset line low (the board's chips lose
 * their supply), then tells the main thread, which locks the board off through BoardPower.
 * A tripped board is not evaluated again until the main thread sends {release: board}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RemoteHalClient } from '../hal/remote';
import { evaluateInterlock, nextReading, peerMean, type InterlockLimits, type SensorReading } from './interlockRules';
import { readTmp451 } from '../hashboard/tmp451';

export interface InterlockWorkerData {
  hal: string;
  boards: number;
  sensorsPerBoard: number;
  fans: number;
  limits: InterlockLimits;
  tickMs: number;
}

async function main(d: InterlockWorkerData): Promise<void> {
  const hal = await RemoteHalClient.connect(d.hal, { timeoutMs: Math.max(100, d.tickMs) });
  const readings: (SensorReading | null)[][] = Array.from({ length: d.boards }, () => Array.from({ length: d.sensorsPerBoard }, () => null));
  const tripped = new Set<number>();
  parentPort!.on('message', (m: { release?: number; stop?: boolean }) => {
    if (typeof m.release === 'number') tripped.delete(m.release);
    if (m.stop) void hal.close().then(() => process.exit(0));
  });
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const fresh = await Promise.all(readings.map((s, b) => Promise.all(s.map((_r, k) => readTmp451(hal.sensorBus(b, k)).then((r) => Math.max(r.remoteC, r.localC), () => null)))));
      const rpm = await Promise.all(Array.from({ length: d.fans }, (_x, i) => hal.tach(i).readRpm().then((r) => r, () => null)));
      const now = Date.now();
      const inputs = readings.map((sensors, board) => ({ board, powered: true, sensors, regulatorFault: false }));
      fresh.forEach((s, b) => s.forEach((t, k) => { if (t !== null) readings[b][k] = nextReading(readings[b][k], t, now, peerMean(inputs, readings[b][k])); }));
      const boards = readings.map((sensors, board) => ({ board, powered: !tripped.has(board), sensors, regulatorFault: false }));
      for (const t of evaluateInterlock(d.limits, boards, { rpm, duty: 100, minRunningRpm: 300 }, now)) {
        tripped.add(t.board);
        await hal.gpio(`reset.${t.board}`).write(0).catch(() => undefined);
        parentPort!.postMessage({ trip: { ...t, atWallMs: now } });
      }
    } finally {
      busy = false;
    }
  };
  setInterval(() => void tick(), d.tickMs);
  parentPort!.postMessage({ ready: true });
}

if (parentPort && workerData && (workerData as { kabosuInterlock?: boolean }).kabosuInterlock) {
  main(workerData as InterlockWorkerData).catch((err: unknown) => {
    parentPort!.postMessage({ error: String(err) });
  });
}
