export { startTestPool, type TestPool, type TestPoolOptions, type Fault, type PoolStats, type RejectReason } from './server';
export { SyntheticChain, coinbaseBranch, type PoolJob } from './chain';
export { startV2TestPool, DEV_AUTHORITY_SECRET_HEX, DEV_AUTHORITY_KEY, type V2TestPool, type V2TestPoolOptions, type V2Fault, type V2PoolStats } from './v2server';
