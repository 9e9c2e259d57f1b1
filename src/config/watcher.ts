import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../hal/types';
import { TypedEmitter } from '../core/events';
import { ConfigError, KabosuError } from '../core/errors';
import type { KabosuConfig } from './schema';
import { ConfigInvalidError, type ConfigIssue } from './issues';
import { diffSections } from './diff';
import type { ConfigWarning } from './validate';

export interface ConfigChanged {
  config: KabosuConfig;
  previous: KabosuConfig;
  sections: string[];
  reloadable: string[];
  needsRestart: string[];
  warnings: ConfigWarning[];
}

export interface ConfigRejected {
  errors: ConfigIssue[];
  /** The error as one stack-free report (what the log line carries). */
  report: string;
}

export interface ConfigWatcherEvents {
  changed: ConfigChanged;
  rejected: ConfigRejected;
}

export interface ConfigWatcherOptions {
  configPath: string;
  /** The config now running. */
  initial: KabosuConfig;
  clock: Clock;
  log: Logger;
  /**
   * Turns file text into a validated config with secrets decrypted (the daemon passes a
   * closure over checkConfigText + decryptConfigSecrets with its env and data dir).
   */
  load: (text: string) => { config: KabosuConfig; warnings: ConfigWarning[] };
  /** Quiet time after the last file event before re-reading (editors write temp + rename). */
  debounceMs?: number;
  /** Seam for tests; defaults to fs.watch. */
  watchDir?: (dir: string, onEvent: (filename: string | null) => void) => { close(): void };
  readText?: (path: string) => string;
}

/**
 * Watches the config file's directory (so temp-file + rename saves are seen), debounces, then
 * re-reads, validates and diffs by section. A valid change emits `changed`; an invalid one emits
 * `rejected` and the running config stays. Identical content emits nothing.
 */
export class ConfigWatcher extends TypedEmitter<ConfigWatcherEvents> {
  private current: KabosuConfig;
  private lastText: string | undefined;
  private timer: TimerHandle | undefined;
  private handle: { close(): void } | undefined;
  private readonly debounceMs: number;

  constructor(private readonly o: ConfigWatcherOptions) {
    super();
    this.current = o.initial;
    this.debounceMs = o.debounceMs ?? 250;
  }

  get config(): KabosuConfig {
    return this.current;
  }

  start(): void {
    if (this.handle) return;
    const file = basename(this.o.configPath);
    const watchDir = this.o.watchDir ?? defaultWatchDir;
    try {
      this.lastText = (this.o.readText ?? defaultRead)(this.o.configPath);
    } catch {
      this.lastText = undefined;
    }
    this.handle = watchDir(dirname(this.o.configPath), (name) => {
      if (name === null || name === file) this.poke();
    });
  }

  stop(): void {
    this.handle?.close();
    this.handle = undefined;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A file event (or a manual request, e.g. SIGHUP): re-check after the debounce. */
  poke(): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, this.debounceMs);
  }

  /** Re-reads now; returns what happened. */
  check(): 'changed' | 'rejected' | 'unchanged' {
    let text: string;
    try {
      text = (this.o.readText ?? defaultRead)(this.o.configPath);
    } catch (err) {
      // Mid-rename the file may be briefly absent; a later event brings us back.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'unchanged';
      return this.reject(new ConfigError('KBS_E_CONFIG_READ', `config file ${this.o.configPath} cannot be read: ${(err as Error).message}`));
    }
    if (text === this.lastText) return 'unchanged';
    this.lastText = text;
    let next: { config: KabosuConfig; warnings: ConfigWarning[] };
    try {
      next = this.o.load(text);
    } catch (err) {
      return this.reject(err);
    }
    const diff = diffSections(this.current, next.config);
    if (diff.sections.length === 0) return 'unchanged';
    const previous = this.current;
    this.current = next.config;
    this.o.log.info({ sections: diff.sections, reloadable: diff.reloadable, needsRestart: diff.needsRestart }, diff.needsRestart.length ? `config changed; restart needed for: ${diff.needsRestart.join(', ')}` : 'config changed; applying it');
    for (const w of next.warnings) this.o.log.warn({ code: w.code, pointer: w.pointer, hint: w.hint }, w.message);
    this.emit('changed', { config: next.config, previous, ...diff, warnings: next.warnings });
    return 'changed';
  }

  private reject(err: unknown): 'rejected' {
    const errors: ConfigIssue[] =
      err instanceof ConfigInvalidError
        ? err.issues
        : [{ pointer: '', source: this.o.configPath, message: err instanceof Error ? err.message : String(err), hint: err instanceof KabosuError ? err.hint : undefined }];
    const report = err instanceof Error ? err.message : String(err);
    this.o.log.error({ code: err instanceof KabosuError ? err.code : 'KBS_E_CONFIG_INVALID', problems: errors.length }, `config change rejected; the running config stays\n${report}`);
    this.emit('rejected', { errors, report });
    return 'rejected';
  }
}

function defaultRead(p: string): string {
  return readFileSync(p, 'utf8');
}

function defaultWatchDir(dir: string, onEvent: (filename: string | null) => void): { close(): void } {
  const w: FSWatcher = watch(dir, { persistent: false }, (_event, filename) => onEvent(filename === null ? null : String(filename)));
  w.on('error', () => onEvent(null));
  return w;
}
