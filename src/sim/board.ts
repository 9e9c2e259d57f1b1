/**
 * One simulated hash board: its chain (C1's emulation, through `ChainFactory`), the PIC on the
 * controller's I2C bus, the temperature sensors behind the chain's sensor chips, the EEPROM, and
 * the chain's reset and plug GPIO lines. It ties them to the physics: the PIC's DC-DC output and
 * the board's health decide the chain's supply; releasing the reset line resets the chain and
 * clears hung chips.
 */
import type { BoardDefinition } from '../config/boardSchema';
import type { Clock } from '../hal/types';
import { SimGpioLine } from '../hal/sim/gpio';
import { SimI2cBus } from '../hal/sim/i2c';
import type { BuiltChain, ChainFactory } from './chainSeam';
import { At24c02 } from './devices/eeprom';
import { PicFramed } from './devices/picFramed';
import { PicOldApi } from './devices/picOldApi';
import type { RegulatorDevice } from './devices/regulator';
import { Tmp451 } from './devices/tmp451';
import type { MinerPhysics } from './physics/minerPhysics';
import type { ChainSupply } from './types';

export interface HashBoardOptions {
  index: number;
  board: BoardDefinition;
  physics: MinerPhysics;
  clock: Clock;
  /** The controller bus the PIC and EEPROM sit on. */
  controllerBus: SimI2cBus;
  chainFactory: ChainFactory;
  seed: number;
  pow: 'scrypt' | 'scrypt-sim';
  paced: boolean;
}

export interface BoardSensor {
  chipAddress: number;
  i2cAddress: number;
  device: Tmp451;
  /** The I2C master bus of the chip the sensor hangs off (GENERAL_IIC, chips.md §10.3). */
  bus: SimI2cBus;
}

export class SimHashBoard {
  readonly index: number;
  readonly resetLine: SimGpioLine;
  readonly presentLine: SimGpioLine;
  readonly sensors: BoardSensor[] = [];
  readonly eeprom: At24c02 | null;
  readonly built: BuiltChain;
  readonly supply: ChainSupply;
  pic: RegulatorDevice;
  private pluggedNow = true;
  private regulatorFaultNow = false;
  /** Times the reset line was released (each one a chain reset). */
  resets = 0;

