import pkg from '../../package.json';

/** The package version, inlined at bundle time. */
export const VERSION: string = pkg.version;
