export { PoolManager, type ManagedPool, type ManagedSubmitResult, type PoolHealth, type PoolManagerEvents, type PoolManagerOptions } from './manager';
export { REJECT_CLASSES, REJECT_TEXT_MAX, classifyReject, emptyRejectCounts, rejectText, type RejectClass } from './rejectClass';
export { ShareStats, type LastReject, type ShareStatsSnapshot } from './shareStats';
export { PoolMeasurements, type PoolMeasurementsSnapshot, type LatencySummary } from './measurements';
export { ScoreSelector, scorePools, type PoolScore, type ScoreOptions, type ScoreDecision } from './score';
