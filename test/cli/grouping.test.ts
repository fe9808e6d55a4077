// Cases grouped by topology (issue 15, cli/grouping.ts): every case of a chunk runs on one topology that fits the
// adapter, chunks differ, a counterexample replays from fast-check's seed and path with its topology seed, and
// shrinking still reaches the topology.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { AdapterCapabilities } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { corpusEntryProblem } from '../../src/cli/corpus.ts';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { clusterOf, groupedArbitrary, topologySeedFor } from '../../src/cli/grouping.ts';
import { parseBias, steeredArbitrary } from '../../src/cli/steering.ts';
import type { Cluster } from '../../src/policy/types.ts';
import { clusterCaseArb, type ClusterCase } from '../../src/properties/harness.ts';
import { propertyById } from '../../src/properties/index.ts';
import { VALID, type PropertyDef } from '../../src/properties/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-grouping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What an adapter is set up with: nodes, IPAM, and each pod's name, namespace and node. */
function topologyKey(c: Cluster): string {
  return JSON.stringify([c.nodes, c.ipam ?? null, c.pods.map((p) => [p.name, p.namespace, p.nodeName])]);
}

/** A property that records the topology of every case it is given (and never fails). */
function recorder(seen: string[], nodes: number[]): PropertyDef<ClusterCase> {
  return {
    id: 'records-topologies',
    description: 'records the topology of each case',
    seedSteps: [],
    claims: {},
    arbitrary: () => clusterCaseArb({ topology: 'varied' }),
    async check(c) {
      seen.push(topologyKey(c.cluster));
      nodes.push(c.cluster.nodes.length);
      return VALID;
    },
  };
}

describe('grouped chunks', () => {
  test('every case of a chunk has the chunk topology; chunks differ; without grouping cases differ', async () => {
    const seen: string[] = [];
    const r = await runProperty(recorder(seen, []), new ReferenceAdapter(), { seed: 4, runs: 100, chunk: 25, groupByTopology: true, steer: false, interrupted: () => false });
    expect(r.runs).toBe(100);
    expect(seen).toHaveLength(100);
    const perChunk = [0, 1, 2, 3].map((k) => new Set(seen.slice(k * 25, k * 25 + 25)));
    for (const s of perChunk) expect(s.size).toBe(1);
    expect(new Set(perChunk.map((s) => [...s][0])).size).toBeGreaterThan(1);
    const plain: string[] = [];
    await runProperty(recorder(plain, []), new ReferenceAdapter(), { seed: 4, runs: 25, chunk: 25, steer: false, interrupted: () => false });
    expect(new Set(plain).size).toBeGreaterThan(10);
  });

  test('topologies fit the adapter (capabilities.maxNodes): a 2-node lab gets no case it cannot run', async () => {
    const nodes: number[] = [];
    const small = new ReferenceAdapter();
    (small as unknown as { capabilities: AdapterCapabilities }).capabilities = { ...small.capabilities, maxNodes: 2 };
    await runProperty(recorder([], nodes), small, { seed: 9, runs: 200, chunk: 25, groupByTopology: true, interrupted: () => false });
    expect(nodes).toHaveLength(200);
    expect(Math.max(...nodes)).toBe(2);
    // the same seed without a limit draws 3- and 4-node topologies too
    const free: number[] = [];
    await runProperty(recorder([], free), new ReferenceAdapter(), { seed: 9, runs: 200, chunk: 25, groupByTopology: true, interrupted: () => false });
    expect(Math.max(...free)).toBeGreaterThan(2);
  });

  test('the same seed gives the same topology seed; one no donor fits is undefined; a case without a cluster is not grouped', () => {
    const arb = clusterCaseArb({ topology: 'varied' });
    expect(topologySeedFor(arb, 77)).toBe(topologySeedFor(arb, 77));
    expect(topologySeedFor(arb, 77, 1)).toBeUndefined();
    expect(topologySeedFor(fc.nat(), 77)).toBeUndefined();
    expect(clusterOf({ cluster: 3 })).toBeUndefined();
  });
});

describe('counterexamples of grouped chunks', () => {
  test('replay from fast-check seed and path with the recorded topology seed and bias', async () => {
    const p = propertyById('vxlan-wire-format')!;
    const r = await runProperty(p, createAdapter('mutant:wrong-vni'), { seed: 1, runs: 200, chunk: 25, groupByTopology: true, interrupted: () => false });
    const cx = r.counterexamples[0]!;
    expect(cx.topologySeed).toEqual(expect.any(Number));
    const again = fc.sample(steeredArbitrary(groupedArbitrary(p.arbitrary(), cx.topologySeed!), parseBias(cx.steer)), { seed: cx.seed, path: cx.path, numRuns: 1 })[0];
    expect(again).toEqual(cx.case);
    // the corpus checks the field like the rest of case.json
    const entry = { id: 'x1', property: p.id, adapter: 'reference', case: {} };
    expect(corpusEntryProblem({ ...entry, topologySeed: cx.topologySeed })).toBeUndefined();
    expect(corpusEntryProblem({ ...entry, topologySeed: 'x' })).toMatch(/^topologySeed: expected a non-negative integer/);
    expect(corpusEntryProblem({ ...entry, topologySeed: -1 })).toMatch(/^topologySeed: /);
  });

  test('shrinking reaches the topology: the donor shrinks to the fewest nodes and pods that still fail', () => {
    const arb = groupedArbitrary(clusterCaseArb({ topology: 'varied' }), 12345);
    const out = fc.check(
      fc.property(arb, (c) => c.cluster.nodes.length < 2),
      { seed: 1 },
    );
    expect(out.failed).toBe(true);
    const c = out.counterexample![0];
    expect(c.cluster.nodes).toHaveLength(2);
    expect(c.cluster.pods).toHaveLength(2);
    expect(c.cluster.policies).toHaveLength(0);
  });
});

describe('podflow fuzz --cases-per-topology', () => {
  test('recorded in run.json and in the command that reruns a counterexample; 1 turns grouping off', async () => {
    const out = join(dir, 'reports');
    const r = await runFuzz({ adapter: 'mutant:wrong-vni', runs: '50', seed: '1', out, corpus: false, property: ['vxlan-wire-format'], casesPerTopology: '10' }, () => {});
    expect(r.result.info.options).toMatchObject({ chunk: 10, casesPerTopology: 10 });
    const cx = r.result.properties[0]!.counterexamples[0]!;
    expect(cx.topologySeed).toEqual(expect.any(Number));
    expect(readFileSync(join(r.folder, 'summary.md'), 'utf8')).toContain(`--seed 1 --cases-per-topology 10`);
    const off = await runFuzz({ adapter: 'reference', runs: '30', seed: '1', out, corpus: false, property: ['vxlan-wire-format'], casesPerTopology: '1' }, () => {});
    expect(off.result.info.options).toMatchObject({ chunk: 25, casesPerTopology: 1 });
  });

  test.each(['0', 'x', '2.5', '10001'])('--cases-per-topology %s is a usage error naming the option', async (v) => {
    await expect(runFuzz({ adapter: 'reference', runs: '5', seed: '1', out: join(dir, 'bad'), corpus: false, casesPerTopology: v }, () => {})).rejects.toThrow(/^--cases-per-topology: expected an integer 1\.\.10000, got '/);
  });
});
