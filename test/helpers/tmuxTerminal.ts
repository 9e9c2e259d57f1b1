import { spawnSync } from 'node:child_process';

/**
 * A terminal a test types into as a person would: a tmux session on its own server socket
 * (`-L`, so nothing touches the user's tmux), fixed 100x50, keys by `send-keys`, the screen by
 * `capture-pane` (joined lines, with history). `kill()` ends the server.
 */
export class TmuxTerminal {
  readonly server: string;
  constructor(
    name: string,
    private readonly command: string,
  ) {
    this.server = `kbtest-${name}-${process.pid}`;
    this.tmux(['new-session', '-d', '-s', 't', '-x', '100', '-y', '50', command]);
    this.tmux(['set-option', '-t', 't', 'remain-on-exit', 'on']);
    this.tmux(['set-option', '-t', 't', 'history-limit', '20000']);
  }

  tmux(args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.server, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** Literal text, then Enter unless `enter` is false. */
  type(text: string, enter = true): void {
    if (text.length) this.tmux(['send-keys', '-t', 't', '-l', text]);
    if (enter) this.tmux(['send-keys', '-t', 't', 'Enter']);
  }

  /** Named keys (C-c, BSpace, Up, Tab, ...). */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', 't', ...names]);
  }

  /** Raw bytes (hex), for line noise. */
  bytes(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i += 64) this.tmux(['send-keys', '-t', 't', '-H', ...[...buf.subarray(i, i + 64)].map((b) => b.toString(16).padStart(2, '0'))]);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-20000', '-t', 't']);
  }

  /** The screen text after the last occurrence of `marker` (what one command printed). */
  after(marker: string): string {
    const s = this.screen();
    const i = s.lastIndexOf(marker);
    return i < 0 ? '' : s.slice(i + marker.length);
  }

  clear(): void {
    this.tmux(['clear-history', '-t', 't']);
  }

  async waitFor(re: RegExp, ms = 15_000, from?: string): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = from === undefined ? this.screen() : this.after(from);
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`screen never matched ${re} in ${ms} ms:\n${this.screen().split('\n').filter((l) => l).slice(-40).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Unplugs and replugs: the pane's process is killed and started again. */
  respawn(): void {
    this.tmux(['respawn-pane', '-k', '-t', 't', this.command]);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.server, 'kill-server']);
  }
}
