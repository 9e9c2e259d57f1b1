import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { applyEdits, modify } from '../../config/jsonc';
import type { CliCommand, CliContext } from '../command';
import { ConfigError, UsageError } from '../../core/errors';
import { writeFileAtomic } from '../../store/atomicWrite';
import { checkConfigText, ensureDataDir, readConfigFile, resolveConfigPaths } from '../../config/load';
import { validateConfigText } from '../../config/validate';
import { formatIssue } from '../../config/issues';
import { parseConfigText, pathToPointer } from '../../config/positions';
import { getAt, isSecretPath, secretFieldPaths } from '../../config/schemaWalk';
import { encryptSecret, loadDeviceKey, redactConfig } from '../../config/secrets';
import { SECTIONS, isReloadable } from '../../config/schema';

const USAGE = `usage:
  kabosu config validate FILE           check a config file; prints every problem, exit 2 if any
  kabosu config show [--annotate]       print the effective config (defaults, env, secrets redacted)
  kabosu config set-secret PATH         encrypt a secret read from stdin into the config file
options: --config FILE  --data-dir DIR  (env KABOSU_CONFIG, KABOSU_DATA_DIR)`;

const PATH_OPTS = { config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new UsageError((err as Error).message, USAGE);
  }
}

async function validate(ctx: CliContext): Promise<number> {
  const { positionals, values } = guard(() => parseArgs({ args: ctx.argv, options: PATH_OPTS, allowPositionals: true, strict: true }));
  const file = positionals[0] ?? values.config;
  if (!file || positionals.length > 1) throw new UsageError('config validate needs exactly one FILE', USAGE);
  const { configPath } = resolveConfigPaths({ configPath: file, cwd: ctx.cwd });
  const { warnings } = validateConfigText(readConfigFile(configPath), configPath);
  for (const w of warnings) ctx.stderr.write(`warning ${w.code}: ${formatIssue(w)}\n`);
  ctx.stdout.write('ok\n');
  return 0;
}

async function show(ctx: CliContext): Promise<number> {
  const { positionals, values } = guard(() => parseArgs({ args: ctx.argv, options: { ...PATH_OPTS, annotate: { type: 'boolean' } }, allowPositionals: true, strict: true }));
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, USAGE);
  const { configPath } = resolveConfigPaths({ configPath: values.config, env: ctx.env, cwd: ctx.cwd });
  const { config, warnings } = checkConfigText(readConfigFile(configPath), configPath, ctx.env);
  for (const w of warnings) ctx.stderr.write(`warning ${w.code}: ${formatIssue(w)}\n`);
  const json = JSON.stringify(inSchemaOrder(redactConfig(config)), null, 2);
  ctx.stdout.write((values.annotate ? annotate(json) : json) + '\n');
  return 0;
}

function inSchemaOrder(c: object): object {
  const o = c as Record<string, unknown>;
  const keys = ['version', ...SECTIONS, ...Object.keys(o)];
  return Object.fromEntries([...new Set(keys)].filter((k) => k in o).map((k) => [k, o[k]]));
}

/** JSONC: a comment before each top-level section saying whether it reloads without a restart. */
export function annotate(json: string): string {
  return json
    .split('\n')
    .flatMap((line) => {
      const m = /^ {2}"([A-Za-z$]+)": /.exec(line);
      if (!m || m[1] === 'version' || m[1] === '$schema') return [line];
      return [`  // ${m[1]}: ${isReloadable(m[1]) ? 'reloadable (applied without a restart)' : 'needs a restart'}`, line];
    })
    .join('\n');
}

async function readStdin(ctx: CliContext, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > limit) throw new UsageError(`the secret on stdin is longer than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function secretPath(arg: string): Array<string | number> {
  const segs = arg.replace(/^\//, '').split(/[/.]/).filter((s) => s.length > 0);
  const path = segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (path.length === 0 || !isSecretPath(path)) {
    const known = secretFieldPaths().map((p) => p.join('/').replace('*', 'N'));
    throw new UsageError(`${arg} is not a secret field`, `secret fields: ${known.join(', ')}`);
  }
  return path;
}

async function setSecret(ctx: CliContext): Promise<number> {
  const { positionals, values } = guard(() => parseArgs({ args: ctx.argv, options: PATH_OPTS, allowPositionals: true, strict: true }));
  if (positionals.length !== 1) throw new UsageError('config set-secret needs exactly one PATH (e.g. pools/0/password); the value is read from stdin', USAGE);
  const path = secretPath(positionals[0]);
  const { configPath, dataDir } = resolveConfigPaths({ configPath: values.config, dataDir: values['data-dir'], env: ctx.env, cwd: ctx.cwd });
  const text = readConfigFile(configPath);
  const parsed = parseConfigText(text, configPath);
  if (!parsed.ok) throw new ConfigError('KBS_E_CONFIG_INVALID', `${configPath} is not valid JSON; fix it before storing a secret\n${parsed.issues.map(formatIssue).join('\n')}`);
  // Missing sections are created; a missing array item (pools/3) is not: it needs its other fields.
  path.forEach((seg, i) => {
    if (typeof seg !== 'number') return;
    const item = getAt(parsed.parsed.data, path.slice(0, i + 1));
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UsageError(`${pathToPointer(path.slice(0, i + 1))} does not exist in ${configPath}`, 'add that entry first (e.g. the pool with its name, url and user), then set its secret');
    }
  });
  if ((ctx.stdin as { isTTY?: boolean }).isTTY) ctx.stderr.write('enter the secret, then press Enter and Ctrl-D:\n');
  const value = await readStdin(ctx, 4096);
  if (value.length === 0) throw new UsageError('no secret on stdin', `pipe it in: kabosu config set-secret ${positionals[0]} < file`);
  ensureDataDir(dataDir);
  const key = loadDeviceKey(dataDir, { create: true });
  const edits = modify(text, path, encryptSecret(value, key), { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  const mode = statSync(configPath).mode & 0o777;
  writeFileAtomic(configPath, applyEdits(text, edits), { mode });
  ctx.stdout.write(`stored ${pathToPointer(path)} encrypted in ${configPath} (key ${key.path})\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, (ctx: CliContext) => Promise<number>> = { validate, show, 'set-secret': setSecret };

export const command: CliCommand = {
  summary: 'validate, show and edit the config (validate FILE | show | set-secret PATH)',
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    if (!sub || sub === 'help' || sub === '--help') {
      ctx.stdout.write(USAGE + '\n');
      return sub ? 0 : 2;
    }
    const fn = SUBCOMMANDS[sub];
    if (!fn) throw new UsageError(`unknown config subcommand '${sub}'`, USAGE);
    return fn({ ...ctx, argv: rest });
  },
};
