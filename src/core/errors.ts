/**
 * One error base for the whole daemon (conventions 2.3): a stable `code` (KBS_E_<AREA>_<WHAT>),
 * a `hint` saying what to do, and structured context. Replies (HTTP, MQTT, CLI) show code,
 * message and hint, never a stack.
 */
export interface ErrorContext {
  [key: string]: unknown;
}

export class KabosuError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly context: ErrorContext;
  /** Set when an operation was aborted because its port/socket closed (not a failure of its own). */
  readonly canceled: boolean;

  constructor(code: string, message: string, opts: { hint?: string; context?: ErrorContext; cause?: unknown; canceled?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.context = opts.context ?? {};
    this.canceled = opts.canceled ?? false;
  }

  /** The shape shown to people and API clients. */
  toJSON(): { code: string; error: string; hint?: string } {
    return { code: this.code, error: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Bad command-line usage; the CLI exits 2. */
export class UsageError extends KabosuError {
  constructor(message: string, hint?: string) {
    super('KBS_E_CLI_USAGE', message, { hint });
  }
}

export class ConfigError extends KabosuError {}
export class ProtocolError extends KabosuError {}
export class ChipTimeoutError extends KabosuError {}
export class NativeError extends KabosuError {}
export class StoreError extends KabosuError {}

export function isKabosuError(e: unknown): e is KabosuError {
  return e instanceof KabosuError;
}

/** A one-paragraph, stack-free rendering for terminals and logs. */
export function formatError(e: unknown): string {
  if (e instanceof KabosuError) {
    return `error ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
  }
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}
