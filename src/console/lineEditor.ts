/**
 * The console's line editor, pure: bytes from the line in, bytes to echo and events out. It
 * draws with nothing but the characters themselves, backspace (BS) and space, so it works on a
 * dumb terminal, a teletype-like serial emulator and xterm alike, and it never asks the window
 * size. Node's readline was not used: on TERM=dumb it has no backspace or history, otherwise it
 * draws with ANSI cursor escapes.
 *
 * Keys: printable ASCII inserts; BS/DEL backspace; Ctrl-U kill line; Ctrl-W kill word; Ctrl-A/E
 * and Home/End; Ctrl-B/F and Left/Right; Ctrl-P/N and Up/Down history; Tab completes; Ctrl-L
 * redraws; Ctrl-C interrupts; Ctrl-D on an empty line is end of input. Anything else (other
 * control bytes, bytes >= 0x80, unknown escape sequences, overlong lines) is line noise: dropped,
 * and counted on the line so the shell can refuse a line that had any (a command never runs from
 * what is left of garbage). Killing the whole line (Ctrl-U, Ctrl-C) clears the count.
 */
export type EditorEvent = { type: 'line'; line: string; noise: number } | { type: 'interrupt' } | { type: 'eof' };

export interface EditorOptions {
  /** Completion candidates for the text before the cursor (whole words that could end it). */
  complete?: (before: string) => string[];
  historySize?: number;
  maxLine?: number;
}

const BS = '\b';
const BELL = '\x07';

export class LineEditor {
  private line = '';
  private cursor = 0;
  private noise = 0;
  private prompt = '';
  private secret = false;
  private useHistory = true;
  private readonly history: string[] = [];
  private histIndex = 0;
  private draft = '';
  private esc: '' | 'esc' | 'csi' | 'ss3' = '';
  private escParams = '';
  private sawCR = false;
  private lastTab = false;
  private readonly maxLine: number;
  private readonly historySize: number;

  constructor(private readonly o: EditorOptions = {}) {
    this.maxLine = o.maxLine ?? 512;
    this.historySize = o.historySize ?? 100;
  }

  /** Starts a new line with this prompt; returns what to write (the prompt). */
  begin(prompt: string, opts: { secret?: boolean; history?: boolean } = {}): string {
    this.prompt = prompt;
    this.secret = !!opts.secret;
    this.useHistory = opts.history ?? !opts.secret;
    this.line = '';
    this.cursor = 0;
    this.noise = 0;
    this.histIndex = this.history.length;
    this.draft = '';
    this.lastTab = false;
    return prompt;
  }

  /** The history, oldest first (secret lines never enter it). */
  get entries(): readonly string[] {
    return this.history;
  }

  /** Feeds bytes; stops at the first event (the rest is returned in `rest` for the next line). */
  feed(chunk: Uint8Array): { out: string; event?: EditorEvent; rest: Uint8Array } {
    let out = '';
    for (let i = 0; i < chunk.length; i++) {
      const r = this.byte(chunk[i]);
      out += r.out;
      if (r.event) return { out, event: r.event, rest: chunk.subarray(i + 1) };
    }
    return { out, rest: new Uint8Array(0) };
  }

  private byte(b: number): { out: string; event?: EditorEvent } {
    if (this.esc) return { out: this.escape(b) };
    const wasCR = this.sawCR;
    this.sawCR = false;
    if (b !== 0x09) this.lastTab = false;
    if (b === 0x0d || b === 0x0a) {
      if (b === 0x0a && wasCR) return { out: '' }; // CR LF is one Enter
      this.sawCR = b === 0x0d;
      return this.enter();
    }
    switch (b) {
      case 0x1b:
        this.esc = 'esc';
        return { out: '' };
      case 0x03: {
        this.line = '';
        this.cursor = 0;
        this.noise = 0;
        return { out: '^C\r\n', event: { type: 'interrupt' } };
      }
      case 0x04:
        if (this.line.length === 0) return { out: '\r\n', event: { type: 'eof' } };
        return { out: this.deleteAt() };
      case 0x7f:
      case 0x08:
        return { out: this.backspace() };
      case 0x15:
        this.noise = 0;
        return { out: this.replace('') };
      case 0x17:
        return { out: this.killWord() };
      case 0x01:
        return { out: this.moveTo(0) };
      case 0x05:
        return { out: this.moveTo(this.line.length) };
      case 0x02:
        return { out: this.moveTo(this.cursor - 1) };
      case 0x06:
        return { out: this.moveTo(this.cursor + 1) };
      case 0x10:
        return { out: this.historyStep(-1) };
      case 0x0e:
        return { out: this.historyStep(1) };
      case 0x09:
        return { out: this.tab() };
      case 0x0c:
        return { out: this.secret ? '' : '\r\n' + this.prompt + this.line + BS.repeat(this.line.length - this.cursor) };
    }
    if (b >= 0x20 && b <= 0x7e) return { out: this.insert(String.fromCharCode(b)) };
    this.noise++;
    return { out: '' };
  }

