import type { KabosuConfig } from './schema';
import type { ConfigIssue } from './issues';
import { loadBoard } from './boardLoader';
import { CONFIG_SCHEMA } from './schema';

/** A cross-field problem before it is given a position in the file. */
export type RuleIssue = Omit<ConfigIssue, 'source' | 'line' | 'column'>;

interface Rule {
  /** The JSON pointers (sections or fields) the rule reads; it runs only when they are schema-valid. */
  reads: string[];
  check: (c: KabosuConfig) => RuleIssue[];
}

const RULES: Rule[] = [
  { reads: ['/thermal'], check: (c) => thermalOrder(c) },
  { reads: ['/thermal', '/hashboards'], check: (c) => thermalWithinBoard(c) },
  { reads: ['/mining', '/pools'], check: (c) => poolRules(c) },
  { reads: ['/thermal'], check: (c) => fanRange(c) },
  { reads: ['/tuning'], check: (c) => tuningRules(c) },
  { reads: ['/health'], check: (c) => healthHysteresis(c) },
  { reads: ['/api', '/telemetry', '/testPool', '/hashboards'], check: (c) => portClashes(c) },
  { reads: ['/economics'], check: (c) => economicsRules(c) },
];

/** Economics (docs/economics.md): what each choice needs, and resume above curtail (hysteresis). */
function economicsRules(c: KabosuConfig): RuleIssue[] {
  const e = c.economics;
  const out: RuleIssue[] = [];
  if (!e.enabled) return out;
  if (e.curtail.enabled && e.curtail.action === 'power' && e.curtail.powerW === undefined) out.push({ pointer: '/economics/curtail/powerW', message: 'curtail action "power" needs curtail.powerW', expected: 'watts (50-20000)', found: 'nothing', hint: 'set the power target to drop to, or use action "pause"' });
  if (e.curtail.resumeAbovePerDay < e.curtail.marginBelowPerDay) out.push({ pointer: '/economics/curtail/resumeAbovePerDay', message: 'resumeAbovePerDay is below marginBelowPerDay', expected: `at least ${e.curtail.marginBelowPerDay}`, found: String(e.curtail.resumeAbovePerDay), hint: 'resume at or above the curtail threshold, or the miner would flap' });
  if (e.tariff.kind === 'live' && !e.tariff.topic) out.push({ pointer: '/economics/tariff/topic', message: 'a live tariff needs tariff.topic', expected: 'an MQTT topic', found: 'nothing', hint: 'name the topic your price feed publishes on, or use kind "flat"/"schedule"' });
  e.market.sources.forEach((s, i) => {
    if (s.kind === 'http' && !s.url) out.push({ pointer: `/economics/market/sources/${i}/url`, message: `source ${s.name} (http) has no url`, expected: 'an http(s) URL', found: 'nothing', hint: 'give the JSON endpoint' });
    if (s.kind === 'mqtt' && !s.topic) out.push({ pointer: `/economics/market/sources/${i}/topic`, message: `source ${s.name} (mqtt) has no topic`, expected: 'an MQTT topic', found: 'nothing', hint: 'give the topic the document is published on' });
  });
  return out;
}

function touches(bad: string, read: string): boolean {
  return bad === '' || bad === read || bad.startsWith(read + '/') || read.startsWith(bad + '/');
}

/**
 * Cross-field rules the schema cannot say (conventions 2.5.4); pure. `schemaErrorPointers` are
 * where the schema already failed: a rule reading any of them is skipped (its inputs may have the
 * wrong type), the others still run, so one report carries every problem that can be found.
 */
export function crossFieldIssues(c: KabosuConfig, schemaErrorPointers: string[] = []): RuleIssue[] {
  return RULES.filter((r) => !r.reads.some((read) => schemaErrorPointers.some((bad) => touches(bad, read)))).flatMap((r) => r.check(c));
}

