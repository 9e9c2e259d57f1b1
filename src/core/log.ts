import pino, { type DestinationStream, type Level, type Logger, type LevelWithSilent } from 'pino';

/**
 * The one root logger (conventions 2.4): JSON to stdout (or a `pino.destination()` file/fd), no
 * `transport:` (it breaks the bundle). Components get `child(component)`; each child's level is
 * the longest prefix match of its component in `levels` (`"chips"` covers `"chips.bm1485"`),
 * else `level`. `setLevels` re-levels every child already made (config hot reload).
 */
export type LogLevel = LevelWithSilent;

export interface LogRootOptions {
  level: LogLevel;
  levels?: Record<string, LogLevel>;
  /** pino redact paths; secrets are replaced by "***". */
  redactPaths?: string[];
  /** Where lines go; default stdout. Use pino.destination(path) for a file. */
  destination?: DestinationStream;
  /** Human-readable lines (development): pino-pretty as an in-process stream, never a transport. */
  pretty?: boolean;
}

export interface LogRoot {
  /** The root logger (no component; children carry theirs). */
  readonly logger: Logger;
  child(component: string, bindings?: Record<string, unknown>): Logger;
  setLevels(level: LogLevel, levels?: Record<string, LogLevel>): void;
  /** The level a component would get now. */
  levelFor(component: string): LogLevel;
}

/** Longest matching prefix at a dot boundary; pure. */
export function resolveLevel(component: string, level: LogLevel, levels: Record<string, LogLevel> = {}): LogLevel {
  let best: string | undefined;
  for (const prefix of Object.keys(levels)) {
    const matches = component === prefix || component.startsWith(prefix + '.');
    if (matches && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? level : levels[best];
}

/** pino-pretty as a plain stream (no worker thread); undefined when it is not installed. */
function prettyStdout(): DestinationStream | undefined {
  try {
    // Lazy: production bundles need not carry pino-pretty (a dev dependency).
    const pretty = require('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: Boolean(process.stdout.isTTY), sync: true, destination: 1 });
  } catch {
    return undefined;
  }
}

export function createLogRoot(o: LogRootOptions): LogRoot {
  let level = o.level;
  let levels = { ...(o.levels ?? {}) };
  // The root sits at trace so children can be set below the default; it never logs itself.
  const root = pino(
    {
      level: 'trace',
      base: null,
      redact: o.redactPaths && o.redactPaths.length > 0 ? { paths: o.redactPaths, censor: '***' } : undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    o.destination ?? (o.pretty ? prettyStdout() : undefined) ?? pino.destination({ fd: 1, sync: false }),
  );
  // Weak references: a component that goes away (a pool connection) does not pin its logger.
  let children: Array<{ component: string; ref: WeakRef<Logger> }> = [];
  const rootView = root.child({}, { level: resolveLevel('kabosu', level, levels) as Level });
  // A component's own sub-loggers (logger.child({pool})) are tracked too, so setLevels reaches
  // them; one given an explicit level keeps it. A `component` binding renames the sub-logger.
  const pinoChild = root.child;
  const track = (logger: Logger, component: string): Logger => {
    // Drop collected loggers now and then so a component that makes many short-lived sub-loggers
    // (one per connection) does not grow this list without bound between reloads.
    if (children.length >= 256 && children.length % 256 === 0) children = children.filter((c) => c.ref.deref() !== undefined);
    children.push({ component, ref: new WeakRef(logger) });
    // pino makes a child with Object.create(parent), so a sub-logger inherits this override: call
    // pino's own method (from the untouched root) on `logger`, never `logger.child`.
    // pino appends a child's bindings to its parent's, so re-binding a key (a `component`
    // rename, `{chain}` twice) would print it twice: such a child is made from the root with the
    // merged bindings instead, one key per field, the newer value winning.
    const own = ((b: Record<string, unknown>, o?: object) => {
      const bound = logger.bindings();
      const rebinds = Object.keys(b ?? {}).some((key) => Object.hasOwn(bound, key));
      return rebinds ? pinoChild.call(root, { ...bound, ...b }, o) : pinoChild.call(logger, b, o);
    }) as Logger['child'];
    logger.child = ((b: Record<string, unknown>, opts?: { level?: string }) => {
      const sub = typeof b?.component === 'string' ? b.component : component;
      const c = own(b, opts?.level === undefined ? { ...(opts ?? {}), level: resolveLevel(sub, level, levels) } : opts);
      return opts?.level === undefined ? track(c, sub) : c;
    }) as unknown as Logger['child'];
    return logger;
  };
  return {
    logger: rootView,
    child(component, bindings = {}) {
      return track(root.child({ ...bindings, component }, { level: resolveLevel(component, level, levels) }), component);
    },
    setLevels(nextLevel, nextLevels = {}) {
      level = nextLevel;
      levels = { ...nextLevels };
      rootView.level = resolveLevel('kabosu', level, levels);
      children = children.filter((c) => c.ref.deref() !== undefined);
      for (const c of children) {
        const logger = c.ref.deref();
        if (logger) logger.level = resolveLevel(c.component, level, levels);
      }
    },
    levelFor(component) {
      return resolveLevel(component, level, levels);
    },
  };
}
