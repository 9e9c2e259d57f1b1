import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineEditor, type EditorEvent } from '../../../src/console/lineEditor';

/** Feeds bytes, collects echo and events (a new line starts after each event). */
function session(ed: LineEditor, prompt = '> ') {
  let out = ed.begin(prompt);
  const events: EditorEvent[] = [];
  return {
    feed(s: string | Uint8Array) {
      let b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      while (b.length) {
        const r = ed.feed(b);
        out += r.out;
        if (r.event) {
          events.push(r.event);
          out += ed.begin(prompt);
        }
        b = Buffer.from(r.rest);
      }
    },
    get out() {
      return out;
    },
    events,
    lines: () => events.filter((e) => e.type === 'line').map((e) => (e as { line: string }).line),
  };
}

test('backspace, Ctrl-U and Ctrl-W edit the line; only BS and spaces are drawn (dumb-terminal safe)', () => {
  const s = session(new LineEditor());
  s.feed('statx\x7fus\r');
  s.feed('reboot now\x15pools\r');
  s.feed('fans extra words\x17\x17\x17temps\r');
  assert.equal(s.lines(), ['status', 'pools', 'temps']);
  assert.not.ok(s.out.includes('\x1b'), 'an escape sequence was drawn');
});

test('arrows move the cursor and walk the history; split escape sequences still decode', () => {
  const ed = new LineEditor();
  const s = session(ed);
  s.feed('status\r');
  s.feed('pools\r');
  s.feed('\x1b');
  s.feed('[');
  s.feed('A');
  s.feed('\x1b[A\r');
  assert.equal(s.lines(), ['status', 'pools', 'status']);
  s.feed('fa\x1b[Dx\x1b[C\x1b[C\r'); // cursor left, insert: fxa
  assert.equal(s.lines().at(-1), 'fxa');
  s.feed('abc\x01X\x05Y\r'); // Ctrl-A, Ctrl-E
  assert.equal(s.lines().at(-1), 'XabcY');
});

test('line noise is counted so the shell can refuse the line; killing the line clears the count', () => {
  const s = session(new LineEditor());
  s.feed('\x00reboot\r');
  s.feed('re\xffboot\r');
  s.feed('\x1b[99zpause\r');
  s.feed('\x01\x02garbage\x15status\r');
  const ev = s.events as { type: string; line: string; noise: number }[];
  assert.equal(ev.map((e) => e.noise), [1, 1, 1, 0]);
  assert.is(ev[3].line, 'status');
});

test('secret lines echo nothing and stay out of the history', () => {
  const ed = new LineEditor();
  let out = ed.begin('password: ', { secret: true });
  const r = ed.feed(Buffer.from('hunter22\x7f2\r'));
  out += r.out;
  assert.equal(r.event, { type: 'line', line: 'hunter22', noise: 0 });
  assert.is(out, 'password: \r\n');
  assert.equal(ed.entries, []);
});

test('Tab completes a unique word, the common prefix, and lists candidates on the second Tab', () => {
  const ed = new LineEditor({ complete: () => ['show', 'set', 'validate'] });
  const s = session(ed);
  s.feed('config v\t\r');
  assert.is(s.lines()[0], 'config validate ');
  s.feed('config s\t\t');
  assert.ok(s.out.includes('\r\nshow  set\r\n> config s'));
});

test('CR LF is one Enter; Ctrl-C interrupts; Ctrl-D on an empty line is end of input; overlong lines ring and count', () => {
  const s = session(new LineEditor({ maxLine: 8 }));
  s.feed('a\r\nb\n');
  s.feed('xyz\x03');
  s.feed('\x04');
  s.feed('123456789\r');
  assert.equal(s.events.map((e) => e.type), ['line', 'line', 'interrupt', 'eof', 'line']);
  assert.equal((s.events[4] as { noise: number }).noise, 1);
});

test.run();