function thermalOrder(c: KabosuConfig): RuleIssue[] {
  const { targetC, hotC, dangerousC } = c.thermal;
  const out: RuleIssue[] = [];
  if (!(targetC < hotC)) {
    out.push({ pointer: '/thermal/targetC', message: 'targetC must be below hotC', expected: `a value below hotC (${hotC})`, found: String(targetC), hint: 'the fan loop holds targetC; hotC is where throttling starts' });
  }
  if (!(hotC < dangerousC)) {
    out.push({ pointer: '/thermal/hotC', message: 'hotC must be below dangerousC', expected: `a value below dangerousC (${dangerousC})`, found: String(hotC), hint: 'dangerousC powers the boards off; keep it above hotC' });
  }
  return out;
}

/**
 * The board definition's dangerousC is a hard limit: the config may lower every thermal limit but
 * not raise one to or past it (an 85 C board took 115 C). A schema default means "not set" (the
 * board's own limit applies: thermal/defaults.ts effectiveLimits), so only set values are judged.
 * An unknown or custom board is judged where it is loaded.
 */
function thermalWithinBoard(c: KabosuConfig): RuleIssue[] {
  const hard = builtinDangerousC(c.hashboards.model);
  if (hard === undefined) return [];
  const defaults = CONFIG_SCHEMA.properties.thermal.properties;
  const out: RuleIssue[] = [];
  const set = (k: 'targetC' | 'hotC' | 'dangerousC') => c.thermal[k] !== defaults[k].default;
  if (set('dangerousC') && c.thermal.dangerousC > hard) {
    out.push({ pointer: '/thermal/dangerousC', message: `dangerousC is above the ${c.hashboards.model} board's hard limit`, expected: `at most ${hard}`, found: String(c.thermal.dangerousC), hint: `the board definition (board/${c.hashboards.model}.json hashBoard.thermal.dangerousC) is the highest temperature its boards may stay powered at; set a lower value or remove the key` });
  }
  for (const k of ['targetC', 'hotC'] as const) {
    if (set(k) && c.thermal[k] >= hard) {
      out.push({ pointer: `/thermal/${k}`, message: `${k} is at or above the ${c.hashboards.model} board's hard limit`, expected: `below ${hard}`, found: String(c.thermal[k]), hint: `boards power off at ${hard} C on this board; keep ${k} below it` });
    }
  }
  return out;
}

function builtinDangerousC(model: string): number | undefined {
  try {
    return loadBoard(model).hashBoard.thermal.dangerousC;
  } catch {
    return undefined; // reported where the board is loaded (KBS_E_BOARD_UNKNOWN)
  }
}

function poolRules(c: KabosuConfig): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (c.mining.enabled && c.pools.length === 0) {
    out.push({ pointer: '/pools', message: 'mining is enabled but no pool is configured', expected: 'at least one pool', found: 'an empty list', hint: 'add a pool ({"name","url","user"}) or set mining.enabled to false' });
  }
  const seen = new Map<string, number>();
  c.pools.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) {
      out.push({ pointer: `/pools/${i}/name`, message: `pool name "${p.name}" is used twice`, expected: 'a unique name', found: `the same name as /pools/${first}`, hint: 'pool names identify pools in logs, MQTT and the API; rename one' });
    } else seen.set(p.name, i);
  });
  return out;
}

function fanRange(c: KabosuConfig): RuleIssue[] {
  const { minDuty, maxDuty } = c.thermal.fan;
  const out: RuleIssue[] = [];
  if (minDuty > maxDuty) out.push({ pointer: '/thermal/fan/minDuty', message: 'fan minDuty is above maxDuty', expected: `at most maxDuty (${maxDuty})`, found: String(minDuty), hint: 'swap the two values' });
  if (c.thermal.manualDuty < minDuty) {
    out.push({
      pointer: '/thermal/manualDuty', message: 'manualDuty is below the fans\' minDuty', expected: `at least fan.minDuty (${minDuty})`, found: String(c.thermal.manualDuty),
      hint: 'fans this slow may stop, and the interlock keeps the boards off while every fan is stopped; for fanless cooling use thermal.mode "immersion"',
    });
  }
  return out;
}

