import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as net from 'node:net';

const bin = join(__dirname, '../../bin/kabosu.js');

test('kabosu pool prints its URL, serves subscribe, and on SIGINT prints stats JSON and exits 0', async () => {
  const p = spawn(process.execPath, [bin, 'pool', '--port', '0', '--block-interval', '5', '--difficulty', '0.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.setEncoding('utf8');
  const url = await new Promise<string>((res, rej) => {
    p.stdout.on('data', (d: string) => { out += d; const m = /stratum\+tcp:\/\/[^\s]+/.exec(out); if (m) res(m[0]); });
    p.once('exit', () => rej(new Error(`exited early: ${out}`)));
  });
  const port = Number(url.split(':').pop());
  const s = net.connect(port, '127.0.0.1');
  s.setEncoding('utf8');
  const got = await new Promise<string>((res) => {
    let buf = '';
    s.on('data', (d: string) => { buf += d; if (buf.includes('"method":"mining.notify"')) res(buf); });
    s.write('{"id":1,"method":"mining.subscribe","params":[]}\n{"id":2,"method":"mining.authorize","params":["w","x"]}\n');
  });
  assert.match(got, /"params":\[0.5\]/);
  s.destroy();
  const code = await new Promise<number | null>((res) => { p.once('exit', (c) => res(c)); p.kill('SIGINT'); });
  assert.is(code, 0);
  const stats = JSON.parse(out.trim().split('\n').pop()!);
  assert.is(stats.url, url);
  assert.type(stats.rejected.stale, 'number');
});

test('kabosu pool rejects bad options with exit 2 and a clear message', () => {
  for (const args of [['--pow', 'sha256d'], ['--port', '70000'], ['--difficulty', '-1'], ['--nope']]) {
    const r = spawnSync(process.execPath, [bin, 'pool', ...args], { encoding: 'utf8' });
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, /KBS_E_CLI_USAGE/);
  }
});

test.run();
