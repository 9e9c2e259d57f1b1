/**
 * The one place that imports jsonc-parser. Its package `main` is a UMD build whose internal
 * `require('./impl/format')` calls esbuild cannot follow (the bundle then fails at run time with
 * "Cannot find module './impl/format'"), so we take the ES module build, which bundles cleanly
 * and which tsx loads from source.
 */
export { applyEdits, findNodeAtLocation, modify, parse, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main';
export type { Node, ParseError } from 'jsonc-parser/lib/esm/main';
