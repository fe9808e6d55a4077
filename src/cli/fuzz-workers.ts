// `podflow fuzz --workers N`: how the work is split among worker threads, and how their results are put together.
//
// Every worker runs every property, on its own share of the property's chunks: the cases of a property come in
// chunks of CHUNK, chunk c drawn from the seed deriveSeed(run seed, property, c), and chunk c belongs to worker
// c mod N. So the workers' loads are equal whatever the mix of the catalogue (a slow property is slow for all of
// them alike), every worker is busy for the whole time budget, and a run stays reproducible from its seed: the same
// seed and worker count give the same cases. (Steering biases a worker's next chunk by what its own chunks hit, so
// steered cases depend on the worker count too; with --no-steer, N workers run exactly the cases of one.)
import { propertyVerdict, type PropertyResult } from './results.ts';

/** Which of a property's chunks a worker runs: those whose index is `index` modulo `count`. */
export interface ChunkShare {
  index: number;
  count: number;
}

/**
 * The cases of a share when a property's `runs` cases are cut into chunks of `chunk` (the last one maybe short):
 * the sum of its chunks' sizes. A run without a case count (--time: Number.MAX_SAFE_INTEGER) stays without one.
 */
export function shareRuns(runs: number, chunk: number, share: ChunkShare): number {
  if (runs === Number.MAX_SAFE_INTEGER) return runs;
  const full = Math.floor(runs / chunk);
  const rest = runs % chunk;
  const fullMine = full > share.index ? Math.ceil((full - share.index) / share.count) : 0;
  return fullMine * chunk + (rest > 0 && full % share.count === share.index ? rest : 0);
}

/** How many workers get work: as many as asked, but no more than a property has chunks (with a case count). */
export function workerCount(asked: number, runs: number, chunk: number): number {
  return runs === Number.MAX_SAFE_INTEGER ? asked : Math.max(1, Math.min(asked, Math.ceil(runs / chunk)));
}

function sum(into: Record<string, number> | undefined, from: Record<string, number> | undefined): Record<string, number> | undefined {
  if (from === undefined) return into;
  const out = into ?? {};
  for (const [k, v] of Object.entries(from)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * One property's result from the results of its shares (in share order): counts, coverage, known divergences,
 * measures and unknown reasons added up, every counterexample kept (each share stops at its own first failure),
 * the time the longest share took, and the verdict judged again on the totals (the unknown threshold applies to
 * the whole property). `missing`: why shares that never reported are missing (a worker that failed); the property
 * cannot then be valid.
 */
export function mergeShares(parts: readonly PropertyResult[], maxUnknown: number, missing: readonly string[] = []): PropertyResult {
  const first = parts[0];
  if (first === undefined) throw new Error('mergeShares: no share to merge');
  const m: PropertyResult = { id: first.id, description: first.description, seedSteps: [...first.seedSteps], runs: 0, verdict: 'valid', timeMs: 0, unknownReasons: [], counterexamples: [], coverage: {} };
  const reasons: string[] = [];
  for (const p of parts) {
    m.runs += p.runs;
    for (const k of ['checked', 'valid', 'invalid', 'unknown', 'shrinks'] as const) if (p[k] !== undefined) m[k] = (m[k] ?? 0) + p[k];
    m.timeMs = Math.max(m.timeMs, p.timeMs);
    for (const cx of p.counterexamples) if (!m.counterexamples.some((c) => c.id === cx.id)) m.counterexamples.push(cx);
    sum(m.coverage, p.coverage);
    const unknownByReason = sum(m.unknownByReason, p.unknownByReason);
    if (unknownByReason) m.unknownByReason = unknownByReason;
    const knownDivergences = sum(m.knownDivergences, p.knownDivergences);
    if (knownDivergences) m.knownDivergences = knownDivergences;
    const measures = sum(m.measures, p.measures);
    if (measures) m.measures = measures;
    // A share's own verdict line (`no case was checked`, `3 of 20 cases unknown …`) is judged again on the totals.
    const own = propertyVerdict(p, maxUnknown).why;
    for (const [i, u] of p.unknownReasons.entries()) if (!(i === 0 && u === own) && !reasons.includes(u)) reasons.push(u);
  }
  if (parts.every((p) => p.notApplicable)) m.notApplicable = true;
  const v = propertyVerdict(m, maxUnknown);
  m.verdict = v.verdict === 'valid' && missing.length > 0 ? 'unknown' : v.verdict;
  m.unknownReasons = [...(v.why !== undefined ? [v.why] : []), ...missing.filter((u, i) => missing.indexOf(u) === i), ...reasons];
  return m;
}
