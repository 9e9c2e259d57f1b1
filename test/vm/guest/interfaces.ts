/**
 * Runs INSIDE the test guest (tools/vm): drives the real kernel interfaces the Linux backends use
 * and prints one JSON line per check (`{"check": name, "ok": bool, ...}`) for the host test
 * (test/vm/kernelInterfaces.test.ts) to judge. Exits 0 even when a check fails: the host decides.
 *   i2c   /dev/i2c-N of i2c-stub through i2c-bus (SMBus byte, word, I2C block, send/receive byte)
 *   gpio  gpio-sim lines through onoff (sysfs, global numbers) and gpio-sim's own sysfs
 *   chain a kernel ttyS (16550) wired to the host simulator's chain: the firmware's Chain driver
 *         enumerates the chips over it
 * argv: JSON {i2cAddrs: number[], gpio: {label, reset, present}, chains: string[], chips: number, family: string}
 */
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface Args {
  i2cAddrs: number[];
  gpio: { label: string; reset: number; present: number };
  chains: string[];
  chips: number;
  family: string;
}
const args = JSON.parse(process.argv[2] ?? '{}') as Args;

function report(check: string, ok: boolean, detail: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ check, ok, ...detail, t: Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) }) + '\n');
}

async function guarded(name: string, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (e) {
    report(name, false, { error: (e as Error).stack ?? String(e) });
  }
}

function i2cChecks(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const i2c = require('i2c-bus');
  const busNo = Number(readdirSync('/dev').find((d) => /^i2c-\d+$/.test(d))!.slice(4));
  const name = readFileSync(`/sys/class/i2c-dev/i2c-${busNo}/name`, 'utf8').trim();
  const bus = i2c.openSync(busNo);
  const funcs = bus.i2cFuncsSync();
  const found: number[] = bus.scanSync();
  report('i2c.scan', JSON.stringify(found) === JSON.stringify(args.i2cAddrs), { bus: busNo, adapter: name, found, funcs: { smbusByte: funcs.smbusReceiveByte, smbusWord: funcs.smbusReadWord, i2cBlock: funcs.smbusReadI2cBlock, plainI2c: funcs.i2c } });
  const [pic, , , , psu] = args.i2cAddrs;
  bus.writeByteSync(pic, 0x10, 0xb4);
  report('i2c.byte', bus.readByteSync(pic, 0x10) === 0xb4, { addr: pic, reg: 0x10, read: bus.readByteSync(pic, 0x10) });
  bus.writeWordSync(psu, 0x8b, 0x1234);
  report('i2c.word', bus.readWordSync(psu, 0x8b) === 0x1234, { addr: psu, reg: 0x8b, read: bus.readWordSync(psu, 0x8b) });
  const out = Buffer.from([1, 2, 3, 4, 5, 6]);
  bus.writeI2cBlockSync(psu, 0x20, out.length, out);
  const back = Buffer.alloc(6);
  bus.readI2cBlockSync(psu, 0x20, 6, back);
  report('i2c.block', back.equals(out), { read: back.toString('hex') });
  // SMBus send byte then receive byte: i2c-stub treats the sent byte as its register pointer.
  bus.writeByteSync(pic, 0x55, 0x3c);
  bus.sendByteSync(pic, 0x55);
  const rb = bus.receiveByteSync(pic);
  report('i2c.sendReceiveByte', rb === 0x3c, { read: rb });
  let nak = '';
  try {
    bus.readByteSync(0x70, 0);
  } catch (e) {
    nak = (e as NodeJS.ErrnoException).code ?? String(e);
  }
  report('i2c.absentAddressErrors', nak !== '', { error: nak });
  bus.closeSync();
}

/** gpio-sim's own sysfs for line `offset` of the chip whose sysfs class device is `chip`. */
let simChipDir = '';
function simLineDir(offset: number): string {
  return join(simChipDir, `sim_gpio${offset}`);
}

