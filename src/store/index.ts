export { writeFileAtomic, removeStaleTemps } from './atomicWrite';
export type { AtomicWriteOptions } from './atomicWrite';
export { readJson, writeJson, encodeEnvelope, decodeEnvelope, backupPathOf } from './jsonStore';
export type { StoreRead, StoreSource } from './jsonStore';
