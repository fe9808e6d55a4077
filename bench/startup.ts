// Start-up and worker throughput of the `podflow` command as a user runs it (bin/podflow.js, a child process):
// the CLI's start (`--version`, `list properties`) from the compiled dist/ and, for comparison, from the sources
// through tsx (what bin/podflow.js ran before dist/ existed); then `podflow fuzz` on the reference adapter for a
// short fixed budget with 1 and 2 workers: cases, cases/s, the ratio 2 workers : 1, CPU time, and how long each
// worker took to be ready and to check its first chunk (run.json `workers`). Wall time on a shared machine varies
// with the load: the CPU seconds beside it say how much of it was podflow's (GNU time, when /usr/bin/time exists).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchResult } from './run.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const GNU_TIME = '/usr/bin/time';
/** the fuzz budget per worker count: short enough for `npm run bench`, long enough that start-up is not all of it */
/** the issue's runs of 60 s (a 10 s run is mostly the workers' start: 0.71× in that bench) */
const FUZZ_SECONDS = 60;
const START_REPEATS = 5;

interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** user + system CPU of the command and its threads, ms (null without GNU time) */
  cpuMs: number | null;
}

function timed(args: string[], dir: string): Timed {
  const gnu = existsSync(GNU_TIME);
  const out = join(dir, `time-${process.hrtime.bigint()}`);
  const t0 = performance.now();
  const r = gnu
    ? spawnSync(GNU_TIME, ['-f', '%U %S', '-o', out, process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  let cpuMs: number | null = null;
  if (gnu && existsSync(out)) {
    const [u, s] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    if (Number.isFinite(u) && Number.isFinite(s)) cpuMs = Math.round((u! + s!) * 1000);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallMs, cpuMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median wall and CPU ms of a command run START_REPEATS times (after one run that warms the file cache). */
function startTime(args: string[], dir: string): BenchResult {
  timed(args, dir);
  const runs = Array.from({ length: START_REPEATS }, () => timed(args, dir));
  const bad = runs.find((r) => r.status !== 0);
  if (bad) return { error: `exit ${bad.status}: ${bad.stderr.split('\n')[0] ?? ''}` };
  const cpu = runs.map((r) => r.cpuMs);
  return { wallMs: Math.round(median(runs.map((r) => r.wallMs))), cpuMs: cpu.every((c) => c !== null) ? Math.round(median(cpu as number[])) : null };
}

function perWorker(xs: (number | null)[]): BenchResult {
  return Object.fromEntries(xs.map((x, i) => [String(i + 1), x]));
}

/** `podflow fuzz --time FUZZ_SECONDS s --seed 1 --workers N` on the reference adapter: what it checked and what it cost. */
function fuzz(workers: number, dir: string): BenchResult {
  const out = join(dir, `reports-${workers}`);
  const r = timed([BIN, 'fuzz', '--time', `${FUZZ_SECONDS}s`, '--seed', '1', '--workers', String(workers), '--out', out, '--no-corpus'], dir);
  const run = readdirSync(out).find((d) => d.includes('-seed1'));
  if (!run) return { error: `no run folder (exit ${r.status}): ${r.stderr.split('\n')[0] ?? ''}` };
  const info = JSON.parse(readFileSync(join(out, run, 'run.json'), 'utf8')) as { durationMs?: number; workers?: { readyMs?: number; firstChunkMs?: number }[] };
  const results = JSON.parse(readFileSync(join(out, run, 'results.json'), 'utf8')) as { runs: number }[];
  const cases = results.reduce((a, p) => a + p.runs, 0);
  const seconds = (info.durationMs ?? r.wallMs) / 1000;
  return {
    cases,
    casesPerSec: Math.round(cases / seconds),
    wallMs: Math.round(r.wallMs),
    cpuMs: r.cpuMs,
    casesPerCpuSec: r.cpuMs ? Math.round(cases / (r.cpuMs / 1000)) : null,
    // CPU cores the run kept busy (CPU time over wall time): V8's GC and compiler threads work beside the workers
    coresUsed: r.cpuMs ? Math.round((r.cpuMs / r.wallMs) * 100) / 100 : null,
    // per worker (1, 2, …): ms from its start until ready (modules loaded, adapter made) and until its first chunk was checked
    ...(info.workers ? { workerReadyMs: perWorker(info.workers.map((w) => w.readyMs ?? null)), workerFirstChunkMs: perWorker(info.workers.map((w) => w.firstChunkMs ?? null)) } : {}),
  };
}

export async function startupBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'podflow-bench-startup-'));
  try {
    // Whether bin/podflow.js runs dist/ (it says so on stderr when it falls back to the sources).
    const probe = timed([BIN, '--version'], dir);
    const compiled = probe.status === 0 && !/running the sources through tsx/.test(probe.stderr);
    const one = fuzz(1, dir);
    const two = fuzz(2, dir);
    return {
      compiled,
      ...(compiled ? {} : { note: `bin/podflow.js ran the sources through tsx: ${probe.stderr.split('\n')[0]} (npm run build)` }),
      versionBin: startTime([BIN, '--version'], dir),
      versionTsxSources: startTime(['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), '--version'], dir),
      listPropertiesBin: startTime([BIN, 'list', 'properties'], dir),
      listPropertiesTsxSources: startTime(['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), 'list', 'properties'], dir),
      fuzzSeconds: FUZZ_SECONDS,
      fuzzOneWorker: one,
      fuzzTwoWorkers: two,
      casesTwoWorkersOverOne: typeof one.cases === 'number' && typeof two.cases === 'number' && one.cases > 0 ? Math.round((two.cases / one.cases) * 100) / 100 : null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/startup.ts`: this suite alone.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) process.stdout.write(`${JSON.stringify(await startupBench(), null, 2)}\n`);