async function gpioChecks(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Gpio } = require('onoff') as typeof import('onoff');
  const chip = readdirSync('/sys/class/gpio').find((d) => d.startsWith('gpiochip') && readFileSync(`/sys/class/gpio/${d}/label`, 'utf8').trim() === args.gpio.label);
  if (!chip) throw new Error(`no gpiochip labelled ${args.gpio.label} in /sys/class/gpio`);
  const base = Number(readFileSync(`/sys/class/gpio/${chip}/base`, 'utf8'));
  // /sys/class/gpio/gpiochipBASE -> /sys/devices/platform/gpio-sim.N/gpio/gpiochipBASE; that
  // platform device's gpiochipM (its one bank) holds sim_gpioK.
  const platform = dirname(dirname(realpathSync(`/sys/class/gpio/${chip}`)));
  simChipDir = join(platform, readdirSync(platform).find((d) => /^gpiochip\d+$/.test(d))!);
  const ngpio = Number(readFileSync(`/sys/class/gpio/${chip}/ngpio`, 'utf8'));
  const cdevs = readdirSync('/dev').filter((d) => d.startsWith('gpiochip'));
  report('gpio.chip', Gpio.accessible && ngpio > Math.max(args.gpio.reset, args.gpio.present), { chip, base, ngpio, cdevs });
  // Output: the program drives it, the kernel's simulator sees it.
  const reset = new Gpio(base + args.gpio.reset, 'high');
  const seen: number[] = [Number(readFileSync(join(simLineDir(args.gpio.reset), 'value'), 'utf8'))];
  reset.writeSync(0);
  seen.push(Number(readFileSync(join(simLineDir(args.gpio.reset), 'value'), 'utf8')));
  reset.writeSync(1);
  seen.push(Number(readFileSync(join(simLineDir(args.gpio.reset), 'value'), 'utf8')));
  report('gpio.output', JSON.stringify(seen) === '[1,0,1]', { line: base + args.gpio.reset, seen });
  reset.unexport();
  // Input with edge interrupts: the simulator's pull drives it, the program reads and gets IRQs.
  const present = new Gpio(base + args.gpio.present, 'in', 'both');
  const edges: number[] = [];
  present.watch((err, v) => {
    if (!err) edges.push(v);
  });
  const pull = join(simLineDir(args.gpio.present), 'pull');
  const reads: number[] = [present.readSync()];
  // Under TCG on a loaded host an edge's interrupt can take a while to reach the watcher: wait for it (bounded).
  const edgeSeen = async (n: number): Promise<void> => {
    for (let i = 0; i < 50 && edges.length < n; i++) await new Promise((r) => setTimeout(r, 100));
  };
  writeFileSync(pull, 'pull-up');
  await edgeSeen(1);
  reads.push(present.readSync());
  writeFileSync(pull, 'pull-down');
  await edgeSeen(2);
  reads.push(present.readSync());
  present.unwatchAll();
  present.unexport();
  report('gpio.input', JSON.stringify(reads) === '[0,1,0]', { line: base + args.gpio.present, reads });
  report('gpio.edges', edges.length >= 2 && edges.includes(1) && edges.includes(0), { edges });
}

async function chainChecks(): Promise<void> {
  const pino = (require('pino') as typeof import('pino')).default;
  const { getChipFamily } = require('../../../src/chips') as typeof import('../../../src/chips');
  const { Chain } = require('../../../src/chips/chainDriver') as typeof import('../../../src/chips/chainDriver');
  const { RealClock } = require('../../../src/hal/clock') as typeof import('../../../src/hal/clock');
  const { LinuxUart } = require('../../../src/hal/linux/uart') as typeof import('../../../src/hal/linux/uart');
  const clock = new RealClock();
  for (const [i, path] of args.chains.entries()) {
    await guarded(`chain.enumerate.${i}`, async () => {
      const uart = await LinuxUart.open(path, 115200);
      try {
        const chain = new Chain({ family: getChipFamily(args.family), uart, clock, log: pino({ level: 'silent' }), expectedChips: args.chips, chain: i, replyTimeoutMs: 5000, quietMs: 1000 });
        const t0 = Date.now();
        const n = await chain.enumerate();
        report(`chain.enumerate.${i}`, n === args.chips, { path, chips: n, ms: Date.now() - t0 });
        chain.close();
      } finally {
        await uart.close();
      }
    });
  }
}

async function main(): Promise<void> {
  report('guest.node', true, { node: process.version, uptime: Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) });
  await guarded('i2c', i2cChecks);
  await guarded('gpio', gpioChecks);
  await guarded('chain', chainChecks);
  report('guest.done', true, { uptime: Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) });
}

void main().then(() => process.exit(0));
