// `podflow/vitest`: any property against any adapter inside your own vitest suite, through fast-check.
//
//   test('my property on my adapter', () => checkProperty(myProperty, () => new MyAdapter(), { numRuns: 50 }));
//   testProperty(myProperty, () => new MyAdapter(), { numRuns: 50 }); // a test of its own, through @fast-check/vitest
//
// A case is checked as `podflow fuzz` checks it: claims the adapter's known divergences excuse do not fail it, and a
// case the adapter cannot answer (an unknown verdict, AdapterUnavailable) is skipped as a fast-check precondition
// (too many skipped cases fail the run, as fast-check says). A failing case throws a PropertyFailure whose message
// is the property's claims, so fast-check shrinks it and vitest prints them with the counterexample.
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { AdapterUnavailable, excusingDivergence, type Adapter } from '../adapters/adapter.ts';
import { CHECK_CONTEXT } from '../cli/fuzz-runner.ts';
import { detailsOf, type Claim, type PropertyDef } from '../properties/types.ts';

export interface CheckPropertyOptions {
  /** cases to check (default 100, fast-check's) */
  numRuns?: number;
  /** fast-check seed (default: a fresh one, printed on failure) */
  seed?: number;
}

/** The claims of a failing case, one per line after the summary. */
export class PropertyFailure extends Error {
  constructor(
    readonly property: string,
    readonly adapter: string,
    readonly claims: readonly Claim[],
  ) {
    super([`${property} on ${adapter}: ${detailsOf(claims)}`, ...claims.map((c) => `  - ${c.message}`)].join('\n'));
    this.name = 'PropertyFailure';
  }
}

/** What one case gave: valid, invalid with the claims no known divergence excuses, or unknown with why. */
export type CaseOutcome = { status: 'valid'; excused: string[] } | { status: 'invalid'; claims: Claim[] } | { status: 'unknown'; reason: string };

/** The adapter lacks what the property needs (traces, drop reasons, virtual time): why, or undefined. */
function missingNeeds(property: PropertyDef<unknown>, adapter: Adapter): string | undefined {
  const missing = Object.entries(property.needs ?? {}).filter(([k, v]) => v && !adapter.capabilities[k as 'traces' | 'dropReasons' | 'virtualTime']);
  return missing.length > 0 ? `adapter ${adapter.name} lacks ${missing.map(([k]) => k).join(', ')}, which ${property.id} needs` : undefined;
}

/** Checks one case of a property on an adapter, as podflow fuzz does (known divergences excused). */
export async function checkCase<C>(property: PropertyDef<C>, adapter: Adapter, c: C): Promise<CaseOutcome> {
  let v;
  try {
    v = await property.check(c, adapter, CHECK_CONTEXT);
  } catch (e) {
    if (e instanceof AdapterUnavailable) return { status: 'unknown', reason: e.message };
    throw e;
  }
  if (v.status === 'unknown') return v;
  if (v.status === 'valid') return { status: 'valid', excused: [] };
  const divergences = adapter.capabilities.knownDivergences ?? [];
  const claims = v.claims.filter((cl) => !excusingDivergence(divergences, property.id, cl));
  if (claims.length === 0) return { status: 'valid', excused: [...new Set(v.claims.map((cl) => excusingDivergence(divergences, property.id, cl)!.id))] };
  return { status: 'invalid', claims };
}

/** The predicate fast-check runs: a failing case throws the claims, an unknown one is a failed precondition. */
function predicate<C>(property: PropertyDef<C>, adapter: () => Adapter, counts: { checked: number; unknown: number }): (c: C) => Promise<void> {
  return async (c) => {
    const a = adapter();
    const o = await checkCase(property, a, c);
    if (o.status === 'unknown') {
      counts.unknown++;
      fc.pre(false);
    }
    counts.checked++;
    if (o.status === 'invalid') throw new PropertyFailure(property.id, a.name, o.claims);
  };
}

/** An adapter made once, from an instance or a factory, torn down after by whoever made it. */
function lazyAdapter(adapter: Adapter | (() => Adapter)): { get: () => Adapter; teardown: () => Promise<void> } {
  let made: Adapter | undefined;
  return {
    get: () => (made ??= typeof adapter === 'function' ? adapter() : adapter),
    // An instance given belongs to the caller; one this helper made is torn down here.
    teardown: async () => {
      if (made && typeof adapter === 'function') await made.teardown();
    },
  };
}

/**
 * Checks `numRuns` cases of the property on the adapter with fc.assert; resolves with how many cases were checked
 * and how many were unknown (skipped), rejects with fast-check's report of the shrunk counterexample and its claims.
 * `adapter`: an instance (yours to tear down), or a factory (made once, torn down when the check ends).
 */
export async function checkProperty<C>(property: PropertyDef<C>, adapter: Adapter | (() => Adapter), options: CheckPropertyOptions = {}): Promise<{ checked: number; unknown: number }> {
  const a = lazyAdapter(adapter);
  try {
    const missing = missingNeeds(property as PropertyDef<unknown>, a.get());
    if (missing) throw new Error(missing);
    const counts = { checked: 0, unknown: 0 };
    await fc.assert(fc.asyncProperty(property.arbitrary(), predicate(property, a.get, counts)), { includeErrorInReport: true, ...(options.numRuns !== undefined ? { numRuns: options.numRuns } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    return counts;
  } finally {
    await a.teardown();
  }
}

/**
 * Registers a vitest test (named after the property and the adapter unless `name` is given) that checks the property
 * with @fast-check/vitest's test.prop: its cases, seeds and shrinking are fast-check's, reported by vitest. A factory
 * adapter is made at the first case and torn down after the file's tests.
 */
export function testProperty<C>(property: PropertyDef<C>, adapter: Adapter | (() => Adapter), options: CheckPropertyOptions & { name?: string; timeout?: number } = {}): void {
  const a = lazyAdapter(adapter);
  afterAll(() => a.teardown());
  const counts = { checked: 0, unknown: 0 };
  const check = predicate(property, a.get, counts);
  const params = { includeErrorInReport: true, ...(options.numRuns !== undefined ? { numRuns: options.numRuns } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) };
  test.prop([property.arbitrary()], params)(
    options.name ?? `${property.id} holds on ${typeof adapter === 'function' ? 'the adapter' : adapter.name}`,
    async (c) => {
      const missing = missingNeeds(property as PropertyDef<unknown>, a.get());
      if (missing) throw new Error(missing);
      await check(c);
    },
    options.timeout,
  );
}
