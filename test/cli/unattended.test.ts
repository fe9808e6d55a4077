// What a run left alone at night must never do: say valid when nothing was checked (a dead lab, a budget too
// short, an interrupted run), lose a counterexample it found (SIGKILL), replace an older report, leave
// temporary files for ever, or find out after the run that it cannot write its results.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Adapter } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { runFuzz, type FuzzOptions } from '../../src/cli/fuzz.ts';
import { UsageError } from '../../src/cli/io.ts';
import type { RunInfo } from '../../src/cli/results.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-unattended-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = join(import.meta.dirname, '..', '..');

let k = 0;
function opts(over: Partial<FuzzOptions> = {}): FuzzOptions {
  const out = join(dir, `out-${++k}`);
  return { adapter: 'reference', seed: '1', out, corpus: false, ...over };
}
const quiet = (): void => {};
const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

describe('nothing checked is never valid', () => {
  test('a time budget too short to check anything (--time 1ms on a mutant) is inconclusive, exit 3', async () => {
    const r = await runFuzz(opts({ adapter: 'mutant:wrong-vni', time: '1ms', property: ['vxlan-wire-format', 'ttl-and-checksums'] }), quiet);
    expect(r.code).toBe(3);
    for (const p of r.result.properties) expect(p).toMatchObject({ verdict: 'unknown', checked: 0 });
    expect(existsSync(join(r.folder, 'report.html'))).toBe(true);
  });

  test('a run interrupted before any check (Ctrl-C) is inconclusive, exit 3, and still writes its report', async () => {
    const pending = runFuzz(opts({ property: ['vxlan-wire-format'] }), quiet);
    process.emit('SIGINT', 'SIGINT');
    const r = await pending;
    expect(r.code).toBe(3);
    expect(r.result.info).toMatchObject({ interrupted: true, status: 'interrupted' });
    expect(r.result.properties[0]!.unknownReasons.join()).toMatch(/no case was checked|interrupted before this property ran/);
    expect(readJson<RunInfo>(join(r.folder, 'run.json')).status).toBe('interrupted');
  });

  test('a VPP lab whose nodes do not answer (missing program, hanging program, no socket) is inconclusive, never valid', async () => {
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nsleep 30\n');
    chmodSync(hang, 0o755);
    const lab = join(dir, 'dead-lab.yaml');
    writeFileSync(lab, `version: 1\nnodes:\n  - id: 1\n    vppctl: [${join(dir, 'no-such-vppctl')}]\n    files: /tmp/podflow-dead-lab\n    gbe: host-gbe1\n  - id: 2\n    vppctl: [${hang}]\n    files: /tmp/podflow-dead-lab\n    gbe: host-gbe2\n    timeoutMs: 200\n  - id: 3\n    vppctl: [vppctl, -s, ${join(dir, 'no-such-cli.sock')}]\n    files: /tmp/podflow-dead-lab\n    gbe: host-gbe3\n`);
    const saved = process.env.PODFLOW_VPP_LAB;
    process.env.PODFLOW_VPP_LAB = lab;
    try {
      const r = await runFuzz(opts({ adapter: 'vpp', runs: '3', property: ['vxlan-never-source-nated', 'connection-verdict-equals-policy'] }), quiet);
      expect(r.code).toBe(3);
      expect(r.result.properties.every((p) => p.verdict === 'unknown' && (p.checked ?? 0) === 0)).toBe(true);
      expect(JSON.stringify(r.result)).toMatch(/no-such-vppctl|not available|no answer|unavailable/);
      expect(existsSync(join(r.folder, 'report.html'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PODFLOW_VPP_LAB;
      else process.env.PODFLOW_VPP_LAB = saved;
    }
  }, 60_000);

  test('an adapter that crashes (a plain error, not "unavailable") makes cases unknown, and the report is written', async () => {
    const crashing = (): Adapter => {
      const inner = new ReferenceAdapter();
      return { name: 'crashing', capabilities: inner.capabilities, setup: async () => { throw new Error('helper process exited'); }, apply: (a) => inner.apply(a), inject: (f) => inner.inject(f), reset: () => inner.reset(), teardown: async () => { throw new Error('teardown failed too'); } };
    };
    const lines: string[] = [];
    const r = await runFuzz(opts({ runs: '5', property: ['vxlan-wire-format'] }), (l) => lines.push(l), crashing);
    expect(r.code).toBe(3);
    expect(r.result.properties[0]!.unknownByReason).toEqual({ 'the check crashed: helper process exited': 5 });
    expect(lines.join('\n')).toMatch(/teardown failed: teardown failed too/);
    expect(existsSync(join(r.folder, 'summary.md'))).toBe(true);
  });
});

describe('nothing lost, nothing replaced', () => {
  test('--out and --corpus that cannot be written are a usage error before the run', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(runFuzz(opts({ out: join(file, 'reports') }), quiet)).rejects.toThrow(UsageError);
    await expect(runFuzz(opts({ corpus: join(file, 'corpus') }), quiet)).rejects.toThrow(/--corpus .*: not writable/);
  });

  test('two runs with the same seed and --out each keep their own folder', async () => {
    const out = join(dir, 'same');
    const a = await runFuzz({ adapter: 'reference', seed: '4', runs: '2', out, corpus: false, property: ['vxlan-wire-format'] }, quiet);
    const b = await runFuzz({ adapter: 'reference', seed: '4', runs: '2', out, corpus: false, property: ['vxlan-wire-format'] }, quiet);
    expect(a.folder).not.toBe(b.folder);
    expect(existsSync(join(a.folder, 'report.html')) && existsSync(join(b.folder, 'report.html'))).toBe(true);
  });

  test("leftovers of killed runs are cleaned by the next run; a live process's are not touched", async () => {
    const out = join(dir, 'leftovers');
    const corpus = join(dir, 'leftovers-corpus');
    const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
    mkdirSync(join(out, `.tmp-old-run-${dead}`), { recursive: true });
    mkdirSync(join(out, 'old-run', 'counterexamples', `.tmp-abc-${dead}`), { recursive: true });
    writeFileSync(join(out, 'old-run', 'run.json'), JSON.stringify({ runId: 'old-run', status: 'running', pid: dead }));
    mkdirSync(join(corpus, `.tmp-0123456789abcdef-${dead}`), { recursive: true });
    mkdirSync(join(out, `.tmp-busy-${process.pid}`));
    mkdirSync(join(out, `.tmp-recent-${dead}`)); // too recent: perhaps another host's, sharing the folder
    writeFileSync(join(out, 'notes.txt'), 'not podflow’s');
    const old = new Date(Date.now() - 3_600_000);
    for (const p of [join(out, `.tmp-old-run-${dead}`), join(out, 'old-run', 'counterexamples', `.tmp-abc-${dead}`), join(corpus, `.tmp-0123456789abcdef-${dead}`)]) utimesSync(p, old, old);
    await runFuzz({ adapter: 'reference', seed: '1', runs: '1', out, corpus, property: ['vxlan-wire-format'] }, quiet);
    expect(readdirSync(out).filter((n) => n.startsWith('.tmp-')).sort()).toEqual([`.tmp-busy-${process.pid}`, `.tmp-recent-${dead}`].sort());
    expect(readdirSync(join(out, 'old-run', 'counterexamples'))).toEqual([]);
    expect(readdirSync(corpus)).toEqual([]);
    expect(readJson<RunInfo>(join(out, 'old-run', 'run.json')).status).toBe('killed');
    expect(existsSync(join(out, 'notes.txt'))).toBe(true);
  });

  test('SIGKILL after the first counterexample: the entry is in the corpus and in the report folder', async () => {
    const out = join(dir, 'killed');
    const corpus = join(dir, 'killed-corpus');
    const loader = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    // vxlan-wire-format fails at once on this mutant; connection-lifecycle then runs for a minute.
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'src', 'cli', 'main.ts'), 'fuzz', '--adapter', 'mutant:wrong-vni', '--property', 'vxlan-wire-format', 'connection-lifecycle', '--time', '120s', '--out', out, '--corpus', corpus], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    const entry = (): string | undefined => (existsSync(corpus) ? readdirSync(corpus).find((n) => !n.startsWith('.')) : undefined);
    while (!entry() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const id = entry();
    // wait for results.json to name the finished property, then kill without warning
    const runFolder = (): string => join(out, readdirSync(out).find((n) => n.includes('-mutant-wrong-vni-'))!);
    // … and, chunk by chunk, what the property still running has checked so far
    while (Date.now() < deadline && !(existsSync(join(runFolder(), 'results.json')) && readFileSync(join(runFolder(), 'results.json'), 'utf8').includes('"connection-lifecycle"'))) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(id).toBeDefined();
    expect(existsSync(join(corpus, id!, 'case.json'))).toBe(true);
    expect(readdirSync(corpus, { withFileTypes: true }).filter((d) => d.name.startsWith('.tmp-'))).toEqual([]);
    const folder = runFolder();
    expect(existsSync(join(folder, 'counterexamples', id!, 'claims.json'))).toBe(true);
    expect(readdirSync(join(folder, 'counterexamples', id!)).some((f) => f.startsWith('received-') && f.endsWith('.pcap'))).toBe(true);
    const results = readJson<{ id: string; verdict: string }[]>(join(folder, 'results.json'));
    expect(results.find((p) => p.id === 'vxlan-wire-format')?.verdict).toBe('invalid');
    // the property it was killed in: its cases so far, unknown (never valid), marked in progress
    const partial = readJson<{ id: string; verdict: string; runs: number; inProgress?: boolean; unknownReasons: string[] }[]>(join(folder, 'results.json')).find((p) => p.id === 'connection-lifecycle');
    expect(partial).toMatchObject({ verdict: 'unknown', inProgress: true });
    expect(partial!.runs).toBeGreaterThan(0);
    expect(partial!.unknownReasons[0]).toMatch(/the run ended before this property finished \(\d+ cases so far\)/);
    expect(readJson<RunInfo>(join(folder, 'run.json')).status).toBe('running');
    // the next run marks it killed
    await runFuzz({ adapter: 'reference', seed: '1', runs: '1', out, corpus: false, property: ['vxlan-wire-format'] }, quiet);
    expect(readJson<RunInfo>(join(folder, 'run.json')).status).toBe('killed');
  }, 90_000);

  test('SIGTERM to the podflow wrapper reaches the run: it stops, writes its report and exits with its code', async () => {
    const out = join(dir, 'wrapper');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'podflow.js'), 'fuzz', '--property', 'connection-lifecycle', '--time', '120s', '--out', out, '--no-corpus'], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (!(existsSync(out) && readdirSync(out).some((n) => n.includes('-reference-'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const folder = join(out, readdirSync(out).find((n) => n.includes('-reference-'))!);
    const info = readJson<RunInfo>(join(folder, 'run.json'));
    expect(info.status).toBe('interrupted');
    expect(existsSync(join(folder, 'report.html'))).toBe(true);
    // the interrupted property checked cases: valid (0), or inconclusive (3) had the signal come before any
    expect([0, 3]).toContain(code);
  }, 90_000);
});

test('createAdapter is the default adapter factory', () => {
  expect(createAdapter('reference').name).toBe('reference(vpp-18.01-contiv)');
});

describe('an adapter that cannot run here', () => {
  test('the kernel adapter without nft: one line before the run, exit 3, and the report says why', async () => {
    const { symlinkSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const bin = join(dir, 'path-without-nft');
    mkdirSync(bin);
    for (const tool of ['ip', 'bridge', 'sysctl', 'python3']) {
      const at = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    const saved = process.env.PATH;
    process.env.PATH = bin;
    const lines: string[] = [];
    try {
      const r = await runFuzz(opts({ adapter: 'kernel', runs: '3', property: ['vxlan-wire-format'] }), (l) => lines.push(l));
      expect(r.code).toBe(3);
      expect(r.result.info.unavailable).toMatch(/nft|root/);
      expect(r.result.info.unavailable!.split('\n')).toHaveLength(1);
      expect(lines.join('\n')).toMatch(/podflow: adapter kernel is not available: /);
      expect(r.result.properties[0]!.unknownReasons[0]).toMatch(/^adapter unavailable: /);
      expect(existsSync(join(r.folder, 'report.html'))).toBe(true);
    } finally {
      process.env.PATH = saved;
    }
  });
});
