import type { Logger } from 'pino';
import type { Clock, I2cBus } from '../hal/types';
import type { BoardDefinition } from '../config/boardSchema';
import { KabosuError } from '../core/errors';
import { PicOldRegulator } from './picOld';
import { PicFramedRegulator } from './picFramed';

export type PicRegulator = PicOldRegulator | PicFramedRegulator;

/** The regulator driver a board definition names (`hashBoard.regulator.kind`), for chain `c`. */
export function regulatorFor(board: BoardDefinition, i2c: readonly I2cBus[], c: number, o: { clock: Clock; log: Logger }): PicRegulator {
  const reg = board.hashBoard.regulator;
  const opts = { bus: i2c[reg.bus], address: reg.addresses[c], chain: c, clock: o.clock, log: o.log, codeOffsetV: reg.codeOffsetV, codeSlopeV: reg.codeSlopeV };
  switch (reg.kind) {
    case 'pic-old':
      return new PicOldRegulator(opts);
    case 'pic-framed':
      return new PicFramedRegulator(opts);
    default:
      throw new KabosuError('KBS_E_POWER_KIND', `board ${board.id}: regulator kind ${String(reg.kind)} has no driver`, { hint: 'known kinds: pic-old, pic-framed' });
  }
}
