// Helpers for the recipe tests (test/recipes/): strict YAML loading, a 5-field cron check, a small shell word
// splitter that finds the `podflow …` commands in a script, and a check of such a command line against podflow's
// own commander program with every action replaced by a no-op (nothing runs, nothing is written).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli/main.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export function readRepoFile(rel: string): string {
  return readFileSync(join(ROOT, rel), 'utf8');
}

/**
 * Every YAML document of a text, as plain values; throws on any YAML error or warning (duplicate keys included,
 * `uniqueKeys`), naming the file. `version` '1.1' reads it as Kubernetes' YAML library does (a leading 0 is
 * octal, yes/no/on/off are booleans); the default is YAML 1.2.
 */
export function loadYamlDocs(text: string, file: string, version: '1.1' | '1.2' = '1.2'): unknown[] {
  const docs = parseAllDocuments(text, { version, uniqueKeys: true, strict: true, prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: no YAML documents`);
  const problems = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => `${file}: ${e.message}`));
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return docs.map((d) => d.toJS({ maxAliasCount: 0 }) as unknown).filter((d) => d !== null);
}

const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** The problems of a standard 5-field cron expression (what GitHub's `schedule` and Kubernetes' CronJob accept); [] when valid. */
export function cronProblems(expr: string): string[] {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return [`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: '${expr}'`];
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const spec = CRON_FIELDS[i]!;
    const value = (t: string): number | undefined => {
      const named = spec.names?.indexOf(t.toLowerCase()) ?? -1;
      if (named >= 0) return named + (spec.name === 'month' ? 1 : 0);
      return /^\d+$/.test(t) ? Number(t) : undefined;
    };
    for (const part of field.split(',')) {
      const m = /^(\*|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) {
        problems.push(`${spec.name}: cannot read '${part}'`);
        continue;
      }
      if (m[4] !== undefined && Number(m[4]) < 1) problems.push(`${spec.name}: step 0 in '${part}'`);
      if (m[1] === '*') continue;
      const lo = value(m[2]!);
      const hi = m[3] !== undefined ? value(m[3]) : lo;
      if (lo === undefined || hi === undefined) problems.push(`${spec.name}: '${part}' is not a number or name`);
      else if (lo < spec.min || hi > spec.max || lo > hi) problems.push(`${spec.name}: '${part}' outside ${spec.min}-${spec.max}`);
    }
  });
  return problems;
}

/** Minute of the day a daily `M H * * *` schedule fires at (undefined for any other form). */
export function dailyMinute(expr: string): number | undefined {
  const m = /^(\d+)\s+(\d+)\s+\*\s+\*\s+\*$/.exec(expr.trim());
  return m ? Number(m[2]) * 60 + Number(m[1]) : undefined;
}

const OPERATORS = new Set([';', '&&', '||', '|', '&', '(', ')']);
const COMMAND_STARTERS = new Set(['then', 'do', 'else', 'elif', '!', 'time']);

/**
 * Splits a line of shell into words (quotes removed, `$VAR`, `$(…)` and `$((…))` kept as written inside their
 * word) and operators. Enough for the recipes' scripts; not a shell.
 */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  let depth = 0; // inside $( … ) or $(( … ))
  const flush = (): void => {
    if (inWord) out.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"' && depth === 0) quote = '';
      else if (c === '\\' && i + 1 < line.length) word += line[++i]!;
      else word += c;
      continue;
    }
    if (depth > 0) {
      word += c;
      if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      inWord = true;
      word += '$(';
      i++;
      depth = 1;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i]!;
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      flush();
      continue;
    }
    if (c === '#' && !inWord) break; // a comment
    const two = line.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      flush();
      out.push(two);
      i++;
      continue;
    }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      flush();
      out.push(c);
      continue;
    }
    word += c;
    inWord = true;
  }
  flush();
  return out;
}

/**
 * The argument lists of every `podflow …` or `npx podflow …` command in a script (arguments after `podflow`,
 * up to the end of the command). Lines continued with a backslash are joined first. Only words in command
 * position count: `echo "… podflow fuzz …"` is no command.
 */
export function podflowCommands(script: string): string[][] {
  const found: string[][] = [];
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    const words = shellWords(line);
    let atCommand = true;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (OPERATORS.has(w)) {
        atCommand = true;
        continue;
      }
      if (!atCommand) continue;
      if (COMMAND_STARTERS.has(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue; // `then cmd`, `VAR=x cmd`
      atCommand = false;
      const start = w === 'podflow' ? i + 1 : w === 'npx' && words[i + 1] === 'podflow' ? i + 2 : -1;
      if (start < 0) continue;
      let end = start;
      while (end < words.length && !OPERATORS.has(words[end]!) && !/^\d*[<>]/.test(words[end]!)) end++;
      found.push(words.slice(start, end));
      i = end - 1;
    }
  }
  return found;
}

/** Replaces `$NAME` and `${NAME}` by values (names without a value are left as written). */
export function expandVars(word: string, env: Readonly<Record<string, string>>): string {
  return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? all);
}

export interface ParsedPodflow {
  /** the subcommand path, e.g. ['fuzz'] or ['lab', 'vpp', 'up'] */
  command: string[];
  /** option values by commander's attribute name (adapter, shard, out, corpus, …) */
  opts: Record<string, unknown>;
  args: string[];
}

/**
 * Parses a podflow argument list with podflow's own program (src/cli/main.ts), every action replaced by a no-op:
 * an unknown command or option, a missing option value or argument throws, naming the command line.
 */
export function parsePodflow(argv: readonly string[]): ParsedPodflow {
  const program = buildProgram();
  let parsed: ParsedPodflow | undefined;
  const errors: string[] = [];
  const prepare = (cmd: Command, path: string[]): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: () => {}, writeErr: (s) => errors.push(s.trim()), outputError: (s) => errors.push(s.trim()) });
    if (cmd.commands.length === 0 && cmd !== program) {
      cmd.action((...a: unknown[]) => {
        const self = a[a.length - 1] as Command;
        parsed = { command: path, opts: self.opts(), args: self.args };
      });
    }
    for (const sub of cmd.commands) prepare(sub, [...path, sub.name()]);
  };
  prepare(program, []);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    const what = e instanceof CommanderError ? e.message : String(e);
    throw new Error(`podflow ${argv.join(' ')}: ${what.replace(/\s*\n\s*/g, ' ')}`);
  }
  if (!parsed) throw new Error(`podflow ${argv.join(' ')}: names no runnable subcommand`);
  return parsed;
}

/** `npm run X` scripts a script calls. */
export function npmRunScripts(script: string): string[] {
  return [...script.matchAll(/(?:^|[\s;&|])npm\s+run\s+([A-Za-z0-9:_-]+)/g)].map((m) => m[1]!);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested value by path (keys or indexes); undefined when any step is missing. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : undefined;
    else cur = isRecord(cur) ? cur[k] : undefined;
  }
  return cur;
}
