/**
 * The unit the composition root starts and stops (conventions 2.1.4). Dependencies are injected
 * by the builder; a component never reaches into another.
 */
export interface ReloadResult {
  /** True when the new settings are now in effect. */
  applied: boolean;
  /** Why the change needs a restart instead (shown to the operator). */
  needsRestart?: string;
}

export interface Component<Cfg = unknown> {
  readonly name: string;
  /** A critical component's start failure aborts the daemon's start, with boards left off. */
  readonly critical: boolean;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  /**
   * The top-level config sections this component applies in `reload` (their owner). A changed
   * section goes only to its owners; one with no running owner is reported "not applied until
   * restart" (test/unit/app/reloadOwners.test.ts holds every x-reloadable section to an owner).
   */
  readonly reloads?: readonly string[];
  /** Present when the component can take new settings without a restart. */
  reload?(config: Cfg): ReloadResult | Promise<ReloadResult>;
}

export type ComponentState = 'idle' | 'starting' | 'running' | 'degraded' | 'stopping' | 'stopped' | 'failed';
