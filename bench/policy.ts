// Contiv policy rendering speed: full renders per second (processor, configurator, local and global tables,
// ACL rendering with sharing) of a fixed 2-node, 50-pod, 30-policy cluster drawn by the cluster generator.
import fc from 'fast-check';
import { clusterArb } from '../src/generators/cluster.ts';
import { renderCluster } from '../src/policy/contiv/render.ts';
import type { BenchResult } from './run.ts';

export async function policyBench(): Promise<BenchResult> {
  const [cluster] = fc.sample(clusterArb({ nodes: 2, minPods: 50, maxPods: 50, maxPolicies: 30, portWithoutNumber: false }).filter((c) => c.policies.length === 30), { seed: 1010, numRuns: 1 });
  if (!cluster) throw new Error('no cluster');
  let rules = 0;
  for (let i = 0; i < 20; i++) rules += renderCluster(cluster).nodes.reduce((s, n) => s + n.acls.reduce((t, a) => t + a.rules.length, 0), 0);
  let best = Infinity;
  const iterations = 200;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) rules += renderCluster(cluster).nodes.length;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const r = renderCluster(cluster);
  return {
    pods: cluster.pods.length,
    policies: cluster.policies.length,
    aclRules: r.nodes.reduce((s, n) => s + n.acls.reduce((t, a) => t + a.rules.length, 0), 0),
    rendersPerSec: Math.round(iterations / best),
    checksum: rules > 0,
  };
}