  constructor(private readonly o: HashBoardOptions) {
    const { index, board } = o;
    const hb = board.hashBoard;
    this.index = index;
    this.resetLine = new SimGpioLine(`reset${index}`, 'out', 1);
    this.presentLine = new SimGpioLine(`present${index}`, 'in', 1);
    this.resetLine.onChange((v) => {
      if (v === 1) this.onResetReleased();
      this.syncSupply();
    });
    this.pic = this.newPic();
    o.controllerBus.attach(hb.regulator.addresses[index]!, this.pic);
    this.eeprom = hb.eeprom
      ? new At24c02({
          model: board.name,
          serial: `SIM-${board.id.toUpperCase()}-${index}-${(o.seed >>> 0).toString(16).padStart(8, '0')}`,
          chipFamily: hb.chipFamily,
          chipsPerChain: hb.chipsPerChain,
          stockFreqMHz: hb.freqMHz.stock,
          stockVoltageMv: Math.round(hb.voltage.stockV * 1000),
        })
      : null;
    if (hb.eeprom && this.eeprom) o.controllerBus.attach(hb.eeprom.addresses[index]!, this.eeprom);
    const chainPhysics = o.physics.chainAt(index);
    for (const s of hb.sensors) {
      for (const chipAddress of s.chipAddresses) {
        const device = new Tmp451(
          () => chainPhysics.thermal.temperatureC,
          () => chainPhysics.chips[this.chipIndexOf(chipAddress)]?.temperatureC ?? chainPhysics.thermal.temperatureC,
        );
        const bus = new SimI2cBus(`chain${index}-chip${chipAddress}`);
        bus.attach(s.i2cAddress, device);
        this.sensors.push({ chipAddress, i2cAddress: s.i2cAddress, device, bus });
      }
    }
    this.supply = { powered: () => this.isPowered() };
    this.built = o.chainFactory({
      family: hb.chipFamily,
      chipCount: hb.chipsPerChain,
      physics: chainPhysics.chips,
      supply: this.supply,
      clock: o.clock,
      seed: (o.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0,
      pow: o.pow,
      index,
      baud: hb.baud,
      paced: o.paced,
      sensors: this.sensors.map((x) => ({ chipAddress: x.chipAddress, i2cAddress: x.i2cAddress, bus: x.bus })),
    });
    this.syncSupply();
  }

  get plugged(): boolean {
    return this.pluggedNow;
  }

  get regulatorFault(): boolean {
    return this.regulatorFaultNow;
  }

  /** The chain's chips can run: plugged, regulator on and healthy, voltage above brown-out, not held in reset. */
  isPowered(): boolean {
    return this.pluggedNow && !this.regulatorFaultNow && this.resetLine.level === 1 && this.o.physics.powered(this.index);
  }

  /** PLL frequency of chip `i` now (0 when the chain does not report it). */
  chipFreqMHz(i: number): number {
    return this.built.chain.chips[i]?.freqMHz ?? 0;
  }

  /** Every chip's PLL frequency now, reading the chain's chip list once (it may build it per read). */
  chipFreqsMHz(): number[] {
    const chips = this.built.chain.chips;
    const n = this.o.board.hashBoard.chipsPerChain;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = chips[i]?.freqMHz ?? 0;
    return out;
  }

  /** Pulls the board out (or puts it back): plug line, I2C devices, power. */
  setPlugged(on: boolean): void {
    if (on === this.pluggedNow) return;
    const hb = this.o.board.hashBoard;
    const bus = this.o.controllerBus;
    this.pluggedNow = on;
    this.presentLine.drive(on ? 1 : 0);
    if (!on) {
      bus.detach(hb.regulator.addresses[this.index]!);
      if (hb.eeprom) bus.detach(hb.eeprom.addresses[this.index]!);
    } else {
      this.pic = this.newPic(); // the PIC lost power: it boots with the DC-DC off
      bus.attach(hb.regulator.addresses[this.index]!, this.pic);
      if (hb.eeprom && this.eeprom) bus.attach(hb.eeprom.addresses[this.index]!, this.eeprom);
    }
    for (const s of this.sensors) s.device.present = on;
    this.syncSupply();
  }

  /** DC-DC fault: the output drops although the PIC is told to enable it. */
  setRegulatorFault(on: boolean): void {
    this.regulatorFaultNow = on;
    this.syncSupply();
  }

  /** Called every physics tick: PIC watchdog, then supply state into the physics. */
  tick(): void {
    if (this.pluggedNow) this.pic.checkWatchdog();
    this.syncSupply();
  }

  stop(): void {
    this.built.chain.stop();
  }

  /** Chip position for a chip address: from the chain's assignment, else the even spacing. */
  chipIndexOf(address: number): number {
    const chips = this.built?.chain.chips ?? [];
    for (let i = 0; i < chips.length; i++) if (chips[i]!.address === address) return i;
    const n = this.o.board.hashBoard.chipsPerChain;
    const interval = Math.max(1, Math.floor(256 / n));
    return Math.min(n - 1, Math.floor(address / interval));
  }

  private syncSupply(): void {
    const c = this.o.physics.chainAt(this.index);
    const reg = this.o.board.hashBoard.regulator;
    c.enabled = this.pluggedNow && !this.regulatorFaultNow && this.pic.enabled;
    c.setpointV = reg.codeOffsetV + reg.codeSlopeV * this.pic.code;
    this.o.physics.refresh(this.index);
  }

  private onResetReleased(): void {
    this.resets++;
    for (const chip of this.o.physics.chainAt(this.index).chips) chip.clearHang();
    this.built?.chain.reset();
  }

  private newPic(): RegulatorDevice {
    const reg = this.o.board.hashBoard.regulator;
    const Pic = reg.kind === 'pic-framed' ? PicFramed : PicOldApi;
    return new Pic({
      clock: this.o.clock,
      heartbeatTimeoutMs: reg.heartbeatTimeoutMs,
      softwareVersion: reg.softwareVersion,
      initialCode: reg.stockCode,
      boardId: Buffer.from(`SIM${this.o.board.id}${this.index}`.padEnd(12, '0').slice(0, 12), 'ascii'),
      onOutput: () => this.syncSupply(),
    });
  }
}
