import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from './jsonc';
import type { ConfigIssue } from './issues';

/**
 * Maps JSON pointers to line/column in the original text (jsonc-parser keeps offsets), and
 * turns syntax errors into positioned issues. Comments are allowed (`config show --annotate`
 * prints them); trailing commas are not.
 */
export interface ParsedText {
  data: unknown;
  tree: Node | undefined;
  lineStarts: number[];
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function lineColumnAt(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

const HINTS: Record<string, string> = {
  CommaExpected: 'a comma is missing between two entries',
  PropertyNameExpected: 'keys must be double-quoted strings; is there a trailing comma?',
  ValueExpected: 'a value is missing (trailing comma, or an unquoted word?)',
  ColonExpected: 'a colon is missing after a key',
  CloseBraceExpected: 'a "}" is missing',
  CloseBracketExpected: 'a "]" is missing',
  EndOfFileExpected: 'there is text after the end of the document',
  InvalidSymbol: 'strings need double quotes; true/false/null are lower case',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfComment: 'a /* comment is not closed',
};

/** Bounds that keep the recursive parser and validator off the stack limit. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;

/** Offset where {}/[] nesting (outside strings) first exceeds MAX_DEPTH, if it does. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escape
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

/** The text at a syntax error; string contents are not echoed (they may be secrets). */
function foundAt(text: string, offset: number, length: number): string {
  if (offset >= text.length) return 'end of file';
  const t = text.slice(offset, offset + Math.max(1, Math.min(length, 20)));
  return t.startsWith('"') ? 'a string (contents not shown)' : JSON.stringify(t);
}

/** Parses text; returns syntax issues (each with line/column) or the tree. */
export function parseConfigText(text: string, source: string): { ok: true; parsed: ParsedText } | { ok: false; issues: ConfigIssue[] } {
  const lineStarts = lineStartsOf(text);
  if (text.trim().length === 0) {
    return { ok: false, issues: [{ pointer: '', source, line: 1, column: 1, message: 'the file is empty', expected: 'a JSON object', found: 'nothing', hint: 'start from `kabosu config show > FILE` or docs/configuration.md' }] };
  }
  if (text.length > MAX_CONFIG_BYTES) {
    return { ok: false, issues: [{ pointer: '', source, message: `the file is ${text.length} bytes; a config is at most ${MAX_CONFIG_BYTES}`, expected: 'a config file', found: 'a very large file', hint: 'is this the right file?' }] };
  }
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return { ok: false, issues: [{ pointer: '', source, ...lineColumnAt(lineStarts, deep), message: `nested deeper than ${MAX_DEPTH} levels`, expected: `at most ${MAX_DEPTH} levels of {} and []`, found: 'deeper nesting', hint: 'the config is a few levels deep; is this the right file?' }] };
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const issues = errors.slice(0, 20).map((e): ConfigIssue => {
      const name = printParseErrorCode(e.error);
      const at = lineColumnAt(lineStarts, e.offset);
      return {
        pointer: '',
        source,
        ...at,
        message: `not valid JSON: ${name}`,
        expected: 'JSON',
        found: foundAt(text, e.offset, e.length),
        hint: HINTS[name] ?? 'check the JSON syntax near this position',
      };
    });
    return { ok: false, issues };
  }
  return { ok: true, parsed: { data: treeValue(tree), tree, lineStarts } };
}

function treeValue(node: Node | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && typeof k.value === 'string') {
          // defineProperty so a key named "__proto__" stays a plain key, not a prototype change.
          Object.defineProperty(o, k.value, { value: treeValue(v), enumerable: true, writable: true, configurable: true });
        }
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(treeValue);
    default:
      return node.value;
  }
}

export function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

export function pathToPointer(path: ReadonlyArray<string | number>): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * Line/column of the value at `pointer`, or of its key when `atKey`; walks up to the nearest
 * existing ancestor when the pointer names something absent (a missing property).
 */
export function locate(parsed: ParsedText, pointer: string, atKey = false): { line: number; column: number } | undefined {
  if (!parsed.tree) return undefined;
  const path = pointerToPath(pointer);
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(parsed.tree, path.slice(0, n));
    if (!node) continue;
    const keyNode = atKey && n === path.length && node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return lineColumnAt(parsed.lineStarts, (keyNode ?? node).offset);
  }
  return undefined;
}
