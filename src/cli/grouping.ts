// Cases grouped by topology (issue 15): most of a case's cost on a real data path is configuring its topology
// (interfaces, addresses, routes, tunnels), not sending its packets. So every case of a chunk runs on one topology
// — nodes, IPAM and pods with their namespaces and nodes — and differs from its neighbours in what changes between
// cases of a real cluster: labels, policies (so the ACLs) and connections. An adapter that is set up with the
// topology it already has reconfigures only what differs.
//
// The chunk's topology comes from a "donor": one case the property's own arbitrary generates from a seed derived
// from the chunk's seed (so it keeps the property's constraints: pod counts, fixed or varied nodes), the first that
// fits the adapter (capabilities.maxNodes). The donor is part of every generated value, not a constant: fast-check
// shrinks it like any other part, so a counterexample still shrinks to fewer nodes and pods. With the donor's seed
// (recorded with the counterexample as `topologySeed`), fast-check's seed and path reproduce the case:
// `fc.sample(groupedArbitrary(p.arbitrary(), topologySeed), { seed, path })`.
import fc from 'fast-check';
import { withTopology } from '../generators/cluster.ts';
import type { Cluster } from '../policy/types.ts';
import { deriveSeed } from './seeds.ts';

/** A case's cluster: the case itself (a Cluster) or its `cluster` field; undefined for cases without one. */
export function clusterOf(c: unknown): Cluster | undefined {
  if (isCluster(c)) return c;
  if (typeof c === 'object' && c !== null && 'cluster' in c && isCluster((c as { cluster: unknown }).cluster)) return (c as { cluster: Cluster }).cluster;
  return undefined;
}

function isCluster(x: unknown): x is Cluster {
  return typeof x === 'object' && x !== null && Array.isArray((x as Cluster).nodes) && Array.isArray((x as Cluster).pods) && Array.isArray((x as Cluster).policies);
}

/** The case with its cluster on the donor's topology (withTopology); cases without a cluster are returned as they are. */
function onDonorTopology<C>(c: C, donor: C): C {
  const own = clusterOf(c);
  const t = clusterOf(donor);
  if (!own || !t) return c;
  const cluster = withTopology(own, t);
  return (own === c ? cluster : { ...(c as object), cluster }) as C;
}

/** Returns one generated value (with its shrink context) for every draw, and shrinks it as its arbitrary would. */
class DonorArbitrary<C> extends fc.Arbitrary<C> {
  constructor(
    private readonly arb: fc.Arbitrary<C>,
    private readonly donor: fc.Value<C>,
  ) {
    super();
  }
  generate(): fc.Value<C> {
    return this.donor;
  }
  canShrinkWithoutContext(value: unknown): value is C {
    return this.arb.canShrinkWithoutContext(value);
  }
  shrink(value: C, context: unknown): fc.Stream<fc.Value<C>> {
    return this.arb.shrink(value, context);
  }
}

/** Keeps the value (and its context) the wrapped arbitrary generated, so the donor can be reused with its context. */
class CapturingArbitrary<C> extends fc.Arbitrary<C> {
  last?: fc.Value<C>;
  constructor(private readonly arb: fc.Arbitrary<C>) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<C> {
    this.last = this.arb.generate(mrng, biasFactor);
    return this.last;
  }
  canShrinkWithoutContext(value: unknown): value is C {
    return this.arb.canShrinkWithoutContext(value);
  }
  shrink(value: C, context: unknown): fc.Stream<fc.Value<C>> {
    return this.arb.shrink(value, context);
  }
}

/** The donor case the seed draws from the arbitrary (the first value fast-check generates with that seed). */
function donorOf<C>(arb: fc.Arbitrary<C>, seed: number): fc.Value<C> {
  const capture = new CapturingArbitrary(arb);
  fc.sample(capture, { seed, numRuns: 1 });
  return capture.last!;
}

/** The arbitrary of a grouped chunk: every case on the topology of the donor drawn with `topologySeed`. */
export function groupedArbitrary<C>(arb: fc.Arbitrary<C>, topologySeed: number): fc.Arbitrary<C> {
  const donor = new DonorArbitrary(arb, donorOf(arb, topologySeed));
  return fc.tuple(arb, donor).map(([c, d]) => onDonorTopology(c, d));
}

/** Donor seeds tried per chunk for one that fits the adapter, before the chunk runs ungrouped. */
const DONOR_ATTEMPTS = 64;

/**
 * The donor seed of a chunk: the first of the seeds derived from the chunk's seed whose donor has a cluster with
 * at most `maxNodes` nodes. Undefined when the property's cases have no cluster, or none of the attempts fits (the
 * chunk then runs ungrouped, and cases that do not fit are unknown as before).
 */
export function topologySeedFor<C>(arb: fc.Arbitrary<C>, chunkSeed: number, maxNodes?: number): number | undefined {
  for (let attempt = 0; attempt < DONOR_ATTEMPTS; attempt++) {
    const seed = deriveSeed(chunkSeed, 'topology', attempt);
    const cluster = clusterOf(donorOf(arb, seed).value);
    if (!cluster) return undefined;
    if (maxNodes === undefined || cluster.nodes.length <= maxNodes) return seed;
  }
  return undefined;
}
