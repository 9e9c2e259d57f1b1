import { randomBytes } from 'node:crypto';
import { ticketWeight, type MinerWork, type WorkSource } from '../../src/hashboard/minerCore';
import { SCRYPT_DIFF1_TARGET, difficultyToTarget } from '../../src/pow';

/** Work for MinerCore without a pool: a random header per item, share difficulty 65536 unless told. */
export class SyntheticWork implements WorkSource<MinerWork> {
  private id = 1;
  /** The pool difficulty this source reports (a hostile pool can say 1). */
  constructor(private readonly poolDifficulty = 65536) {}
  next(chain: number, ticket: number): MinerWork {
    const header = randomBytes(80);
    header.fill(0, 76);
    return {
      id: this.id++,
      chain,
      header,
      ticketTarget: difficultyToTarget(ticket, SCRYPT_DIFF1_TARGET),
      ticketWeightHashes: ticketWeight(ticket),
      headerWithNonce(n: number) {
        const h = Buffer.from(header);
        h.writeUInt32BE(n >>> 0, 76);
        return h;
      },
    };
  }
  shareDifficulty(): number {
    return this.poolDifficulty;
  }
}
