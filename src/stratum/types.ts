/** The PoolSession contract (DESIGN "stratum"): one pool connection, protocol-independent. */
import type { TypedEmitter } from '../core/events';
import type { Job } from '../work/job';
import type { Share } from '../work/workItem';

export type SessionState = 'idle' | 'connecting' | 'subscribing' | 'authorizing' | 'ready' | 'backoff' | 'closed';

export type SubmitResult =
  | { accepted: true; latencyMs: number }
  | { accepted: false; reason: string; code: number | null; latencyMs: number };

export interface PoolSessionEvents {
  job: Job;
  difficulty: number;
  extranonce: { extranonce1: Buffer; extranonce2Size: number };
  state: { state: SessionState; reason?: string };
  message: string;
}

export interface PoolSession {
  readonly url: string;
  readonly events: TypedEmitter<PoolSessionEvents>;
  readonly state: SessionState;
  start(): void;
  submit(share: Share): Promise<SubmitResult>;
  close(): Promise<void>;
}
