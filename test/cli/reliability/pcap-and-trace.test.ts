// Reliability: pcap bytes (packet/pcap.ts decodePcap: a result, ok or not, never a throw) and VPP `show trace`
// text (trace/parse.ts, and `podflow trace parse|diff`): garbage is diagnosed on clean one-line
// messages, a file with no trace record is an input error (exit 2) naming it, never "identical".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runTraceDiff, runTraceParse, type TraceIo } from '../../../src/cli/trace-commands.ts';
import { decodePcap } from '../../../src/packet/pcap.ts';
import { parseTrace } from '../../../src/trace/index.ts';
import { expectClean, expectCleanLine, RUNS, sample, textMutationArb, truncations, randomTextArb } from './malformed.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CORPUS = join(ROOT, 'corpus');
const PCAPS = readdirSync(CORPUS)
  .flatMap((d) => (d.startsWith('.') ? [] : readdirSync(join(CORPUS, d)).filter((f) => f.endsWith('.pcap')).map((f) => join(CORPUS, d, f))))
  .slice(0, 12)
  .map((f) => new Uint8Array(readFileSync(f)));
const TRACE_DIR = join(ROOT, 'test', 'fixtures', 'traces');
const TRACES = [...readdirSync(TRACE_DIR).filter((f) => f.endsWith('.txt')).map((f) => join(TRACE_DIR, f)), ...readdirSync(join(TRACE_DIR, 'vpp-26.06')).filter((f) => f.endsWith('.txt')).map((f) => join(TRACE_DIR, 'vpp-26.06', f))].map((f) => readFileSync(f, 'utf8'));

describe('pcap bytes', () => {
  test('the corpus holds pcaps to mutate', () => {
    expect(PCAPS.length).toBeGreaterThan(2);
    for (const p of PCAPS) expect(decodePcap(p).ok).toBe(true);
  });

  test(`${RUNS} random, bit-flipped and truncated pcaps: a decode result (ok or an error with field and offset), never a throw`, () => {
    const flips = fc.tuple(fc.nat(PCAPS.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 })).map(([i, ops]) => {
      const b = PCAPS[i]!.slice();
      for (const [at, v] of ops) b[at % b.length] = v;
      return b;
    });
    // Header fields set to extremes: lengths 0 / 2^32-1 / just past the end, odd magic and link types.
    const fields = fc.tuple(fc.nat(PCAPS.length - 1), fc.constantFrom(0, 4, 6, 8, 16, 20, 24, 32, 36, 40), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 0x10000000, 65535, 1, 0xa1b2c3d4, 0xd4c3b2a1, 0x0a0d0d0a)).map(([i, at, v]) => {
      const b = PCAPS[i]!.slice();
      if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, v, at % 8 === 0);
      return b;
    });
    const inputs: Uint8Array[] = [...sample(fc.uint8Array({ maxLength: 200 }), RUNS / 4), ...sample(flips, RUNS / 2), ...sample(fields, RUNS / 4)];
    for (const p of PCAPS.slice(0, 2)) for (let i = 0; i <= p.length; i += Math.max(1, Math.floor(p.length / 300))) inputs.push(p.slice(0, i));
    let bad = 0;
    for (const bytes of inputs) {
      const r = expectClean(bytes, () => decodePcap(bytes), []);
      expect(r).toBeDefined();
      if (!r!.ok) {
        bad++;
        expect(typeof r!.error.offset).toBe('number');
        expectCleanLine(`${r!.error.field}: ${r!.error.message}`, 'pcap error');
      }
    }
    expect(bad).toBeGreaterThan(RUNS / 4);
  });
});

function memoryIo(files: Record<string, string>): TraceIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    readFile(path: string): string {
      if (!Object.hasOwn(files, path)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[path]!;
    },
    stdout(text: string): void {
      io.out += text;
    },
    stderr(text: string): void {
      io.err += text;
    },
  };
  return io;
}

describe('VPP trace text', () => {
  test('two garbage files are an input error naming each file, not "identical" (exit 2)', () => {
    const io = memoryIo({ 'a.txt': 'hello\nworld\n', 'b.txt': '\u0000\u0001garbage\n' });
    expect(runTraceDiff('a.txt', 'b.txt', 'volatile', io)).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toContain('podflow trace diff: a.txt: no trace record found');
    expect(io.err).toContain('podflow trace diff: b.txt: no trace record found');
    expect(io.err).toContain('b.txt:1: unrecognized line: "\\x00\\x01garbage"');
    for (const line of io.err.trimEnd().split('\n')) expectCleanLine(line, 'stderr');
    const parse = memoryIo({ 'e.txt': '' });
    expect(runTraceParse('e.txt', parse)).toBe(2);
    expect(parse.err).toBe('podflow trace parse: e.txt: no trace record found (expected `show trace` output: record headers like \'00:00:01:000123: ethernet-input\' with indented bodies)\n');
  });

  test("VPP's empty trace buffer is still a trace: two of them are identical", () => {
    const io = memoryIo({ a: 'No packets in trace buffer\n', b: 'No packets in trace buffer\n' });
    expect(runTraceDiff('a', 'b', 'volatile', io)).toBe(0);
    expect(io.out).toBe('identical (0 fields masked)\n');
  });

  test('file names and quoted input are escaped; a flood of diagnostics is cut', () => {
    const io = memoryIo({ 'x\u001b[2J.txt': `${'junk\r\u0007\n'.repeat(200)}00:00:01:000000: ethernet-input\n  IP4: 02:fe:00:00:00:01 -> 02:fe:00:00:00:02\n` });
    expect(runTraceParse('x\u001b[2J.txt', io)).toBe(0);
    const lines = io.err.trimEnd().split('\n');
    expect(lines[0]).toBe('x\\x1b[2J.txt:1: unrecognized line: "junk\\r\\x07"');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('x\\x1b[2J.txt: 150 more diagnostics not shown');
    for (const line of lines) expectCleanLine(line, 'stderr');
  });

  test(`${RUNS} random, mutated and truncated traces: parsed without an internal parser error; parse and diff (every fourth) exit 0, 1 or 2 with clean stderr lines`, () => {
    const inputs = [...sample(randomTextArb, RUNS / 4), ...sample(textMutationArb(TRACES), (RUNS * 3) / 4)];
    for (const t of TRACES.slice(0, 3)) inputs.push(...truncations(t, 150));
    for (const [i, text] of inputs.entries()) {
      const r = expectClean(text, () => parseTrace(text), []);
      expect(r!.diagnostics.filter((d) => d.message.includes('internal parser error')), JSON.stringify(text)).toEqual([]);
      if (i % 4 !== 0) continue; // the commands on every fourth input: JSON output and diffs cost more than parsing
      const io = memoryIo({ in: text, ref: TRACES[0]! });
      const codes = [expectClean(text, () => runTraceParse('in', io), []), expectClean(text, () => runTraceDiff('ref', 'in', 'volatile', io), [])];
      for (const c of codes) expect([0, 1, 2]).toContain(c);
      for (const line of io.err.split('\n').filter(Boolean)) expectCleanLine(line, 'stderr');
      for (const line of io.out.split('\n')) expect(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line) && !line.startsWith(' '), `stdout ${JSON.stringify(line)}`).toBe(false);
    }
  });
});
