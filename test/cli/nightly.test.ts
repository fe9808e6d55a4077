// The nightly loop as a user meets it: every run explores fresh cases (a new seed, printed and recorded) and
// keeps its own sortable folder; every replay command podflow prints works exactly as printed; a report's
// scenario runs in `podflow explain`; JUnit carries every counterexample with its replay command; and
// `podflow list` names what can be chosen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { listText } from '../../src/cli/list.ts';
import { PROPERTIES } from '../../src/properties/index.ts';
import { MUTANTS } from '../../src/reference/mutants/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const dir = mkdtempSync(join(tmpdir(), 'podflow-nightly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `podflow …` in a folder of its own, as a user types it there. */
function podflow(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', LOADER, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('fresh exploration every run', () => {
  test('two runs without --seed draw different seeds, print them, and keep two sortable folders', async () => {
    const out = join(dir, 'two-runs');
    const lines: string[] = [];
    const a = await runFuzz({ adapter: 'reference', runs: '5', out, corpus: false, property: ['vxlan-wire-format'] }, (l) => lines.push(l));
    const b = await runFuzz({ adapter: 'reference', runs: '5', out, corpus: false, property: ['vxlan-wire-format'] }, (l) => lines.push(l));
    expect(a.result.info.seed).not.toBe(b.result.info.seed);
    expect(lines.filter((l) => /^podflow: run .* seed \d+ \(fresh; pin it with --seed/.test(l))).toHaveLength(2);
    const folders = readdirSync(out).filter((n) => n !== 'latest' && n !== 'index.html');
    expect(folders).toHaveLength(2);
    // the history page follows every run: both runs are on it
    const history = readFileSync(join(out, 'index.html'), 'utf8');
    for (const r of [a, b]) expect(history).toContain(r.result.info.runId);
    for (const f of folders) expect(f).toMatch(/^\d{8}T\d{6}Z-reference-seed\d+$/);
    expect([...folders].sort()).toEqual([a.folder, b.folder].map((f) => f.split('/').pop()).sort());
    // sortable: the start time leads the name
    expect(folders.map((f) => f.slice(0, 16)).every((t, _i, all) => t <= all[all.length - 1]!)).toBe(true);
    for (const r of [a, b]) {
      const info = JSON.parse(readFileSync(join(r.folder, 'run.json'), 'utf8')) as { seed: number; startedAt: string; endedAt: string };
      expect(info.seed).toBe(r.result.info.seed);
      expect(Date.parse(info.endedAt)).toBeGreaterThanOrEqual(Date.parse(info.startedAt));
      expect(readFileSync(join(r.folder, 'summary.md'), 'utf8')).toContain(`seed ${info.seed}`);
    }
  });

  test('--seed pins the cases: the same seed gives the same results', async () => {
    const out = join(dir, 'pinned');
    const a = await runFuzz({ adapter: 'reference', runs: '20', seed: '77', out, corpus: false, property: ['connection-lifecycle'] }, () => {});
    const b = await runFuzz({ adapter: 'reference', runs: '20', seed: '77', out, corpus: false, property: ['connection-lifecycle'] }, () => {});
    expect(a.result.properties[0]!.coverage).toEqual(b.result.properties[0]!.coverage);
  });
});

describe('every printed replay command works as printed', () => {
  const cases: [string, string[]][] = [
    ['the default corpus (the id alone)', []],
    ['another corpus', ['--corpus', 'elsewhere']],
    ['no corpus (the report folder)', ['--no-corpus']],
  ];
  test.each(cases)('%s', (_name, extra) => {
    const cwd = join(dir, `replay-${extra.join('') || 'default'}`);
    mkdirSync(cwd);
    const run = podflow(cwd, 'fuzz', '--adapter', 'mutant:wrong-vni', '--property', 'vxlan-wire-format', '--runs', '50', ...extra);
    expect(run.code, run.err).toBe(1);
    const printed = /replay: (npx podflow replay \S+)/.exec(run.out)?.[1];
    expect(printed, run.out).toBeDefined();
    const args = printed!.split(' ').slice(2); // after `npx podflow`
    const replay = podflow(cwd, ...args);
    expect(replay.out).toMatch(/^invalid .* vxlan-wire-format on mutant:wrong-vni: /m);
    expect(replay.out).toMatch(/1 entry replayed, 1 still failing/);
    expect(replay.code).toBe(1);
    // the report's summary and html print the same command
    const folder = join(cwd, 'reports', readdirSync(join(cwd, 'reports')).find((n) => n !== 'latest' && n !== 'index.html')!);
    expect(readFileSync(join(folder, 'summary.md'), 'utf8')).toContain(printed!);
    expect(readFileSync(join(folder, 'report.html'), 'utf8')).toContain(printed!);
  }, 120_000);
});

describe('reports a person and a CI system read', () => {
  test("a counterexample's scenario.json runs in podflow explain as is; JUnit lists every counterexample with its replay command", async () => {
    const out = join(dir, 'explain');
    const r = await runFuzz({ adapter: 'mutant:wrong-vni', runs: '50', seed: '3', out, corpus: false, property: ['vxlan-wire-format', 'vxlan-never-source-nated'] }, () => {});
    expect(r.code).toBe(1);
    const cxs = r.result.properties.flatMap((p) => p.counterexamples);
    expect(cxs.length).toBeGreaterThan(0);
    for (const cx of cxs) {
      const scenario = join(r.folder, 'counterexamples', cx.id, 'scenario.json');
      expect(existsSync(scenario)).toBe(true);
      const ex = podflow(ROOT, 'explain', scenario);
      expect(ex.err).toBe('');
      expect(ex.code).toBe(0);
      expect(ex.out).toMatch(/vxlan4-encap/);
    }
    const junit = readFileSync(join(r.folder, 'junit.xml'), 'utf8');
    for (const cx of cxs) {
      expect(junit).toContain(`counterexample ${cx.id}`);
      expect(junit).toContain(`replay: npx podflow replay ${join(r.folder, 'counterexamples', cx.id)}`);
      expect(junit).toContain(`report.html#cx-${cx.id}`);
    }
    expect(junit).toContain('npx podflow fuzz --adapter mutant:wrong-vni --property vxlan-wire-format --seed 3');
  }, 120_000);

  test('podflow list names every property, adapter kind and mutant', () => {
    const props = listText('properties');
    for (const p of PROPERTIES) expect(props).toContain(p.id);
    const muts = listText('mutants');
    for (const m of MUTANTS) expect(muts).toContain(m.id);
    expect(listText('adapters')).toMatch(/^kernel {2,}/m);
    expect(() => listText('things')).toThrow(/expected one of properties, adapters, mutants/);
  });
});
