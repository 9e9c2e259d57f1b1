import type { ChipFamily, ChipReply, HostFrame, ParseStep } from './types';

export interface StreamCounts {
  /** Frames accepted. */
  frames: number;
  /** Candidate frames rejected for a bad CRC. */
  badCrc: number;
  /** Candidate frames rejected for a bad header or length byte. */
  badHeader: number;
  /** Bytes dropped while resynchronising (each rejected start drops one byte). */
  bytesDiscarded: number;
  /** Incomplete frames abandoned by `flush()` (a short frame). */
  shortFrames: number;
  /** Runs of consecutive rejections: about one per damaged frame (what a chip "ignores"). */
  rejectRuns: number;
}

/**
 * A streaming frame parser: feed it bytes in any chunking; it emits whole frames, and on a bad
 * header, length or CRC drops one byte and tries again (resync on the next valid frame). Every
 * rejection is counted, never silent. `flush()` abandons a pending partial frame (the caller's
 * idle timeout: a real host or chip gives up on a frame left incomplete).
 */
class FrameStream<T> {
  private buf: Buffer = Buffer.alloc(0);
  readonly counts: StreamCounts = { frames: 0, badCrc: 0, badHeader: 0, bytesDiscarded: 0, shortFrames: 0, rejectRuns: 0 };
  private rejecting = false;

  constructor(private readonly parse: (b: Buffer) => ParseStep<T>, private readonly maxFrame: number) {}

  push(chunk: Uint8Array): T[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: T[] = [];
    let off = 0;
    while (off < this.buf.length) {
      const view = this.buf.subarray(off);
      const step = this.parse(view);
      if (step === null) {
        if (view.length >= this.maxFrame) {
          // cannot happen for a well-formed parser; guard against an unbounded buffer
          this.counts.badHeader++;
          this.counts.bytesDiscarded++;
          off++;
          continue;
        }
        break;
      }
      if (step.ok) {
        out.push(step.frame);
        this.counts.frames++;
        this.rejecting = false;
        off += step.length;
      } else {
        if (!this.rejecting) this.counts.rejectRuns++;
        this.rejecting = true;
        if (step.reason === 'crc') this.counts.badCrc++;
        else this.counts.badHeader++;
        this.counts.bytesDiscarded++;
        off++;
      }
    }
    this.buf = Buffer.from(this.buf.subarray(off));
    return out;
  }

  /** Bytes waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  flush(): void {
    if (this.buf.length > 0) {
      this.counts.shortFrames++;
      this.rejecting = false;
      this.counts.bytesDiscarded += this.buf.length;
      this.buf = Buffer.alloc(0);
    }
  }
}

/** Host side: chip replies. */
export class ReplyStream extends FrameStream<ChipReply> {
  constructor(fam: ChipFamily) {
    super((b) => fam.parseReply(b), fam.replyLength);
  }
}

/** Chip side (the simulator): host frames. */
export class HostStream extends FrameStream<HostFrame> {
  constructor(fam: ChipFamily) {
    super((b) => fam.parseHost(b), Math.max(fam.workLength, 88));
  }
}
