// Coverage that steers generation (issue 12, item 4), in the spirit of AFL's feedback and P4Testgen's path
// coverage but with fast-check arbitraries: between chunks of a property's run, the cases' static features
// (generators/features.ts: policy API features, connection protocols, odd packet kinds, lifecycle steps) are
// weighed by how rare they were so far and by how often they led to new coverage (a graph node, drop reason or
// ACL rule no earlier case hit). The next chunk draws k candidates per case and keeps the one whose features
// weigh most, so generation leans toward what is still unhit without ever leaving the generators' space.
//
// The bias is plain data (recorded with every counterexample): fast-check's seed and path reproduce a case
// with `steeredArbitrary(p.arbitrary(), bias)`, and the bias itself depends only on earlier chunks of the
// same property in the same run, so `podflow fuzz --seed S --property P` walks the same chunks again.
import fc from 'fast-check';
import { caseFeatures } from '../generators/features.ts';

export interface SteerBias {
  /** candidates drawn per case (≥ 2) */
  k: number;
  /** weight per feature seen so far; a feature absent here weighs 1 (never seen: the most wanted) */
  weights: Record<string, number>;
}

/** Candidates per case of a steered chunk (measured: 3 costs a third of the cases/s for little more spread). */
const K = 2;

/** Weights are rounded (bias stays small in a report and the same on every platform). */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** The static features seen by a property's run so far, and how productive each was. */
export class Steering {
  private readonly seen = new Map<string, number>();
  private readonly productive = new Map<string, number>();

  /** @param universe static features the generators can produce (e.g. POLICY_FEATURES); while one is unhit every chunk is steered */
  constructor(private readonly universe: readonly string[] = []) {}

  /** A case ran with these features and its check added `fresh` coverage keys no earlier case had. */
  record(features: readonly string[], fresh: number): void {
    for (const f of features) {
      this.seen.set(f, (this.seen.get(f) ?? 0) + 1);
      if (fresh > 0) this.productive.set(f, (this.productive.get(f) ?? 0) + fresh);
    }
  }

  /**
   * The bias of chunk `chunk`; undefined for plain fast-check: before anything was seen, and — once every feature
   * of the universe was seen — every other chunk (steering doubles generation; half the chunks keep its cost low).
   */
  bias(chunk: number): SteerBias | undefined {
    if (this.seen.size === 0) return undefined;
    const unhit = this.universe.some((f) => !this.seen.has(f));
    if (!unhit && chunk % 2 === 0) return undefined;
    const weights: Record<string, number> = {};
    for (const [f, n] of [...this.seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) weights[f] = round(Math.min(1, (1 + (this.productive.get(f) ?? 0)) / (1 + n)));
    return { k: K, weights };
  }
}

const FEATURES = new WeakMap<object, string[]>();

/** caseFeatures, computed once per case object (a steered case's features are weighed, then counted). */
export function featuresOf(c: unknown): string[] {
  if (typeof c !== 'object' || c === null) return caseFeatures(c);
  let f = FEATURES.get(c);
  if (f === undefined) {
    f = caseFeatures(c);
    FEATURES.set(c, f);
  }
  return f;
}

/**
 * How much a case is wanted under a bias: the weight of its most wanted feature, plus a twentieth of the sum so
 * that among equals the case with more wanted features wins (not simply the biggest case: size costs time).
 */
export function caseScore(c: unknown, bias: SteerBias): number {
  let max = 0;
  let sum = 0;
  for (const f of featuresOf(c)) {
    const w = bias.weights[f] ?? 1;
    if (w > max) max = w;
    sum += w;
  }
  return max + sum / 20;
}

/**
 * A steered chunk's arbitrary: draws k candidates from the same random stream and keeps the most wanted (the
 * first on a tie). Shrinking is the kept candidate's own, so a steered counterexample shrinks exactly as a plain
 * one would, and fast-check's seed and path replay it.
 */
class SteeredArbitrary<C> extends fc.Arbitrary<C> {
  constructor(
    private readonly arb: fc.Arbitrary<C>,
    private readonly bias: SteerBias,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<C> {
    let best = this.arb.generate(mrng, biasFactor);
    let bestScore = caseScore(best.value_, this.bias);
    for (let i = 1; i < this.bias.k; i++) {
      const v = this.arb.generate(mrng, biasFactor);
      const score = caseScore(v.value_, this.bias);
      if (score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    return best;
  }

  canShrinkWithoutContext(value: unknown): value is C {
    return this.arb.canShrinkWithoutContext(value);
  }

  shrink(value: C, context: unknown): fc.Stream<fc.Value<C>> {
    return this.arb.shrink(value, context);
  }
}

/** The arbitrary of a steered chunk: k candidates per case, the most wanted kept; unchanged without a bias. */
export function steeredArbitrary<C>(arb: fc.Arbitrary<C>, bias: SteerBias | undefined): fc.Arbitrary<C> {
  if (!bias || bias.k < 2) return arb;
  return new SteeredArbitrary(arb, bias);
}

/** A bias read back from a file: well-formed or undefined (never trusted blindly: it only weighs candidates). */
export function parseBias(x: unknown): SteerBias | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as { k?: unknown; weights?: unknown };
  if (typeof o.k !== 'number' || !Number.isInteger(o.k) || o.k < 2 || o.k > 8) return undefined;
  if (typeof o.weights !== 'object' || o.weights === null || Array.isArray(o.weights)) return undefined;
  const weights: Record<string, number> = {};
  for (const [f, w] of Object.entries(o.weights)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || f === '__proto__') return undefined;
    weights[f] = w;
  }
  return { k: o.k, weights };
}