  private escape(b: number): string {
    const ch = String.fromCharCode(b);
    if (this.esc === 'esc') {
      if (ch === '[') {
        this.esc = 'csi';
        this.escParams = '';
      } else if (ch === 'O') this.esc = 'ss3';
      else {
        this.esc = '';
        this.noise++;
      }
      return '';
    }
    if (this.esc === 'csi' && ((b >= 0x30 && b <= 0x3f) || b === 0x20) && this.escParams.length < 8) {
      this.escParams += ch;
      return '';
    }
    const params = this.escParams;
    this.esc = '';
    this.escParams = '';
    const key = params === '' || /^1(;\d)?$/.test(params) ? ch : `${params}${ch}`;
    switch (key) {
      case 'A':
        return this.historyStep(-1);
      case 'B':
        return this.historyStep(1);
      case 'C':
        return this.moveTo(this.cursor + 1);
      case 'D':
        return this.moveTo(this.cursor - 1);
      case 'H':
      case '1~':
      case '7~':
        return this.moveTo(0);
      case 'F':
      case '4~':
      case '8~':
        return this.moveTo(this.line.length);
      case '3~':
        return this.deleteAt();
    }
    this.noise++;
    return '';
  }

  private enter(): { out: string; event: EditorEvent } {
    const line = this.line;
    const noise = this.noise;
    if (this.useHistory && line.trim() !== '' && noise === 0 && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.historySize) this.history.shift();
    }
    this.line = '';
    this.cursor = 0;
    this.noise = 0;
    return { out: '\r\n', event: { type: 'line', line, noise } };
  }

  private echo(s: string): string {
    return this.secret ? '' : s;
  }

  private insert(s: string): string {
    if (this.line.length + s.length > this.maxLine) {
      this.noise++;
      return this.echo(BELL);
    }
    const rest = this.line.slice(this.cursor);
    this.line = this.line.slice(0, this.cursor) + s + rest;
    this.cursor += s.length;
    return this.echo(s + rest + BS.repeat(rest.length));
  }

  private backspace(): string {
    if (this.cursor === 0) return '';
    const rest = this.line.slice(this.cursor);
    this.line = this.line.slice(0, this.cursor - 1) + rest;
    this.cursor--;
    return this.echo(BS + rest + ' ' + BS.repeat(rest.length + 1));
  }

  private deleteAt(): string {
    if (this.cursor >= this.line.length) return '';
    const rest = this.line.slice(this.cursor + 1);
    this.line = this.line.slice(0, this.cursor) + rest;
    return this.echo(rest + ' ' + BS.repeat(rest.length + 1));
  }

  private moveTo(pos: number): string {
    const p = Math.max(0, Math.min(this.line.length, pos));
    const out = p < this.cursor ? BS.repeat(this.cursor - p) : this.line.slice(this.cursor, p);
    this.cursor = p;
    return this.echo(out);
  }

  /** Redraws the whole line as `next`, cursor at its end. */
  private replace(next: string): string {
    const old = this.line;
    const out = BS.repeat(this.cursor) + next + (old.length > next.length ? ' '.repeat(old.length - next.length) + BS.repeat(old.length - next.length) : '');
    this.line = next;
    this.cursor = next.length;
    return this.echo(out);
  }

  private killWord(): string {
    const before = this.line.slice(0, this.cursor);
    const start = before.replace(/\S+\s*$/, '').length;
    const rest = this.line.slice(this.cursor);
    const removed = this.cursor - start;
    this.line = before.slice(0, start) + rest;
    const out = BS.repeat(removed) + rest + ' '.repeat(removed) + BS.repeat(rest.length + removed);
    this.cursor = start;
    return this.echo(out);
  }

  private historyStep(dir: number): string {
    if (!this.useHistory || this.history.length === 0) return '';
    if (this.histIndex === this.history.length) this.draft = this.line;
    const next = Math.max(0, Math.min(this.history.length, this.histIndex + dir));
    if (next === this.histIndex) return '';
    this.histIndex = next;
    return this.replace(next === this.history.length ? this.draft : this.history[next]);
  }

  private tab(): string {
    if (this.secret || !this.o.complete) return '';
    const before = this.line.slice(0, this.cursor);
    const word = /\S*$/.exec(before)![0];
    const cands = this.o.complete(before).filter((c) => c.startsWith(word));
    if (cands.length === 0) return BELL;
    if (cands.length === 1) return this.insert(cands[0].slice(word.length) + ' ');
    let common = cands[0];
    for (const c of cands) while (!c.startsWith(common)) common = common.slice(0, -1);
    if (common.length > word.length) return this.insert(common.slice(word.length));
    if (!this.lastTab) {
      this.lastTab = true;
      return BELL;
    }
    // Second Tab: the candidates one line, then the prompt and line again.
    return '\r\n' + cands.join('  ') + '\r\n' + this.prompt + this.line + BS.repeat(this.line.length - this.cursor);
  }
}
