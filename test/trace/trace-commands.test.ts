// `podflow trace parse|diff` (src/cli/trace-commands.ts), kept next to the trace tests it exercises:
// JSON with hex bytes, `FILE:LINE:` diagnostics, one-line I/O errors, exit codes 0 / 1 / 2.
import { afterEach, describe, expect, test } from 'vitest';
import { Command } from 'commander';
import { registerTraceCommands, runTraceDiff, runTraceParse, type TraceIo } from '../../src/cli/trace-commands.ts';
import { fixtureText } from './fixtures.ts';

const REQ = fixtureText('pod-to-pod-different-nodes.request.txt');

function memoryIo(files: Record<string, string>): TraceIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    readFile(path: string): string {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return text;
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

describe('trace parse', () => {
  test('prints the parse result as JSON with byte arrays as hex; exit 0', () => {
    const io = memoryIo({ 'req.txt': REQ });
    expect(runTraceParse('req.txt', io)).toBe(0);
    const json = JSON.parse(io.out) as { captures: { records: { node: string; body: { bytes?: unknown } }[] }[]; diagnostics: unknown[] };
    expect(json.diagnostics).toEqual([]);
    expect(json.captures).toHaveLength(2);
    expect(json.captures[0]!.records[7]!.body.bytes).toBe('1a2b3c4d5e021a2b3c4d5e0108004500003c309f40003f06f4020a01010c0a01020dee441f90d26ce55100000000a002721023370000020405b40402');
    expect(io.err).toBe('');
  });

  test('diagnostics go to stderr as FILE:LINE: message, still exit 0', () => {
    const io = memoryIo({ 'bad.txt': 'junk\n00:00:01:000000: vxlan4-encap\n  VXLAN encap to nowhere\n' });
    expect(runTraceParse('bad.txt', io)).toBe(0);
    expect(io.err.split('\n').filter(Boolean)).toEqual(['bad.txt:1: unrecognized line: "junk"', 'bad.txt:3: vxlan4-encap: body does not match the vxlan4-encap format at "  VXLAN encap to nowhere"']);
  });

  test('an unreadable file is one line naming the file; exit 2', () => {
    const io = memoryIo({});
    expect(runTraceParse('missing.txt', io)).toBe(2);
    expect(io.err).toBe('podflow trace parse: cannot read missing.txt: no such file\n');
    expect(io.out).toBe('');
  });
});

describe('trace diff', () => {
  test('identical files: `identical (N fields masked)`, exit 0', () => {
    const io = memoryIo({ a: REQ, b: REQ });
    expect(runTraceDiff('a', 'b', 'volatile', io)).toBe(0);
    expect(io.out).toMatch(/^identical \(\d+ fields masked\)\n$/);
    expect(Number(/\((\d+)/.exec(io.out)![1])).toBeGreaterThan(0);
    const none = memoryIo({ a: REQ, b: REQ });
    runTraceDiff('a', 'b', 'none', none);
    expect(none.out).toBe('identical (0 fields masked)\n');
  });

  test('the first divergence: capture, record, node, field, expected, actual; exit 1', () => {
    const changed = REQ.replace('tos 0x00, ttl 62, length 60, checksum 0xf502', 'tos 0x00, ttl 61, length 60, checksum 0xf502');
    const io = memoryIo({ a: REQ, b: changed });
    expect(runTraceDiff('a', 'b', 'volatile', io)).toBe(1);
    expect(io.out).toBe(
      [
        "different: capture 2 (SYN from the server's node:)",
        '  record   18 (index 17)',
        '  node     tap12-output',
        '  field    ip.ttl',
        '  expected 62',
        '  actual   61',
        '',
      ].join('\n'),
    );
  });

  test('a timestamp-only difference is identical under the volatile masks but not under none', () => {
    const changed = REQ.replace('04:26:22:973829: virtio-input', '04:26:23:000001: virtio-input');
    expect(runTraceDiff('a', 'b', 'volatile', memoryIo({ a: REQ, b: changed }))).toBe(0);
    expect(runTraceDiff('a', 'b', 'none', memoryIo({ a: REQ, b: changed }))).toBe(1);
  });

  test('different capture counts, unknown mask set, unreadable file', () => {
    const one = REQ.slice(0, REQ.indexOf("SYN from the server's node:"));
    const io = memoryIo({ a: REQ, b: one });
    expect(runTraceDiff('a', 'b', 'volatile', io)).toBe(1);
    expect(io.out).toBe('different: 2 captures expected, 1 actual\n');
    expect(runTraceDiff('a', 'b', 'bogus', memoryIo({ a: REQ, b: REQ }))).toBe(2);
    const missing = memoryIo({ a: REQ });
    expect(runTraceDiff('a', 'nope', 'volatile', missing)).toBe(2);
    expect(missing.err).toBe('podflow trace diff: cannot read nope: no such file\n');
  });
});

describe('registerTraceCommands', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
  });

  test('adds `trace parse` and `trace diff` with a --mask choice; by default actions set process.exitCode', async () => {
    const program = new Command().exitOverride();
    registerTraceCommands(program);
    const trace = program.commands.find((c) => c.name() === 'trace')!;
    expect(trace.commands.map((c) => c.name())).toEqual(['parse', 'diff']);
    const diff = trace.commands[1]!;
    expect(diff.options.map((o) => o.long)).toEqual(['--mask']);
    await program.parseAsync(['trace', 'parse', '/nonexistent/podflow-trace.txt'], { from: 'user' }).catch(() => undefined);
    expect(process.exitCode).toBe(2);
  });

  test('with a setExit recorder (as main.ts passes) the code goes there', async () => {
    const codes: number[] = [];
    const program = new Command().exitOverride();
    registerTraceCommands(program, (code) => codes.push(code));
    await program.parseAsync(['trace', 'parse', '/nonexistent/podflow-trace.txt'], { from: 'user' });
    expect(codes).toEqual([2]);
  });
});
