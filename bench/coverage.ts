// Coverage per case budget, steered and not (issue 12, item 4): the whole catalogue on the reference adapter with
// N cases per property (seeded, so the figures are the same on every machine), and per category how much of the
// universe (src/cli/coverage.ts) was hit; the share of cases that reached the rarest graph node, drop reason and
// odd-packet kind (steering should raise it); and the cases checked per second either way (its cost).
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { addCoverage, coverageUniverse, summarizeCoverage } from '../src/cli/coverage.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { PROPERTIES } from '../src/properties/index.ts';
import type { BenchResult } from './run.ts';

const BUDGETS = [50, 200, 1000];

async function catalogue(runs: number, steer: boolean): Promise<{ total: Record<string, number>; cases: number; ms: number }> {
  const adapter = new ReferenceAdapter();
  const total: Record<string, number> = {};
  let cases = 0;
  const t0 = performance.now();
  for (const p of PROPERTIES) {
    const r = await runProperty(p, adapter, { seed: 7, runs, chunk: 25, interrupted: () => false, steer });
    addCoverage(total, r.coverage);
    cases += r.runs;
  }
  return { total, cases, ms: performance.now() - t0 };
}

/** Per million cases, how often the rarest key matching `re` was hit (0 when one was never hit). */
function rarest(total: Record<string, number>, keys: readonly string[], cases: number): string {
  let min = Infinity;
  let which = '';
  for (const k of keys) {
    const n = total[k] ?? 0;
    if (n < min) {
      min = n;
      which = k;
    }
  }
  return `${Math.round((min / cases) * 1e6)} per 1e6 cases (${which})`;
}

export async function coverageBench(): Promise<BenchResult> {
  const universe = coverageUniverse({ traces: true });
  const reachable = (cat: keyof typeof universe.keys): string[] => universe.keys[cat].filter((k) => !universe.unreachable[k]);
  const out: BenchResult = {};
  await catalogue(100, true); // warm-up (JIT)
  for (const runs of BUDGETS) {
    const row: BenchResult = {};
    // Plain and steered twice each, interleaved, the faster of each pair (the order costs JIT warm-up otherwise);
    // the coverage of a seeded run is the same both times.
    const runsOf = new Map<boolean, Awaited<ReturnType<typeof catalogue>>>();
    for (const steer of [false, true, false, true]) {
      const r = await catalogue(runs, steer);
      const prev = runsOf.get(steer);
      if (!prev || r.ms < prev.ms) runsOf.set(steer, r);
    }
    for (const steer of [true, false]) {
      const { total, cases, ms } = runsOf.get(steer)!;
      const cell: BenchResult = { cases, casesPerSec: Math.round((cases / ms) * 1000) };
      for (const c of summarizeCoverage(total, universe)) if (c.total > 0) cell[c.category] = `${c.hit}/${c.total}${c.unhit.length ? ` (unhit: ${c.unhit.join(', ')})` : ''}`;
      cell.rarestNode = rarest(total, reachable('graph nodes'), cases);
      cell.rarestDrop = rarest(total, reachable('drop reasons'), cases);
      cell.rarestOddKind = rarest(total, Object.keys(total).filter((k) => k.startsWith('case odd ')), cases);
      row[steer ? 'steered' : 'plain'] = cell;
    }
    out[`${runs} cases per property`] = row;
  }
  return out;
}
