/**
 * The safety interlock's second path, run in a worker thread (`startInterlockThread`): its own
 * event loop, its own clock (Date.now via setInterval) and its own hardware connection (the
 * remote hal of a `kabosu sim run --hal` process; /dev/i2c-N on a controller is the same shape),
 * so it keeps acting while the main event loop is blocked. It evaluates the same pure rules
 * (`interlockRules.ts`) and on a trip holds the chain's reset line low (the board's chips lose
 * their supply), then tells the main thread, which locks the board off through BoardPower.
 * A tripped board is not evaluated again until the main thread sends {release: board}.
 *
 * Messages in (`InterlockWorkerMessage`): release, limits (config or fan mode changed), powered
 * (which boards the main thread has on: an unpowered board is not judged), stop.
 * Messages out (`InterlockWorkerReport`): ready, trip, hal (link down / up), error (fatal).
 *
 * Built two ways: loaded through tsx from source, or (tools/build/bundle.mjs) bundled alone
 * into a string the main bundle carries (`interlockWorkerCode.ts`), so it runs from the esbuild
 * bundle and the single executable, where no file of it exists on disk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RemoteHalClient } from '../hal/remote';
import { evaluateInterlock, nextReading, peerMean, type InterlockLimits, type SensorReading, type Trip } from './interlockRules';
import { readTmp451 } from '../hashboard/tmp451';

export interface InterlockWorkerData {
  hal: string;
  boards: number;
  sensorsPerBoard: number;
  /** Sensors on each board when they differ (default sensorsPerBoard on every board). */
  sensorsByBoard?: number[];
  fans: number;
  limits: InterlockLimits;
  tickMs: number;
  /** Which boards are powered at start (default: all). */
  powered?: boolean[];
}

export type InterlockWorkerMessage =
  | { release: number }
  | { limits: InterlockLimits }
  | { powered: boolean[] }
  | { stop: true };

export type InterlockWorkerReport =
  | { ready: true }
  | { trip: Trip & { atWallMs: number } }
  | { hal: 'down' | 'up'; reason: string }
  | { error: string };

async function main(d: InterlockWorkerData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (m: InterlockWorkerReport): void => port.postMessage(m);
  const hal = await RemoteHalClient.connect(d.hal, { timeoutMs: Math.max(100, d.tickMs) });
  hal.events.on('disconnected', (e) => post({ hal: 'down', reason: `${e.code}: ${e.reason}` }));
  hal.events.on('reconnected', (e) => post({ hal: 'up', reason: `reconnected after ${e.attempts} attempt(s), down ${e.downMs} ms` }));
  hal.events.on('gaveUp', (e) => post({ error: `remote hal ${e.address}: gave up after ${e.attempts} reconnect attempts` }));
  const readings: (SensorReading | null)[][] = Array.from({ length: d.boards }, (_x, b) => Array.from({ length: d.sensorsByBoard?.[b] ?? d.sensorsPerBoard }, () => null));
  const tripped = new Set<number>();
  let limits = d.limits;
  let powered = Array.from({ length: d.boards }, (_x, b) => d.powered?.[b] ?? true);
  let timer: NodeJS.Timeout | undefined;
  port.on('message', (m: InterlockWorkerMessage) => {
    if ('release' in m) tripped.delete(m.release);
    if ('limits' in m) limits = m.limits;
    if ('powered' in m) powered = Array.from({ length: d.boards }, (_x, b) => m.powered[b] === true);
    if ('stop' in m) {
      clearInterval(timer);
      void hal.close().then(() => port.close());
    }
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
      const boards = readings.map((sensors, board) => ({ board, powered: powered[board] && !tripped.has(board), sensors, regulatorFault: false }));
      for (const t of evaluateInterlock(limits, boards, { rpm, duty: 100, minRunningRpm: 300 }, now)) {
        tripped.add(t.board);
        await hal.gpio(`reset.${t.board}`).write(0).catch(() => undefined);
        post({ trip: { ...t, atWallMs: now } });
      }
    } finally {
      busy = false;
    }
  };
  timer = setInterval(() => void tick(), d.tickMs);
  post({ ready: true });
}

if (parentPort && workerData && (workerData as { kabosuInterlock?: boolean }).kabosuInterlock) {
  const port = parentPort;
  main(workerData as InterlockWorkerData, port).catch((err: unknown) => {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies InterlockWorkerReport);
    port.close();
  });
}
