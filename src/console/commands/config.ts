import { existsSync, statSync } from 'node:fs';
import { applyEdits, modify } from '../../config/jsonc';
import { checkConfigText, readConfigFile, formatIssue, ConfigInvalidError, encryptSecret, loadDeviceKey, redactConfig, isReloadable } from '../../config';
import { isSecretPath, schemaAt, schemaFields } from '../../config/schemaWalk';
import { pathToPointer } from '../../config/positions';
import { writeFileAtomic } from '../../store';
import { ConsoleUsageError, type CommandContext, type ConsoleCommand } from './context';

/**
 * `config show|validate|set`: the config file on disk, checked by the same validator as every
 * other edit (`checkConfigText`: schema, rules, positions), written atomically; the running
 * daemon's watcher applies it by hot reload. Secrets are set only through a hidden prompt and
 * stored encrypted with the device key; `show` redacts them. Works with the daemon down
 * (rescue), which is when it matters most.
 */
const USAGE = 'config show [SECTION] | config validate | config set PATH VALUE';

export function parseConfigPath(arg: string): Array<string | number> {
  const segs = arg.replace(/^\//, '').split(/[/.]/).filter((s) => s.length > 0);
  if (segs.length === 0 || segs.some((s) => !/^[A-Za-z0-9_$-]{1,64}$/.test(s))) throw new ConsoleUsageError(USAGE, `${arg} is not a config path (e.g. pools.0.url or thermal.target_c)`);
  return segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The value typed after the path: JSON when it parses (numbers, true, null, [..]), else a string. */
export function parseConfigValue(raw: string, path: Array<string | number>): unknown {
  const t = schemaAt(path)?.type;
  const wantsString = t === 'string' || (Array.isArray(t) && t.includes('string') && !t.includes('number'));
  try {
    const v: unknown = JSON.parse(raw);
    if (wantsString && typeof v !== 'string' && v !== null) return raw;
    return v;
  } catch {
    return raw;
  }
}

function fieldNames(): string[] {
  return schemaFields().map((f) => f.path.map((p) => (p === '*' ? '0' : p)).join('.'));
}

function issuesOf(err: unknown): string {
  if (err instanceof ConfigInvalidError) return err.issues.map((i) => `  ${formatIssue(i)}`).join('\n') + '\n';
  return `  ${(err as Error).message}\n`;
}

async function show(ctx: CommandContext, section?: string): Promise<void> {
  let cfg: unknown;
  if (await ctx.link.alive()) cfg = await ctx.link.config();
  else {
    try {
      cfg = redactConfig(checkConfigText(readConfigFile(ctx.rescue.configPath), ctx.rescue.configPath).config);
      ctx.out(ctx.style.dim(`(daemon not running: ${ctx.rescue.configPath} as it would load)`) + '\n');
    } catch (err) {
      ctx.out(`${ctx.rescue.configPath} does not load:\n${issuesOf(err)}fix it with config set PATH VALUE\n`);
      return;
    }
  }
  const o = cfg as Record<string, unknown>;
  if (section !== undefined && !(section in o)) throw new ConsoleUsageError(USAGE, `no section ${section} (sections: ${Object.keys(o).join(', ')})`);
  ctx.out(JSON.stringify(section === undefined ? o : o[section], null, 2) + '\n');
}

function validate(ctx: CommandContext): void {
  try {
    const { warnings } = checkConfigText(readConfigFile(ctx.rescue.configPath), ctx.rescue.configPath);
    for (const w of warnings) ctx.out(`warning ${w.code}: ${formatIssue(w)}\n`);
    ctx.out(`${ctx.rescue.configPath}: ${ctx.style.ok('ok')}\n`);
  } catch (err) {
    ctx.out(`${ctx.rescue.configPath}: ${ctx.style.bad('invalid')}\n${issuesOf(err)}`);
  }
}

async function set(ctx: CommandContext, args: string[]): Promise<void> {
  const path = parseConfigPath(args[0] ?? '');
  const pointer = pathToPointer(path);
  let value: unknown;
  if (isSecretPath(path)) {
    if (args.length > 1) {
      ctx.out(`${pointer} is a secret: it is never typed on the command line. Nothing stored; run config set ${args[0]} and type it at the prompt.\n`);
      return;
    }
    const a = await ctx.ask(`new value for ${pointer} (not echoed): `, { secret: true });
    if (a === null) return;
    const b = await ctx.ask('again: ', { secret: true });
    if (b === null) return;
    if (a !== b) return ctx.out('the two entries differ; nothing stored\n');
    if (a.length === 0) return ctx.out('empty; nothing stored\n');
    value = encryptSecret(a, loadDeviceKey(ctx.rescue.dataDir, { create: true }));
  } else {
    if (args.length < 2) throw new ConsoleUsageError('config set PATH VALUE');
    value = parseConfigValue(args.slice(1).join(' '), path);
  }
  const file = ctx.rescue.configPath;
  const text = existsSync(file) ? readConfigFile(file) : '{ "version": 1 }\n';
  let next: string;
  try {
    next = applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }));
  } catch (err) {
    return ctx.out(`cannot set ${pointer}: ${(err as Error).message}; nothing stored\n`);
  }
  try {
    checkConfigText(next, file);
  } catch (err) {
    ctx.out(`${pointer}: rejected, nothing stored:\n${issuesOf(err)}`);
    return;
  }
  writeFileAtomic(file, next, { mode: existsSync(file) ? statSync(file).mode & 0o777 : 0o600 });
  const section = String(path[0]);
  ctx.audit('console_config_set', `config ${pointer} set from the console`, { path: pointer, secret: isSecretPath(path) });
  ctx.out(`${pointer} ${isSecretPath(path) ? 'stored encrypted' : `= ${JSON.stringify(value)}`} in ${file}; ${isReloadable(section) ? 'the daemon applies it without a restart' : `${section} needs a daemon restart (start)`}\n`);
}

export const CONFIG: ConsoleCommand = {
  name: 'config',
  usage: USAGE,
  summary: 'show the config (secrets redacted), validate it, set one value (secrets by prompt)',
  daemon: false,
  complete: (args) => (args.length === 0 ? ['show', 'validate', 'set'] : args[0] === 'set' && args.length === 1 ? fieldNames() : []),
  async run(ctx) {
    const [sub, ...rest] = ctx.args;
    if (sub === 'show' && rest.length <= 1) return show(ctx, rest[0]);
    if (sub === 'validate' && rest.length === 0) return validate(ctx);
    if (sub === 'set' && rest.length >= 1) return set(ctx, rest);
    throw new ConsoleUsageError(USAGE);
  },
};
