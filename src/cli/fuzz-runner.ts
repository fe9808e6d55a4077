// Runs the invariant catalogue against an adapter: per property, chunks of runs with seeds derived from the
// run seed (so Ctrl-C and time budgets stop between chunks, and every failure keeps a seed and path that replay
// it), shrinking through fast-check, and one crashing check never aborting the run (Jepsen's check-safe).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Adapter } from '../adapters/adapter.ts';
import { AdapterUnavailable, explainingDivergence } from '../adapters/adapter.ts';
import type { CheckContext, PropertyDef, Verdict } from '../properties/types.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import type { ProfileName } from '../reference/profiles.ts';

/** The check context the CLI gives properties: reference adapters on demand. */
export const CHECK_CONTEXT: CheckContext = { reference: (profile) => new ReferenceAdapter(profile ? { profile: profile as ProfileName } : {}) };
import { countRecords, type Counterexample, type PropertyResult } from './results.ts';

/** A 31-bit seed derived from the run seed and labels (property id, chunk index). */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  const h = createHash('sha256').update(`${seed}|${labels.join('|')}`).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}

export function contentId(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * The adapter as properties see it, counting the graph nodes and ACL rules its traces show (coverage per
 * property); everything else is delegated unchanged.
 */
export function countingAdapter(adapter: Adapter, counts: Record<string, number>): Adapter {
  return {
    name: adapter.name,
    capabilities: adapter.capabilities,
    setup: (t, o) => adapter.setup(t, o),
    apply: (acls) => adapter.apply(acls),
    reset: () => adapter.reset(),
    teardown: () => adapter.teardown(),
    ...(adapter.updateTopology ? { updateTopology: (t: Parameters<NonNullable<Adapter['updateTopology']>>[0]) => adapter.updateTopology!(t) } : {}),
    async inject(frames) {
      const obs = await adapter.inject(frames);
      // Trace by trace, in the order countCoverage([...values()].flat()) would see them, without the copies.
      if (obs.traces) for (const list of obs.traces.values()) for (const t of list) countRecords(t.records, counts);
      return obs;
    },
    ...(Object.hasOwn(adapter, 'renderFaults') || 'renderFaults' in adapter ? { renderFaults: (adapter as { renderFaults?: unknown }).renderFaults } : {}),
  } as Adapter;
}

class InvalidVerdict extends Error {
  constructor(readonly verdict: Extract<Verdict, { status: 'invalid' }>) {
    super(verdict.details);
  }
}

export interface RunPropertyOptions {
  seed: number;
  /** total runs (stops earlier when the deadline passes or on interrupt) */
  runs: number;
  chunk: number;
  deadline?: number;
  interrupted: () => boolean;
  onChunk?: (done: number) => void;
}

/** Checks one property; returns its result with at most one (shrunk) counterexample. */
export async function runProperty(p: PropertyDef<unknown>, adapter: Adapter, o: RunPropertyOptions): Promise<PropertyResult> {
  const start = performance.now();
  const result: PropertyResult = { id: p.id, description: p.description, seedSteps: p.seedSteps, runs: 0, verdict: 'valid', timeMs: 0, unknownReasons: [], counterexamples: [], coverage: {} };
  const missing = Object.entries(p.needs ?? {}).filter(([k, v]) => v && !adapter.capabilities[k as keyof Adapter['capabilities']]);
  if (missing.length > 0) {
    result.verdict = 'unknown';
    result.notApplicable = true;
    result.unknownReasons.push(`adapter ${adapter.name} lacks ${missing.map(([k]) => k).join(', ')}`);
    return result;
  }
  const unknown = new Set<string>();
  const counted = countingAdapter(adapter, result.coverage);
  const arbitrary = p.arbitrary();
  for (let chunk = 0; result.runs < o.runs; chunk++) {
    // Checks resolve as microtasks only: yield a turn of the event loop so signals (Ctrl-C) and timers run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (o.interrupted() || (o.deadline !== undefined && Date.now() > o.deadline)) break;
    const numRuns = Math.min(o.chunk, o.runs - result.runs);
    const seed = deriveSeed(o.seed, p.id, chunk);
    const out = await fc.check(
      fc.asyncProperty(arbitrary, async (c) => {
        let v: Verdict;
        try {
          v = await p.check(c, counted, CHECK_CONTEXT);
        } catch (e) {
          // An adapter that cannot answer makes the case unknown, never a failure.
          if (e instanceof AdapterUnavailable) {
            unknown.add(e.message);
            return true;
          }
          throw e;
        }
        if (v.status === 'unknown') {
          unknown.add(v.reason);
          return true;
        }
        if (v.status === 'invalid') {
          // A failure the adapter's checked-in known divergences explain is counted, not reported (STYLE.md §7).
          const known = explainingDivergence(adapter.capabilities.knownDivergences ?? [], p.id, v.details);
          if (known) {
            result.knownDivergences = result.knownDivergences ?? {};
            result.knownDivergences[known.id] = (result.knownDivergences[known.id] ?? 0) + 1;
            return true;
          }
          throw new InvalidVerdict(v);
        }
        return true;
      }),
      { seed, numRuns },
    );
    result.runs += out.numRuns;
    o.onChunk?.(result.runs);
    if (out.failed) {
      const err = out.errorInstance;
      const v: Extract<Verdict, { status: 'invalid' }> = err instanceof InvalidVerdict ? err.verdict : { status: 'invalid', details: `the check crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
      const cx: Counterexample = {
        id: contentId(p.id, adapter.name, out.counterexample),
        property: p.id,
        adapter: adapter.name,
        seed,
        path: out.counterexamplePath ?? '',
        details: v.details,
        seedSteps: p.seedSteps,
        case: out.counterexample?.[0],
      };
      if (v.expected !== undefined) cx.expected = v.expected;
      if (v.received !== undefined) cx.received = v.received;
      if (v.packet !== undefined) cx.packet = v.packet;
      result.counterexamples.push(cx);
      result.verdict = 'invalid';
      break;
    }
  }
  if (result.verdict === 'valid' && unknown.size > 0 && result.runs === 0) result.verdict = 'unknown';
  result.unknownReasons.push(...unknown);
  result.timeMs = Math.round(performance.now() - start);
  return result;
}
