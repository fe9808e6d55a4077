// Fuzzer speed: cases per second of the default catalogue mix on one worker (each property's generated cases
// checked against the reference adapter), and the median time-to-kill of the named mutants (cases and ms
// until the first property fails).
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { killMatrix } from '../src/cli/mutants.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { PROPERTIES } from '../src/properties/index.ts';
import { profiled, selfTimes, selfTimesByFile } from './profile.ts';
import type { BenchResult } from './run.ts';
import type { Adapter } from '../src/adapters/adapter.ts';
import type { PropertyDef } from '../src/properties/types.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * The default mix measured: each property's `runs` cases (seed 7, chunks of 25, grouped by topology as podflow
 * fuzz runs them unless told otherwise) on the adapter, one after the other; cases, wall and CPU ms in all, and cases/s per property.
 */
export async function measureMix(adapter: Adapter, props: readonly PropertyDef<any>[], runs: number, groupByTopology = true): Promise<{ cases: number; ms: number; cpuMs: number; perProperty: Record<string, number> }> {
  const perProperty: Record<string, number> = {};
  let cases = 0;
  let ms = 0;
  let cpuMs = 0;
  for (const p of props) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await runProperty(p, adapter, { seed: 7, runs, chunk: 25, groupByTopology, interrupted: () => false });
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cases += r.runs;
    ms += dt;
    cpuMs += (c.user + c.system) / 1000;
    perProperty[p.id] = Math.round((r.runs / dt) * 1000);
  }
  return { cases, ms, cpuMs, perProperty };
}

export async function fuzzBench(): Promise<BenchResult> {
  const adapter = new ReferenceAdapter();
  const perProperty: BenchResult = {};
  // Warm-up (JIT): a fuzz run lasts a minute or more, so the figure of interest is the steady state.
  // (Measured: the first few thousand cases run at half speed while V8 optimises and sizes its heap; 2 × 500
  // cases per property is past that.)
  for (let round = 0; round < 2; round++) for (const p of PROPERTIES) await runProperty(p, adapter, { seed: 99 + round, runs: 500, chunk: 25, groupByTopology: true, interrupted: () => false });
  const { cases, ms, cpuMs, perProperty: byProperty } = await measureMix(adapter, PROPERTIES, 1000);
  Object.assign(perProperty, byProperty);
  // The same mix with a topology per case (--cases-per-topology 1), as podflow fuzz ran before grouping.
  const single = await measureMix(adapter, PROPERTIES, 1000, false);
  // Where the time goes: the same mix again (fewer cases) under the in-process CPU profiler (node:inspector, the
  // sampler of `node --cpu-prof`), after the measurement so the sampling does not slow the figures above.
  // `npx tsx bench/profile-fuzz.ts` writes the whole profile (.cpuprofile) with longer lists.
  const profile = await profiled(async () => {
    for (const p of PROPERTIES) await runProperty(p, adapter, { seed: 8, runs: 300, chunk: 25, groupByTopology: true, interrupted: () => false });
  });
  const top: BenchResult = {};
  for (const f of selfTimes(profile).slice(0, 12)) top[f.fn] = f.selfPct;
  const files: BenchResult = {};
  for (const f of selfTimesByFile(profile).slice(0, 8)) files[f.file] = f.selfPct;
  const rows = await killMatrix({ runs: 100, seed: 1, stopAtFirstKill: true });
  return {
    casesPerSecOneWorker: Math.round((cases / ms) * 1000),
    /** per second of this process's CPU time (less sensitive to other load on the machine than wall time) */
    casesPerCpuSecOneWorker: Math.round((cases / cpuMs) * 1000),
    casesPerSecOneWorkerOneTopologyPerCase: Math.round((single.cases / single.ms) * 1000),
    casesPerSecByProperty: perProperty,
    /** top functions by self time (% of the profiled mix), and self time per source file */
    profile: { selfPctByFunction: top, selfPctByFile: files },
    mutants: rows.length,
    killed: rows.filter((r) => r.killed).length,
    medianCasesToKill: median(rows.filter((r) => r.killed).map((r) => r.casesToKill!)),
    medianMsToKill: median(rows.filter((r) => r.killed).map((r) => r.msToKill!)),
    msToKillByMutant: Object.fromEntries(rows.map((r) => [r.mutant, r.msToKill ?? null])),
  };
}
