export { startTestPool, type TestPool, type TestPoolOptions, type Fault, type PoolStats, type RejectReason } from './server';
export { SyntheticChain, coinbaseBranch, type PoolJob } from './chain';