function tuningRules(c: KabosuConfig): RuleIssue[] {
  return c.tuning.target === 'power' && c.tuning.powerW === undefined
    ? [{ pointer: '/tuning/powerW', message: 'tuning.target is "power" but powerW is not set', expected: 'a number of watts', found: 'nothing', hint: 'set tuning.powerW, or choose another target' }]
    : [];
}

/** Each health verdict's way back must be stricter than its way in (hysteresis), or a chip flaps. */
function healthHysteresis(c: KabosuConfig): RuleIssue[] {
  const { chip, chain } = c.health;
  const out: RuleIssue[] = [];
  if (!(chip.recoveredHwErrorRatio < chip.degradedHwErrorRatio)) {
    out.push({ pointer: '/health/chip/recoveredHwErrorRatio', message: 'recoveredHwErrorRatio must be below degradedHwErrorRatio', expected: `a ratio below degradedHwErrorRatio (${chip.degradedHwErrorRatio})`, found: String(chip.recoveredHwErrorRatio), hint: 'a chip degrades above degradedHwErrorRatio and recovers below recoveredHwErrorRatio; the gap stops it flapping' });
  }
  if (!(chip.slowRecoveredProbability > chip.slowProbability)) {
    out.push({ pointer: '/health/chip/slowRecoveredProbability', message: 'slowRecoveredProbability must be above slowProbability', expected: `a probability above slowProbability (${chip.slowProbability})`, found: String(chip.slowRecoveredProbability), hint: 'a chip is slow below slowProbability and ok again above slowRecoveredProbability' });
  }
  if (!(chain.crcRecoveredRatio < chain.crcErrorRatio)) {
    out.push({ pointer: '/health/chain/crcRecoveredRatio', message: 'crcRecoveredRatio must be below crcErrorRatio', expected: `a ratio below crcErrorRatio (${chain.crcErrorRatio})`, found: String(chain.crcRecoveredRatio), hint: 'a chain degrades above crcErrorRatio and clears below crcRecoveredRatio' });
  }
  return out;
}

interface Listener {
  pointer: string;
  host: string;
  port: number;
}

function listeners(c: KabosuConfig): Listener[] {
  const out: Listener[] = [];
  if (c.api.http.enabled) out.push({ pointer: '/api/http/port', host: c.api.http.host, port: c.api.http.port });
  if (c.api.cgminer.enabled) out.push({ pointer: '/api/cgminer/port', host: c.api.cgminer.host, port: c.api.cgminer.port });
  if (c.api.cgi.enabled === true || (c.api.cgi.enabled === 'auto' && c.hashboards.backend === 'linux')) out.push({ pointer: '/api/cgi/port', host: c.api.cgi.host, port: c.api.cgi.port });
  if (c.telemetry.mqtt.broker.enabled) out.push({ pointer: '/telemetry/mqtt/broker/port', host: c.telemetry.mqtt.broker.host, port: c.telemetry.mqtt.broker.port });
  if (c.testPool.enabled) out.push({ pointer: '/testPool/port', host: c.testPool.host, port: c.testPool.port });
  if (c.testPool.enabled && c.testPool.v2Port) out.push({ pointer: '/testPool/v2Port', host: c.testPool.host, port: c.testPool.v2Port });
  return out;
}

const ANY = new Set(['0.0.0.0', '::', '[::]', '*']);

function portClashes(c: KabosuConfig): RuleIssue[] {
  const ls = listeners(c);
  const out: RuleIssue[] = [];
  for (let i = 0; i < ls.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = ls[j];
      const b = ls[i];
      if (a.port === b.port && (a.host === b.host || ANY.has(a.host) || ANY.has(b.host))) {
        out.push({ pointer: b.pointer, message: `port ${b.port} is also used by ${a.pointer.replace(/\/port$/, '')}`, expected: 'a port no other enabled listener uses', found: String(b.port), hint: `change one of the ports or disable one listener` });
      }
    }
  }
  return out;
}
