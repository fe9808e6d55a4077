// .github/workflows/podflow.yml: valid YAML and a workflow whose parts agree with each other and with podflow —
// the nightly's shards cover 1..N and say --shard K/N with that N, the merge needs the shards and downloads what
// they upload, every `npx podflow …` parses with podflow's own option parser, every `npm run X` exists, and the
// verdict and merge steps, run for real, fail a night on exit 1 and on exit 3.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDuration, parseShard, runFuzz } from '../../src/cli/fuzz.ts';
import { at, cronProblems, expandVars, isRecord, loadYamlDocs, npmRunScripts, parsePodflow, podflowCommands, readRepoFile } from './support.ts';
import { podflowShims, runBash } from './run-script.ts';

const FILE = '.github/workflows/podflow.yml';
const text = readRepoFile(FILE);

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  'runs-on'?: string;
  container?: { image?: string; options?: string };
  env?: Record<string, unknown>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  steps: Step[];
}

function workflow(): { on: Record<string, unknown>; jobs: Record<string, Job> } {
  const docs = loadYamlDocs(text, FILE);
  expect(docs).toHaveLength(1);
  const wf = docs[0];
  if (!isRecord(wf) || !isRecord(wf.on) || !isRecord(wf.jobs)) throw new Error(`${FILE}: expected a mapping with 'on' and 'jobs'`);
  return wf as { on: Record<string, unknown>; jobs: Record<string, Job> };
}

const needsOf = (j: Job): string[] => (j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs : [j.needs]);
const runSteps = (j: Job): Step[] => j.steps.filter((s) => typeof s.run === 'string');
const stepByName = (j: Job, part: string): Step => {
  const s = j.steps.find((x) => (x.name ?? '').includes(part));
  if (!s) throw new Error(`no step whose name contains '${part}'`);
  return s;
};

/** ${{ expr }} → a value: matrix.shard → the shard, anything else → a neutral word. */
function expandExpressions(s: string, shard: number): string {
  return s.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, e: string) => (e === 'matrix.shard' ? String(shard) : 'EXPR'));
}

/** `${{ a.b }}` → `${{a.b}}`: one shell word, as GitHub substitutes it before the shell sees the script. */
const compact = (s: string): string => s.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, '${{$1}}');

/** The N of a nightly: the fuzz job's matrix must be exactly [1..N]. */
function shardCount(jobs: Record<string, Job>): number {
  const list = at(jobs.fuzz, 'strategy', 'matrix', 'shard');
  if (!Array.isArray(list) || list.length === 0) throw new Error('jobs.fuzz.strategy.matrix.shard: expected a list of shard numbers');
  return list.length;
}

