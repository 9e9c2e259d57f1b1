/**
 * The board's view of the chain emulation (C1's `src/sim/chain/simChain.ts`, the agreed seam in
 * src/sim/README.md) and the factory that builds one chain with its firmware-side UART.
 *
 * The default factory loads C1's modules lazily with `require` (no dynamic import under our
 * loader), so the board composes real chains when they are present and fails with a clear
 * KBS_E_SIM_CHAIN_MISSING otherwise. Callers may inject another factory (e.g. a PTY transport).
 */
import type { Clock, I2cBus, Uart } from '../hal/types';
import type { ChipFamilyId } from '../config/boardSchema';
import { KabosuError } from '../core/errors';
import type { ChainSupply, ChipPhysics } from './types';
import type { ByteLink, SimChain as SimChainClass, SimChainOptions } from './chain/simChain';
import type { PtyMaster as PtyMasterClass } from '../native/pty';
import type { createUartPair as createUartPairFn } from '../hal/sim/uartPair';

export interface UartNoise {
  bitFlipProb: number;
  dropProb: number;
}

export interface ChainStats {
  noncesSent: number;
  hwErrorsSent: number;
  framesIgnored: number;
  hashes: number;
}

/** What the board needs from a chain emulation (a structural subset of C1's SimChain). */
export interface ChainEmulation {
  readonly chips: ReadonlyArray<{ readonly address: number | null; readonly freqMHz: number; readonly responsive: boolean }>;
  reset(): void;
  setUartNoise(n: UartNoise | null): void;
  stats(): ChainStats;
  stop(): void;
}

/** Options for one chain, as C1's SimChainOptions, plus the board's extras C1 may use. */
export interface ChainBuildOptions {
  family: ChipFamilyId;
  chipCount: number;
  physics: ChipPhysics[];
  supply: ChainSupply;
  clock: Clock;
  seed: number;
  pow: 'scrypt' | 'scrypt-sim';
  /** Chain index on the board (0-based). */
  index: number;
  /** The chain's initial line speed (board definition). */
  baud: number;
  /** Deliver UART bytes after their wire time at the line's baud (realistic timing). */
  paced: boolean;
  /**
   * Temperature sensors behind chips of this chain: the I2C master bus of the chip at
   * `chipAddress` (the sensor answers there at its I2C address, e.g. 0x4C). The chain emulation
   * may serve GENERAL_IIC (0x1C) / EXT_TEMP_SENSOR (0x44) reads from it (chips.md §10.3, §14.16).
   */
  sensors: ReadonlyArray<{ chipAddress: number; i2cAddress: number; bus: I2cBus }>;
}

export interface BuiltChain {
  chain: ChainEmulation;
  /** The firmware's end of the line: an in-process Uart, or the path of a PTY. */
  uart?: Uart;
  ptyPath?: string;
  /** Releases transport resources (PTY fds...). */
  close?(): Promise<void>;
}

export type ChainFactory = (opts: ChainBuildOptions) => BuiltChain;

interface SimChainModule {
  SimChain: typeof SimChainClass;
}
interface PtyModule {
  PtyMaster: typeof PtyMasterClass;
}
interface UartPairModule {
  createUartPair: typeof createUartPairFn;
}

/** Builds C1's SimChain with an in-process UART pair (transport 'stream'). */
export const streamChainFactory: ChainFactory = (opts) => {
  // Literal paths, loaded on first use, so the esbuild bundle carries both modules.
  const { SimChain } = loadModule<SimChainModule>('./chain/simChain', () => require('./chain/simChain'));
  const { createUartPair } = loadModule<UartPairModule>('../hal/sim/uartPair', () => require('../hal/sim/uartPair'));
  const chain = new SimChain(simChainOptions(opts));
  const link = createUartPair({ baud: opts.baud, clock: opts.clock, paced: opts.paced });
  chain.connect(link.device);
  return { chain, uart: link.host, close: () => link.host.close() };
};

/**
 * Builds C1's SimChain served on a real PTY (transport 'pty'): the firmware opens `ptyPath` with
 * LinuxUart exactly as a chain UART on hardware; the line speed the chain sees is the termios
 * speed the firmware set on the slave. Needs the native addon (openpty).
 */
export const ptyChainFactory: ChainFactory = (opts) => {
  const { SimChain } = loadModule<SimChainModule>('./chain/simChain', () => require('./chain/simChain'));
  const { PtyMaster } = loadModule<PtyModule>('../native/pty', () => require('../native/pty'));
  const master = new PtyMaster();
  const chain = new SimChain(simChainOptions(opts));
  const link: ByteLink = {
    send: (buf) => master.write(buf),
    onReceive: (fn) => master.onData(fn),
    get baud() {
      const b = master.baud;
      return b > 0 ? b : opts.baud;
    },
  };
  chain.connect(link);
  return {
    chain,
    ptyPath: master.slavePath,
    close: async () => master.close(),
  };
};

/** SimChain's options from the board's, with the sensor buses for its chips' I2C masters. */
function simChainOptions(opts: ChainBuildOptions): SimChainOptions {
  return {
    family: opts.family,
    chipCount: opts.chipCount,
    physics: opts.physics,
    supply: opts.supply,
    clock: opts.clock,
    seed: opts.seed,
    pow: opts.pow,
    sensors: opts.sensors,
  };
}

function loadModule<T>(name: string, load: () => unknown): T {
  try {
    return load() as T;
  } catch (e) {
    throw new KabosuError('KBS_E_SIM_CHAIN_MISSING', `the chain emulation module ${name} is not available`, {
      hint: 'src/sim/chain (the chip protocol emulation) is built separately; see src/sim/README.md',
      cause: e,
    });
  }
}
