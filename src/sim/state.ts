/**
 * The simulator's true state, as the control API reports it (camelCase here; the HTTP layer
 * converts to snake_case). Built on demand from the miner; nothing here is visible to firmware.
 */
import type { ActiveFault } from './faults/faultInjector';
import type { SimMiner } from './miner';
import { hwErrorProbabilityAt } from './physics/chipModel';

export interface ChipState {
  index: number;
  address: number | null;
  freqMHz: number;
  voltageV: number;
  dieC: number;
  stableLimitMHz: number;
  hwErrorProbability: number;
  responsive: boolean;
  hung: boolean;
  dead: boolean;
  silent: boolean;
}

export interface ChainState {
  chain: number;
  plugged: boolean;
  powered: boolean;
  regulator: { enabled: boolean; code: number; setpointV: number; fault: boolean; heartbeatTrips: number; answering: boolean };
  boardV: number;
  hashrateHps: number;
  powerW: number;
  boardC: number;
  maxDieC: number;
  resets: number;
  sensors: Array<{ chipAddress: number; localC: number; remoteC: number; stuck: boolean; present: boolean; implausible: boolean }>;
  stats: { noncesSent: number; hwErrorsSent: number; framesIgnored: number; hashes: number };
  chips: ChipState[];
}

export interface SimState {
  board: string;
  seed: number;
  timeMs: number;
  running: boolean;
  ambientC: number;
  supplyScale: number;
  wallPowerW: number;
  hashrateHps: number;
  fans: Array<{ fan: number; duty: number; rpm: number; tachRpm: number; seized: boolean; tachLost: boolean }>;
  chains: ChainState[];
  faults: ActiveFault[];
}

export function minerState(m: SimMiner, nowMs: number): SimState {
  const p = m.physics;
  const chains: ChainState[] = m.boards.map((b) => {
    const c = p.chainAt(b.index);
    const powered = b.isPowered();
    const freqs = b.chipFreqsMHz();
    const freqOf = (_: number, i: number): number => freqs[i]!;
    const r = p.reading(b.index, freqOf);
    const chainChips = b.built.chain.chips;
    return {
      chain: b.index,
      plugged: b.plugged,
      powered,
      regulator: {
        enabled: b.pic.enabled,
        code: b.pic.code,
        setpointV: c.setpointV,
        fault: b.regulatorFault,
        heartbeatTrips: b.pic.heartbeatTrips,
        answering: b.pic.present && b.plugged,
      },
      boardV: powered ? r.boardV : 0,
      hashrateHps: powered ? r.hashrateHps : 0,
      powerW: c.heatW,
      boardC: c.thermal.temperatureC,
      maxDieC: r.maxDieC,
      resets: b.resets,
      sensors: b.sensors.map((s) => {
        const t = s.device.readingC();
        return { chipAddress: s.chipAddress, localC: t.local, remoteC: t.remote, stuck: s.device.stuck, present: s.device.present, implausible: s.device.implausibleC !== null };
      }),
      stats: b.built.chain.stats(),
      chips: c.chips.map((chip, i) => {
        // At the regulator's set voltage, so limits read sensibly while the chain is off too.
        const limit = chip.maxStableMHz((c.setpointV * p.supplyScale) / m.board.hashBoard.voltage.domains, chip.temperatureC);
        const f = freqs[i]!;
        const forced = chip.faults.hwErrorProbability;
        const hw = hwErrorProbabilityAt(chip.k, f, limit);
        return {
          index: i,
          address: chainChips[i]?.address ?? null,
          freqMHz: f,
          voltageV: chip.chipV,
          dieC: chip.temperatureC,
          stableLimitMHz: limit,
          hwErrorProbability: forced === null ? hw : Math.max(hw, forced),
          responsive: powered && (chainChips[i]?.responsive ?? false),
          hung: chip.isHung,
          dead: chip.faults.dead,
          silent: chip.faults.silent,
        };
      }),
    };
  });
  return {
    board: m.board.id,
    seed: m.seed,
    timeMs: nowMs - m.startedAtMs,
    running: m.running,
    ambientC: p.ambientC,
    supplyScale: p.supplyScale,
    wallPowerW: p.wallPowerW(),
    hashrateHps: chains.reduce((s, c) => s + c.hashrateHps, 0),
    fans: p.fans.map((f, i) => ({ fan: i, duty: f.duty, rpm: f.rpm, tachRpm: f.tachRpm(), seized: f.seized, tachLost: f.tachLost })),
    chains,
    faults: m.faults.list(),
  };
}
