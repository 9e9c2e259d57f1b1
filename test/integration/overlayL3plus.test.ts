/**
 * overlays/l3plus-am335x.dts against what the daemon drives (board/l3plus.json): compiled by
 * dtc -@, applied by fdtoverlay onto a real BeagleBone Black tree (Debian's armhf kernel package,
 * cached by tools/build/am335x-dtb.sh), and the applied tree read back (test/helpers/fdt.ts).
 * Each GPIO's pad comes from the base tree's own gpio-ranges, not from the overlay.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cells, enabled, findPath, parseFdt, phandles, str, strings, unitAddressSum, walk, type FdtNode } from '../helpers/fdt';

const root = join(__dirname, '../..');
const board = JSON.parse(readFileSync(join(root, 'board/l3plus.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'kabosu-overlay-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// AM335x TRM (SPRUH73) §2.1: the four GPIO modules; pad registers from 0x44e10800 (§9.3.1).
const GPIO_BANKS: Record<number, number> = { 0x44e07000: 0, 0x4804c000: 1, 0x481ac000: 2, 0x481ae000: 3 };
const EHRPWM0 = 0x48300200;
const RX_ENABLE = 0x20;

const fetched = spawnSync(join(root, 'tools/build/am335x-dtb.sh'), { encoding: 'utf8' });
const baseDtb = fetched.status === 0 ? fetched.stdout.trim() : undefined;

/** Pads of a pinctrl-single group: [offset, config | mux] per entry (#pinctrl-cells = 2). */
function groupPads(g: FdtNode): { pad: number; conf: number; mode: number }[] {
  const c = cells(g.props.get('pinctrl-single,pins'));
  const out = [];
  for (let i = 0; i + 2 < c.length; i += 3) out.push({ pad: c[i], conf: c[i + 1] | c[i + 2], mode: (c[i + 1] | c[i + 2]) & 7 });
  return out;
}

/** Each GPIO number -> its pad offset and header name, from the tree's GPIO controllers. */
function gpioPads(tree: FdtNode): Map<number, { pad: number; line: string }> {
  const m = new Map<number, { pad: number; line: string }>();
  walk(tree, (n) => {
    if (str(n.props.get('compatible')) !== 'ti,omap4-gpio') return;
    const bank = GPIO_BANKS[unitAddressSum(n)];
    if (bank === undefined) return;
    const names = strings(n.props.get('gpio-line-names'));
    const r = cells(n.props.get('gpio-ranges'));
    for (let i = 0; i + 3 < r.length; i += 4)
      for (let k = 0; k < r[i + 3]; k++) m.set(bank * 32 + r[i + 1] + k, { pad: (r[i + 2] + k) * 4, line: names[r[i + 1] + k] ?? '' });
  });
  return m;
}

