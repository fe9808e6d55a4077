// VPP lab adapter speed (issue #7): setup time per generated topology (the previous configuration undone, the
// new one sent), and verified packets per second — batches of independent flows replayed from pcaps on the
// pods' packet-generator interfaces, captured, mapped back by their inner IPv4 header, and compared byte for
// byte with what the reference model (profile vpp-current) delivers. Needs a lab: PODFLOW_VPP_LAB=lab.yaml.
import fc from 'fast-check';
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { readLabFile } from '../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../src/adapters/vpp/vpp-adapter.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { clusterArb } from '../src/generators/cluster.ts';
import { renderCluster } from '../src/policy/contiv/render.ts';
import { adapterAcls } from '../src/properties/harness.ts';
import { propertyById } from '../src/properties/index.ts';
import { adapterTopology } from '../src/properties/resolve.ts';
import type { BenchResult } from './run.ts';
import { flowBatches, verifyBatches } from './verify.ts';

export async function vppBench(opts: { frames: number }): Promise<BenchResult> {
  const path = process.env.PODFLOW_VPP_LAB;
  if (!path) {
    process.stderr.write('bench: vpp skipped (no lab: PODFLOW_VPP_LAB=lab.yaml, e.g. from podflow lab vpp up)\n');
    return { skipped: 'no PODFLOW_VPP_LAB' };
  }
  const lab = readLabFile(path);
  const vpp = new VppAdapter(lab, { batch: true });
  try {
    // Setup: 20 generated topologies that fit the lab, one after the other.
    const clusters = fc.sample(clusterArb({ topology: 'varied', minPods: 2, maxPods: 8 }), { seed: 11, numRuns: 200 }).filter((c) => c.nodes.length <= lab.nodes.length).slice(0, 20);
    const setupMs: number[] = [];
    for (const c of clusters) {
      const r = renderCluster(c);
      const t0 = performance.now();
      await vpp.setup(adapterTopology(r.topology));
      await vpp.apply(adapterAcls(r));
      setupMs.push(performance.now() - t0);
    }
    // Verified packets/s: a two-node topology with four pods per node and no policies.
    const r = renderCluster({ nodes: [{ name: 'n1' }, { name: 'n2' }], namespaces: [{ name: 'default', labels: {} }], pods: Array.from({ length: 8 }, (_, i) => ({ name: `p${i}`, namespace: 'default', labels: {}, nodeName: i % 2 ? 'n2' : 'n1', containerPorts: [] })), policies: [] });
    const reference = new ReferenceAdapter({ profile: 'vpp-current' });
    for (const a of [vpp, reference]) {
      await a.setup(adapterTopology(r.topology));
      await a.apply(adapterAcls(r));
    }
    const perBatch = 500;
    const batches = flowBatches(r, Math.max(400, Math.min(4000, Math.floor(opts.frames / 50))), perBatch);
    const v = await verifyBatches(vpp, reference, batches);
    await vpp.teardown();
    // Whole-harness rate: the differential property as `podflow fuzz` runs it (setup per case, one frame per call).
    const harness = new VppAdapter(lab);
    const h0 = performance.now();
    const pr = await runProperty(propertyById('reference-agrees-with-adapter')!, harness, { seed: 3, runs: 20, chunk: 20, interrupted: () => false }).finally(() => harness.teardown());
    const harnessMs = performance.now() - h0;
    const sorted = [...setupMs].sort((a, b) => a - b);
    return {
      labNodes: lab.nodes.length,
      topologies: setupMs.length,
      setupMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      setupMaxMs: Math.round(sorted.at(-1) ?? 0),
      framesPerBatch: perBatch,
      packetsInjected: v.verified + v.mismatched,
      packetsDeliveredToPods: v.delivered,
      packetsVerifiedEqualToModel: v.verified,
      packetsDiffering: v.mismatched,
      verifiedPacketsPerSec: Math.round((v.verified / v.injectMs) * 1000),
      harnessCasesPerSec: Math.round((pr.runs / harnessMs) * 100000) / 100,
      harnessVerdict: pr.verdict,
    };
  } finally {
    await vpp.teardown();
  }
}
