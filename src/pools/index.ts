export { PoolManager, type ManagedPool, type PoolHealth, type PoolManagerEvents, type PoolManagerOptions } from './manager';
