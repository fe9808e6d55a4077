// `podflow trace parse FILE` and `podflow trace diff EXPECTED ACTUAL`: VPP `show trace` text as JSON, and the
// first divergence between two traces through the volatile-field masks (docs/datapath.md §11.6).
// Exit codes (docs/architecture.md §8): 0 same / parsed, 1 different, 2 usage or I/O error, or a file with no trace record. Actions never throw: they report
// the code through a setExit callback (default: process.exitCode); the run* functions return it.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { toHex } from '../packet/index.ts';
import { diffTraces, MASK_SETS, parseTrace, type ParseResult } from '../trace/index.ts';
import { printable } from './io.ts';

export const TRACE_EXIT_OK = 0;
export const TRACE_EXIT_DIFFERENT = 1;
export const TRACE_EXIT_USAGE = 2;

/** Where the commands read and write; the default is the file system and the process streams. */
export interface TraceIo {
  readFile(path: string): string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: TraceIo = {
  readFile: (path) => readFileSync(path, 'utf8'),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** JSON with byte arrays as hex strings. */
export function traceJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v), 2);
}

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied' };

/** Diagnostics printed per file; the rest are counted. */
export const MAX_TRACE_DIAGNOSTICS = 50;

/** VPP's answer when the trace buffer is empty: a trace with no record that is still a trace. */
const EMPTY_BUFFER_RE = /^No packets in trace buffer\r?$/m;

/**
 * Reads and parses a trace file; undefined (after one stderr line naming the file) when it cannot be read or
 * holds no trace record at all — garbage is an input error, not an empty trace. Names and text from the input
 * are escaped (printable) so that every diagnostic stays one line.
 */
function readTrace(file: string, command: string, io: TraceIo): ParseResult | undefined {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    const reason = code !== undefined && READ_ERRORS[code] !== undefined ? READ_ERRORS[code] : err instanceof Error ? err.message : String(err);
    io.stderr(`podflow trace ${command}: cannot read ${printable(file, 1000)}: ${printable(reason, 1000)}\n`);
    return undefined;
  }
  const result = parseTrace(text);
  const name = printable(file, 1000);
  for (const d of result.diagnostics.slice(0, MAX_TRACE_DIAGNOSTICS)) io.stderr(`${name}:${d.line}: ${printable(d.message, 1000)}\n`);
  if (result.diagnostics.length > MAX_TRACE_DIAGNOSTICS) io.stderr(`${name}: ${result.diagnostics.length - MAX_TRACE_DIAGNOSTICS} more diagnostics not shown\n`);
  if (!result.captures.some((c) => c.records.length > 0) && !EMPTY_BUFFER_RE.test(text)) {
    io.stderr(`podflow trace ${command}: ${name}: no trace record found (expected \`show trace\` output: record headers like '00:00:01:000123: ethernet-input' with indented bodies)\n`);
    return undefined;
  }
  return result;
}

/** `trace parse FILE`: the parse result as JSON on stdout, diagnostics on stderr. */
export function runTraceParse(file: string, io: TraceIo = processIo): number {
  const result = readTrace(file, 'parse', io);
  if (!result) return TRACE_EXIT_USAGE;
  io.stdout(`${traceJson(result)}\n`);
  return TRACE_EXIT_OK;
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : printable(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), 1000));

/** `trace diff EXPECTED ACTUAL`: capture by capture; prints `identical (N fields masked)` or the first divergence. */
export function runTraceDiff(expectedFile: string, actualFile: string, maskName: string, io: TraceIo = processIo): number {
  const masks = MASK_SETS[maskName];
  if (!masks) {
    io.stderr(`podflow trace diff: unknown mask set '${maskName}' (one of ${Object.keys(MASK_SETS).join(', ')})\n`);
    return TRACE_EXIT_USAGE;
  }
  const expected = readTrace(expectedFile, 'diff', io);
  const actual = readTrace(actualFile, 'diff', io);
  if (!expected || !actual) return TRACE_EXIT_USAGE;
  const n = Math.min(expected.captures.length, actual.captures.length);
  let masked = 0;
  for (let i = 0; i < n; i++) {
    const e = expected.captures[i]!;
    const result = diffTraces(e, actual.captures[i]!, masks);
    masked += result.maskedFields;
    if (result.first) {
      const f = result.first;
      const name = printable(e.heading ?? (e.packet !== undefined ? `Packet ${e.packet}` : ''), 200);
      io.stdout(
        [
          `different: capture ${i + 1}${name ? ` (${name})` : ''}`,
          `  record   ${f.recordIndex + 1} (index ${f.recordIndex})`,
          `  node     ${printable(f.node, 200)}`,
          `  field    ${printable(f.field, 200)}`,
          `  expected ${show(f.expected)}`,
          `  actual   ${show(f.actual)}`,
        ].join('\n') + '\n',
      );
      return TRACE_EXIT_DIFFERENT;
    }
  }
  if (expected.captures.length !== actual.captures.length) {
    io.stdout(`different: ${expected.captures.length} captures expected, ${actual.captures.length} actual\n`);
    return TRACE_EXIT_DIFFERENT;
  }
  io.stdout(`identical (${masked} fields masked)\n`);
  return TRACE_EXIT_OK;
}

/** process.exitCode, for programs that read it after parsing. */
const setProcessExitCode = (code: number): void => {
  process.exitCode = code;
};

/**
 * Adds `trace parse` and `trace diff` to the podflow program. Each action reports its exit code through
 * `setExit` (main.ts passes its recorder, as for `explain`); without one it sets process.exitCode.
 */
export function registerTraceCommands(program: Command, setExit: (code: number) => void = setProcessExitCode): void {
  const trace = program.command('trace').description('parse and compare VPP `show trace` text (18.01 and current formats)');
  trace
    .command('parse')
    .description('parse a trace file (raw `show trace` output or documentation form) and print it as JSON')
    .argument('<file>', 'trace text file')
    .action((file: string) => {
      setExit(runTraceParse(file));
    });
  trace
    .command('diff')
    .description('compare two trace files capture by capture; print the first divergence')
    .argument('<expected>', 'expected trace file (e.g. the model)')
    .argument('<actual>', 'actual trace file (e.g. from VPP)')
    .addOption(new Option('--mask <set>', 'fields to ignore: volatile (docs/datapath.md §11.6), none, volatile-current, volatile+synthetic').choices(Object.keys(MASK_SETS)).default('volatile'))
    .action((expected: string, actual: string, opts: { mask: string }) => {
      setExit(runTraceDiff(expected, actual, opts.mask));
    });
}
