/**
 * The simulator's public surface (conventions 2.1.7): what the composition root, the CLI and
 * test harnesses may use. Everything else in src/sim is internal.
 */
export { createSimMiner, SimMiner } from './miner';
export type { SimMinerOptions, SimMinerHal, SimControl } from './miner';
export type { SimState, ChainState, ChipState } from './state';
export type { ChainFactory, ChainBuildOptions, ChainEmulation, BuiltChain, UartNoise } from './chainSeam';
export { streamChainFactory } from './chainSeam';
export { FAULT_KINDS, parseFaultSpec, parseScenario } from './faults/faultSpec';
export type { FaultKind, FaultSpec, FaultTarget, FaultParams, ScenarioStep } from './faults/faultSpec';
export type { ActiveFault } from './faults/faultInjector';
export type { OracleTarget, OracleOptions, OracleResult, OracleBoard } from './oracle';
export { SimControlServer } from './control/server';
export type { ListenOn } from './control/server';
export { callControl, parseControlAddress } from './control/client';
export { startStandalone } from './standalone';
export type { StandaloneOptions, StandaloneInfo, RunningSim } from './standalone';
export type { ChipPhysics, ChainSupply } from './types';