describe(FILE, () => {
  test('is one YAML 1.2 document without duplicate keys, errors or warnings', () => {
    expect(() => loadYamlDocs(text, FILE)).not.toThrow();
    // The same text with a key repeated is refused (the check can fail).
    expect(() => loadYamlDocs(text.replace('permissions:\n  contents: read', 'permissions:\n  contents: read\n  contents: read'), FILE)).toThrow(/unique|duplicate/i);
  });

  test('triggers: push, pull_request, a nightly schedule with valid 5-field crons, workflow_dispatch', () => {
    const { on } = workflow();
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['push', 'pull_request', 'schedule', 'workflow_dispatch']));
    const schedule = on.schedule;
    expect(Array.isArray(schedule) && schedule.length > 0).toBe(true);
    for (const entry of schedule as unknown[]) {
      const cron = at(entry, 'cron');
      expect(typeof cron).toBe('string');
      expect(cronProblems(cron as string), String(cron)).toEqual([]);
    }
    expect(cronProblems('17 2 * *')).not.toEqual([]);
    expect(cronProblems('61 2 * * *')).not.toEqual([]);
  });

  test('every job it needs exists, and the nightly jobs are wired seed -> fuzz -> merge', () => {
    const { jobs } = workflow();
    for (const [name, job] of Object.entries(jobs)) {
      for (const n of needsOf(job)) expect(Object.keys(jobs), `${name} needs ${n}`).toContain(n);
      expect(Array.isArray(job.steps) && job.steps.length > 0, `${name} has steps`).toBe(true);
    }
    expect(Object.keys(jobs)).toEqual(expect.arrayContaining(['ci', 'seed', 'fuzz', 'merge']));
    expect(needsOf(jobs.fuzz!)).toContain('seed');
    expect(needsOf(jobs.merge!)).toEqual(expect.arrayContaining(['seed', 'fuzz']));
    // The merge runs when shards failed (that is when it matters), not only when all passed.
    expect(jobs.merge!.if ?? '').toMatch(/!cancelled\(\)|always\(\)/);
    expect(jobs.fuzz!.strategy?.['fail-fast']).toBe(false);
  });

  test('the CI job runs .ci/run on Node 20 as root (kernel tests), VPP lab tests from PODFLOW_VPP_TARBALL_URL or explicitly left out', () => {
    const { jobs } = workflow();
    const ci = jobs.ci!;
    expect(ci.if ?? '').toMatch(/push/);
    expect(ci.if ?? '').toMatch(/pull_request/);
    expect(ci.container?.image ?? '').toMatch(/^node:20\b/);
    expect(ci.container?.options ?? '').toMatch(/--privileged/);
    const scripts = runSteps(ci).map((s) => s.run!).join('\n');
    expect(scripts).toMatch(/bash \.ci\/run/);
    // Without a VPP, CI is unset for .ci/run only (it then excludes the lab tests instead of failing), with a warning.
    expect(scripts).toMatch(/env -u CI bash \.ci\/run/);
    expect(scripts).toMatch(/::warning/);
    expect(scripts).toMatch(/PODFLOW_VPP_BIN=/);
    expect(String(ci.env?.VPP_URL)).toMatch(/PODFLOW_VPP_TARBALL_URL/);
    expect(existsSync(join(import.meta.dirname, '..', '..', '.ci', 'run'))).toBe(true);
  });

  test('the matrix is exactly shards 1..N and every podflow fuzz says --shard ${{ matrix.shard }}/N with that N', () => {
    const { jobs } = workflow();
    const n = shardCount(jobs);
    expect(at(jobs.fuzz, 'strategy', 'matrix', 'shard')).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const fuzzCommands = runSteps(jobs.fuzz!).flatMap((s) => podflowCommands(compact(s.run!))).filter((c) => c[0] === 'fuzz');
    expect(fuzzCommands).toHaveLength(1);
    const cmd = fuzzCommands[0]!;
    const shardArg = cmd[cmd.indexOf('--shard') + 1];
    expect(shardArg).toBe(`\${{matrix.shard}}/${n}`);
    const covered = Array.from({ length: n }, (_, i) => parseShard(expandExpressions(shardArg!, i + 1)));
    expect(covered).toEqual(Array.from({ length: n }, (_, i) => ({ index: i + 1, count: n })));
    // One seed for all shards: from the seed job's output, never the default seed 1.
    expect(cmd).toContain('--seed');
    expect(String(jobs.fuzz!.env?.SEED)).toBe('${{ needs.seed.outputs.seed }}');
    expect(String(jobs.merge!.env?.SEED)).toBe('${{ needs.seed.outputs.seed }}');
    expect(cmd).toContain('--time');
    expect(() => parseDuration(/'(\d+[a-z]+)'\s*\}\}\s*$/.exec(String(at(jobs.seed, 'steps', 0, 'env', 'INPUT_TIME')))?.[1] ?? '')).not.toThrow();
    // The merge job counts the same N.
    expect(String(jobs.merge!.env?.SHARDS)).toBe(String(n));
  });

  test('artifact names agree: each shard uploads podflow-shard-<K>, the merge downloads that pattern and reads what it names', () => {
    const { jobs } = workflow();
    const n = shardCount(jobs);
    const upload = jobs.fuzz!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    const names = Array.from({ length: n }, (_, i) => expandExpressions(String(upload?.with?.name), i + 1));
    expect(new Set(names).size).toBe(n);
    const download = jobs.merge!.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    const pattern = String(download?.with?.pattern);
    const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    for (const name of names) expect(name).toMatch(glob);
    // The merge script reads the folders download-artifact makes: <path>/<artifact name>/.
    const mergeScript = stepByName(jobs.merge!, 'podflow merge').run!;
    const downloadDir = String(download?.with?.path);
    expect(mergeScript).toContain(`${downloadDir}/${String(upload?.with?.name).replace('${{ matrix.shard }}', '$k')}/`);
    // The fuzz step writes under the folder the shard uploads.
    const uploadPath = String(upload?.with?.path).split('\n')[0]!.trim().replace(/\/$/, '');
    const fuzzCmd = runSteps(jobs.fuzz!).flatMap((s) => podflowCommands(compact(s.run!))).find((c) => c[0] === 'fuzz')!;
    expect(fuzzCmd[fuzzCmd.indexOf('--out') + 1]!.startsWith(`${uploadPath}/`)).toBe(true);
    expect(fuzzCmd[fuzzCmd.indexOf('--corpus') + 1]!.startsWith(`${uploadPath}/`)).toBe(true);
    // The merged report and corpus uploads name folders the merge script fills.
    for (const up of jobs.merge!.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'))) {
      expect(up.if).toBe('always()');
      expect(mergeScript).toContain(String(up.with?.path).replace(/\/$/, ''));
    }
  });

  test('every npx podflow command in a run: step parses with podflow\'s own options; every npm run script exists', () => {
    const { jobs } = workflow();
    const pkg = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    let count = 0;
    for (const [name, job] of Object.entries(jobs)) {
      for (const step of runSteps(job)) {
        for (const argv of podflowCommands(expandExpressions(step.run!, 1))) {
          const env = { SEED: '20261204', ADAPTER: 'reference', TIME: '40m', SHARDS: '4', RUNNER_TEMP: '/tmp/r' };
          const parsed = parsePodflow(argv.map((w) => expandVars(w, env)));
          expect(parsed.command.length, `${name}: podflow ${argv.join(' ')}`).toBeGreaterThan(0);
          count++;
        }
        for (const script of npmRunScripts(step.run!)) expect(Object.keys(pkg.scripts), `${name}: npm run ${script}`).toContain(script);
      }
    }
    // fuzz, lab vpp up, lab vpp down, merge
    expect(count).toBeGreaterThanOrEqual(4);
    for (const script of npmRunScripts(readRepoFile('.ci/run'))) expect(Object.keys(pkg.scripts), `.ci/run: npm run ${script}`).toContain(script);
    // The parser refuses what podflow would refuse (the check can fail).
    expect(() => parsePodflow(['fuzz', '--shards', '1/4'])).toThrow(/unknown option/);
    expect(() => parsePodflow(['merg', 'x'])).toThrow(/unknown command/);
    expect(podflowCommands('echo "npx podflow fuzz --bogus"; npx podflow fuzz --seed 1 > log')).toEqual([['fuzz', '--seed', '1']]);
  });

  test('the shard verdict step fails on exit 1 (invalid) and 3 (inconclusive), passes on 0 only', () => {
    const { jobs } = workflow();
    const verdict = stepByName(jobs.fuzz!, 'Verdict');
    expect(String(verdict.env?.CODE)).toBe('${{ steps.fuzz.outputs.code }}');
    const fuzzStep = jobs.fuzz!.steps.find((s) => s.id === 'fuzz');
    expect(fuzzStep?.run).toMatch(/code=\$code" >> "\$GITHUB_OUTPUT"/);
    const script = expandExpressions(verdict.run!, 2);
    const dir = mkdtempSync(join(tmpdir(), 'podflow-recipes-'));
    try {
      const shims = dir;
      for (const [code, pass] of [['0', true], ['1', false], ['3', false], ['2', false], ['4', false]] as const) {
        const r = runBash(script, { cwd: dir, env: { CODE: code, SEED: '7' }, shims, bashFlags: ['-e'] });
        expect(r.status === 0, `CODE=${code}: ${r.stdout}${r.stderr}`).toBe(pass);
        if (code === '1') expect(r.stdout).toMatch(/::error title=[^:]*INVALID/);
        if (code === '3') expect(r.stdout).toMatch(/::error title=[^:]*INCONCLUSIVE/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the merge job\'s steps, run for real on shard folders from podflow fuzz', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podflow-recipes-gh-'));
    const SEED = '20261204';
    let n = 0;
    beforeAll(async () => {
      n = shardCount(workflow().jobs);
      for (let k = 1; k <= n; k++) {
        const night = join(dir, 'shards', `podflow-shard-${k}`);
        mkdirSync(join(night, 'reports'), { recursive: true });
        await runFuzz({ adapter: 'reference', runs: '1', seed: SEED, shard: `${k}/${n}`, out: join(night, 'reports'), corpus: false }, () => {});
        rmSync(join(night, 'reports', 'latest'), { force: true }); // as uploaded: the link is left out
        writeFileSync(join(night, 'exit-code'), '0\n');
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function runMergeStep(cwd: string): { code: string; summary: string; status: number | null; out: string } {
      const { jobs } = workflow();
      const step = stepByName(jobs.merge!, 'podflow merge');
      const output = join(cwd, 'gh-output');
      const summary = join(cwd, 'gh-summary');
      writeFileSync(output, '');
      writeFileSync(summary, '');
      const r = runBash(expandExpressions(step.run!, 1), { cwd, env: { SEED, SHARDS: String(n), GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary }, shims: podflowShims(cwd), bashFlags: ['-e'] });
      const code = /^code=(\d+)$/m.exec(readFileSync(output, 'utf8'))?.[1] ?? '';
      return { code, summary: readFileSync(summary, 'utf8'), status: r.status, out: r.stdout + r.stderr };
    }

    function verdictStatus(code: string): number | null {
      const step = stepByName(workflow().jobs.merge!, 'Verdict');
      return runBash(step.run!, { cwd: dir, env: { CODE: code, SEED }, shims: dir, bashFlags: ['-e'] }).status;
    }

    test('all shards: merged, summary.md in the step summary, the merged folder ready to upload, verdict passes', () => {
      const r = runMergeStep(dir);
      expect(r.status, r.out).toBe(0);
      expect(r.code, r.out).toBe('0');
      expect(r.summary).toContain(`podflow nightly, seed ${SEED}`);
      expect(r.summary).toMatch(/\| 1\/\d+ \| 0 \|/);
      const merged = readdirSync(join(dir, 'night-report'));
      expect(merged).toHaveLength(1);
      expect(merged[0]).toMatch(/^merged-/);
      expect(r.summary).toContain(readFileSync(join(dir, 'night-report', merged[0]!, 'summary.md'), 'utf8').trim().split('\n')[0]!);
      expect(verdictStatus(r.code)).toBe(0);
    });

    test('a shard missing: the night is incomplete (code 3) and the verdict fails', () => {
      const cwd = join(dir, 'missing');
      mkdirSync(cwd);
      for (let k = 1; k < n; k++) {
        mkdirSync(join(cwd, 'shards'), { recursive: true });
        // copy by hand (no cp -r dependency on the host)
        const src = join(dir, 'shards', `podflow-shard-${k}`);
        runBash(`cp -r "${src}" "${join(cwd, 'shards')}/"`, { cwd, env: {}, shims: cwd });
      }
      const r = runMergeStep(cwd);
      expect(r.code, r.out).toBe('3');
      expect(r.out).toMatch(/incomplete/);
      expect(r.summary).toContain(`| ${n}/${n} | no run folder |`);
      expect(verdictStatus(r.code)).not.toBe(0);
      expect(verdictStatus('1')).not.toBe(0);
      expect(verdictStatus('2')).not.toBe(0);
    });
  });
});
