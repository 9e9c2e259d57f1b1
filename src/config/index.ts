/** Public surface of src/config (what other areas may import). */
export { CONFIG_SCHEMA, SECTIONS, RELOADABLE_SECTIONS, RESTART_SECTIONS, isReloadable } from './schema';
export type { KabosuConfig, PoolConfig, ThermalConfig, LoggingConfig, SectionName } from './schema';
export { loadConfig, reloadLoader, checkConfigText, readConfigFile, ensureDataDir, resolveConfigPaths, DEFAULT_CONFIG_PATH, DEFAULT_DATA_DIR } from './load';
export type { LoadOptions, LoadedConfig } from './load';
export { validateConfigText, validateConfigData } from './validate';
export type { ConfigWarning, ValidatedConfig } from './validate';
export { ConfigInvalidError, formatIssue } from './issues';
export type { ConfigIssue } from './issues';
export { ConfigWatcher } from './watcher';
export type { ConfigChanged, ConfigRejected, ConfigWatcherEvents, ConfigWatcherOptions } from './watcher';
export { diffSections } from './diff';
export type { SectionDiff } from './diff';
export { sealIncomingSecrets, redactConfig, secretRedactPaths, decryptConfigSecrets, encryptSecret, decryptSecret, loadDeviceKey, deviceKeyPath, REDACTED } from './secrets';
export type { DeviceKey } from './secrets';
export { envOverrides, applyOverrides } from './envOverrides';
