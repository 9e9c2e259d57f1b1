/**
 * `kabosu bench chip-iic`: the L3+ sensor reads through the chips' I2C master (hashboard/
 * chipIicBus.ts) on a simulated 72-chip BM1485 chain paced at 115,200 baud: UART bytes per
 * TMP451 read (both directions, counted on the host side of the line), and the share of the
 * chain's UART time thermal sampling takes at a cadence, against the issue-17 budget (< 5 %).
 */
import pino from 'pino';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { VirtualClock } from '../../src/hal/clock';
import { createUartPair } from '../../src/hal/sim/uartPair';
import { SimI2cBus } from '../../src/hal/sim/i2c';
import { ChipIicPort } from '../../src/hashboard/chipIicBus';
import { readTmp451 } from '../../src/hashboard/tmp451';
import { SimChain } from '../../src/sim/chain/simChain';
import { Tmp451 } from '../../src/sim/devices/tmp451';

const BAUD = 115_200;
const BITS_PER_BYTE = 10; // 8N1
const SENSORS_PER_CHAIN = 2; // L3+: chips 0x0C and 0xC9 (chips.md §10.3)

async function drive<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  let err: unknown;
  let val: T | undefined;
  p.then((v) => { done = true; val = v; }, (e) => { done = true; err = e; });
  while (!done) {
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
  }
  if (err) throw err;
  return val as T;
}

export async function benchChipIic(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const clock = new VirtualClock();
  const log = pino({ level: 'silent' });
  const phys = { hashrateHps: (f: number) => (f * 1e6 * 12 * 0.95) / 2500, hwErrorProbability: () => 0, hangs: () => false, responsive: () => true };
  const sensors = [0x0c, 0xc9].map((chipAddress) => {
    const bus = new SimI2cBus(`iic-${chipAddress}`);
    bus.attach(0x4c, new Tmp451(() => 40, () => 60));
    return { chipAddress, i2cAddress: 0x4c, bus };
  });
  const sim = new SimChain({ family: 'bm1485', chipCount: 72, physics: Array.from({ length: 72 }, () => phys as never), supply: { powered: () => true }, clock, seed: 1, pow: 'scrypt-sim', sensors });
  const pair = createUartPair({ baud: BAUD, clock, paced: true });
  sim.connect(pair.device);
  const chain = new Chain({ family: getChipFamily('bm1485'), uart: pair.host, clock, log, expectedChips: 72 });
  await drive(clock, chain.init({ freqMHz: 384, ticketDifficulty: 256 }));
  let tx = 0;
  let rx = 0;
  const write = pair.host.write.bind(pair.host);
  pair.host.write = async (b: Uint8Array) => { tx += b.length; return write(b); };
  pair.host.on('data', (b: Buffer) => (rx += b.length));
  const port = new ChipIicPort(chain, { clock, chainIndex: 0 });
  const rounds = o.smoke ? 5 : 50;
  const t0 = clock.now();
  for (let i = 0; i < rounds; i++) for (const s of sensors) await drive(clock, readTmp451(port.bus(s.chipAddress)));
  const msPerRound = (clock.now() - t0) / rounds;
  const bytesPerRead = (tx + rx) / (rounds * SENSORS_PER_CHAIN);
  const wireMsPerRead = (bytesPerRead * BITS_PER_BYTE * 1000) / BAUD;
  const share = (hz: number) => (hz * SENSORS_PER_CHAIN * bytesPerRead * BITS_PER_BYTE) / BAUD;
  const result = {
    baud: BAUD,
    sensorsPerChain: SENSORS_PER_CHAIN,
    transfersPerRead: 4,
    bytesPerRead: +bytesPerRead.toFixed(1),
    wireMsPerRead: +wireMsPerRead.toFixed(2),
    latencyMsPerChainRound: +msPerRound.toFixed(1),
    uartShare: { '4Hz': +share(4).toFixed(4), '1Hz': +share(1).toFixed(4), '0.5Hz': +share(0.5).toFixed(4) },
    budget: 0.05,
  };
  const table =
    `TMP451 through the chip I2C master, BM1485 chain at ${BAUD} baud: ${result.bytesPerRead} UART bytes per sensor read (4 transfers), ${result.wireMsPerRead} ms on the wire\n` +
    `  both sensors of a chain: ${result.latencyMsPerChainRound} ms per round (wire + the chip's busy polls)\n` +
    `  UART share of thermal sampling: ${(share(4) * 100).toFixed(2)}% at 4 Hz, ${(share(1) * 100).toFixed(2)}% at 1 Hz, ${(share(0.5) * 100).toFixed(2)}% at 0.5 Hz (budget 5%)\n`;
  await pair.host.close();
  return { table, result };
}
