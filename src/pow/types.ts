/**
 * Proof-of-work algorithm contract (DESIGN "Contracts that stay stable": `pow`).
 * Hashes are 32-byte buffers in the algorithm's natural (little-endian number) byte order;
 * a hash meets a target when, read as a little-endian 256-bit integer, it is <= target.
 */
export type PowName = 'scrypt' | 'sha256d' | 'scrypt-sim';

export interface VerifyResult {
  /** 32-byte hash, little-endian number order (reverse it for display). */
  hash: Buffer;
  /** hash <= target */
  valid: boolean;
}

export interface PowAlgorithm {
  readonly name: PowName;
  /** True for scrypt-sim: never to be used with real chips or real pools. */
  readonly simulated: boolean;
  /** The difficulty-1 target of the coin family (scrypt: 0x0000ffff << 208). */
  readonly diff1Target: bigint;
  /** Measured host milliseconds per verified nonce, when known (the ticket rule's CPU budget). */
  readonly hashCostMs?: number;
  /** Hash of one 80-byte header. Never blocks the event loop for more than 1 ms. */
  hash(header: Uint8Array): Promise<Buffer>;
  /** Batched verification: results[i] is for headers[i] against targets[i]. */
  verify(headers: readonly Uint8Array[], targets: readonly bigint[]): Promise<VerifyResult[]>;
  close?(): Promise<void>;
}
