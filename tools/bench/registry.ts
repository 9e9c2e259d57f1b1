/**
 * Every benchmark, by name: `npm run bench` (tools/bench/run.ts) and `kabosu bench <name>` use
 * this one table. Each returns a human table and a JSON-able result with ratios against a
 * baseline measured in the same run.
 */
export type BenchFn = (o: { smoke: boolean }) => Promise<{ table: string; result: unknown }>;

export const BENCHES: Record<string, () => BenchFn> = {
  scrypt: () => require('./scrypt').benchScrypt,
  stratum: () => require('./stratum').benchStratum,
  'stratum-v2': () => require('./stratumV2').benchStratumV2,
  pipeline: () => require('./pipelineTargets').benchPipelineTargets,
  'pipeline-inprocess': () => require('./pipeline').benchPipeline,
  tune: () => (require('./tune') as typeof import('./tune')).benchTune,
  health: () => require('./health').benchHealth,
  api: () => require('./api').benchApi,
  telemetry: () => require('./telemetry').benchTelemetry,
  thermal: () => require('./thermal').benchThermal,
  'pipeline-remote': () => require('./pipelineRemote').benchPipelineRemote,
  cgminer: () => require('./cgminer').benchCgminer,
  console: () => require('./console').benchConsole,
  'chip-iic': () => require('./chipIic').benchChipIic,
  ota: () => require('./ota').benchOta,
  'web-ui': () => require('./webUi').benchWebUi,
  economics: () => (require('./economics') as typeof import('./economics')).benchEconomics,
  sim: () => async (o) => {
    const r = await (require('./sim') as typeof import('./sim')).benchSim({ smoke: o.smoke });
    const table =
      `simulated L3+ (288 chips), ${(r.simulatedMs / 1000).toFixed(0)} s simulated: ${r.noncesPerSecond.toFixed(1)} nonces/s\n` +
      `  simulator CPU ${(r.cpuFractionOfCore * 100).toFixed(2)}% of one core (budget ${(r.budget * 100).toFixed(0)}%), ` +
      `idle rig ${(r.baselineCpuFractionOfCore * 100).toFixed(2)}%, ratio ${r.ratioToBaseline.toFixed(2)}\n`;
    return { table, result: r };
  },
};
