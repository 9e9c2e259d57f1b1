/**
 * Output styling by terminal type: colour (SGR) only for a TERM known to have it; dumb,
 * unknown or absent TERM gets plain text. Pure.
 */
export interface Style {
  colour: boolean;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const COLOUR_TERMS = /^(xterm|screen|tmux|linux|rxvt|ansi|putty|konsole|alacritty|kitty|foot|wezterm|vt220-color|gnome|st-)/;

export function hasColour(term: string | undefined): boolean {
  return !!term && term !== 'dumb' && COLOUR_TERMS.test(term);
}

export function styleFor(term: string | undefined): Style {
  const c = hasColour(term);
  const sgr = (code: string) => (s: string) => (c ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { colour: c, ok: sgr('32'), warn: sgr('33'), bad: sgr('31'), bold: sgr('1'), dim: sgr('2') };
}