if (!baseDtb) {
  console.log(`SKIP overlayL3plus: no AM335x base DTB could be obtained (tools/build/am335x-dtb.sh): ${fetched.stderr.trim() || `exit ${fetched.status}`}`);
  test.skip('the L3+ overlay applies onto a BeagleBone Black tree (no base DTB here)', () => {});
} else {
  const dtbo = join(dir, 'l3plus-am335x.dtbo');
  const applied = join(dir, 'applied.dtb');
  const compile = spawnSync('dtc', ['-@', '-I', 'dts', '-O', 'dtb', '-o', dtbo, join(root, 'overlays/l3plus-am335x.dts')], { encoding: 'utf8' });
  const apply = compile.status === 0 ? spawnSync('fdtoverlay', ['-i', baseDtb, '-o', applied, dtbo], { encoding: 'utf8' }) : undefined;
  const tree = () => parseFdt(readFileSync(applied));
  const base = parseFdt(readFileSync(baseDtb));
  const pads = gpioPads(base);

  test('the overlay compiles with dtc -@ with no warning and fdtoverlay applies it onto am335x-boneblack.dtb', () => {
    assert.is(compile.error, undefined, `dtc not runnable (Debian package device-tree-compiler): ${compile.error?.message}`);
    assert.is(compile.status, 0, compile.stderr);
    assert.is(compile.stderr, '', 'dtc warnings');
    assert.ok(apply && !apply.error, `fdtoverlay not runnable: ${apply?.error?.message}`);
    assert.is(apply!.status, 0, apply!.stderr);
    assert.is(apply!.stderr, '');
  });

  test('every GPIO line of board/l3plus.json is muxed as a GPIO (mode 7) on the pad the base gpio-ranges give it, held from boot', () => {
    const t = tree();
    const ph = phandles(t);
    const pinmux = findPath(t, '/ocp/interconnect@44c00000/segment@200000/target-module@10000/scm@0/pinmux@800')!;
    const hog = cells(pinmux.props.get('pinctrl-0')).flatMap((h) => groupPads(ph.get(h)!));
    const g = board.controller.gpio;
    const inputs: number[] = [...g.chainPresent, ...board.controller.fans.map((f: { tachGpio: number }) => f.tachGpio)];
    const outputs: number[] = [...g.chainReset, g.ledRed, g.ledGreen, g.beeper];
    for (const n of [...inputs, ...outputs]) {
      const want = pads.get(n);
      assert.ok(want, `GPIO ${n}: no pad in the base tree's gpio-ranges`);
      const got = hog.find((p) => p.pad === want!.pad);
      assert.ok(got, `GPIO ${n} (${want!.line}, pad 0x${want!.pad.toString(16)}) not in the pin controller's default group`);
      assert.is(got!.mode, 7, `GPIO ${n} (${want!.line}) pad 0x${want!.pad.toString(16)} mode`);
      if (inputs.includes(n)) assert.ok(got!.conf & RX_ENABLE, `GPIO ${n} is an input: receiver must be enabled`);
    }
    assert.is(hog.length, inputs.length + outputs.length, 'no pad in the GPIO group that the board does not use');
  });

  test('each chain UART of board/l3plus.json (ttyO<N>) is enabled with its own pins, receiver enabled on RX', () => {
    const t = tree();
    const ph = phandles(t);
    const aliases = findPath(t, '/aliases')!;
    for (const dev of board.controller.uarts as string[]) {
      const n = /^\/dev\/tty[OS](\d)$/.exec(dev)![1];
      const node = findPath(t, str(aliases.props.get(`serial${n}`))!)!;
      assert.ok(node && enabled(node), `${dev}: serial${n} not enabled`);
      const grp = cells(node.props.get('pinctrl-0')).flatMap((h) => groupPads(ph.get(h)!));
      assert.is(grp.length, 2, `${dev}: RX and TX pads`);
      assert.ok(grp.some((p) => p.conf & RX_ENABLE), `${dev}: no pad with the receiver enabled`);
    }
  });

  test('I2C0 (/dev/i2c-0) is enabled with no kernel driver on the PIC addresses', () => {
    const t = tree();
    assert.equal(board.controller.i2cBuses, ['/dev/i2c-0']);
    const i2c0 = findPath(t, str(findPath(t, '/aliases')!.props.get('i2c0'))!)!;
    assert.ok(enabled(i2c0), 'i2c0 enabled');
    for (const addr of board.hashBoard.regulator.addresses as number[]) {
      const holder = i2c0.children.find((c) => cells(c.props.get('reg'))[0] === addr && enabled(c));
      assert.not.ok(holder, `0x${addr.toString(16)} (a PIC) is taken by ${holder?.name}: i2c-dev would get EBUSY`);
    }
  });

  test('the fan PWM of board/l3plus.json is EHRPWM0 channel B on P9_29 (mode 1), enabled', () => {
    const t = tree();
    const ph = phandles(t);
    for (const f of board.controller.fans) assert.is(f.pwm, '/sys/class/pwm/pwm1', 'channel 1 = B');
    let pwm: FdtNode | undefined;
    walk(t, (n) => {
      if (str(n.props.get('compatible')) === 'ti,am3352-ehrpwm' && unitAddressSum(n) === EHRPWM0) pwm = n;
    });
    assert.ok(pwm && enabled(pwm), 'EHRPWM0 and its PWMSS enabled');
    const p929 = [...pads.values()].find((p) => p.line.startsWith('P9_29'));
    assert.ok(p929, 'P9_29 in the base gpio-line-names');
    const grp = cells(pwm!.props.get('pinctrl-0')).flatMap((h) => groupPads(ph.get(h)!));
    assert.equal(grp.map((p) => [p.pad, p.mode]), [[p929!.pad, 1]]);
  });

  test('no pad is claimed by two enabled devices in the applied tree', () => {
    const t = tree();
    const ph = phandles(t);
    const owners = new Map<number, string[]>();
    walk(t, (n) => {
      if (!n.props.has('pinctrl-0') || !enabled(n)) return;
      for (const h of cells(n.props.get('pinctrl-0'))) for (const p of groupPads(ph.get(h)!)) owners.set(p.pad, [...(owners.get(p.pad) ?? []), n.path]);
    });
    const twice = [...owners].filter(([, o]) => o.length > 1).map(([pad, o]) => `0x${pad.toString(16)}: ${o.join(' and ')}`);
    assert.equal(twice, []);
  });
}

test.run();
