/** Newline framing with a hard line cap (stratum.md §1.1). Pure. */
export const MAX_LINE = 64 * 1024;

export type FrameEvent = { kind: 'line'; line: string } | { kind: 'overflow'; bytes: number };

export class LineFramer {
  private buf = '';
  private discarding = false;
  constructor(private readonly max = MAX_LINE) {}
  /** Feed a chunk; returns complete lines (without \r\n) and overflow reports. */
  push(chunk: string): FrameEvent[] {
    const out: FrameEvent[] = [];
    let s = this.buf + chunk;
    this.buf = '';
    for (;;) {
      const i = s.indexOf('\n');
      if (i < 0) break;
      const line = s.slice(0, i);
      s = s.slice(i + 1);
      if (this.discarding) { this.discarding = false; continue; }
      if (line.length > this.max) { out.push({ kind: 'overflow', bytes: line.length }); continue; }
      const t = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (t.trim().length > 0) out.push({ kind: 'line', line: t });
    }
    if (s.length > this.max) {
      if (!this.discarding) out.push({ kind: 'overflow', bytes: s.length });
      this.discarding = true;
      s = '';
    }
    if (!this.discarding) this.buf = s;
    return out;
  }
}
