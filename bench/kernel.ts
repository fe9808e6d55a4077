// Kernel adapter speed (issue #6): setup time per generated topology (cold: namespaces and devices made;
// warm: only configuration changed), and verified packets per second end to end — frames injected into the
// namespaces, captured, mapped back, and compared byte for byte with what the reference model delivers.
// Needs root with ip, bridge, nft and python3; skipped with a message otherwise.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import type { Adapter } from '../src/adapters/adapter.ts';
import { KernelAdapter } from '../src/adapters/kernel/kernel-adapter.ts';
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { clusterArb } from '../src/generators/cluster.ts';
import { renderCluster } from '../src/policy/contiv/render.ts';
import { adapterAcls } from '../src/properties/harness.ts';
import { propertyById } from '../src/properties/index.ts';
import { adapterTopology } from '../src/properties/resolve.ts';
import type { BenchResult } from './run.ts';
import { flowBatches, verifyBatches } from './verify.ts';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const t of ['ip', 'bridge', 'nft', 'python3']) if (spawnSync('which', [t]).status !== 0) return `${t} not installed`;
  return undefined;
}

export async function kernelBench(opts: { frames: number }): Promise<BenchResult> {
  const why = missing();
  if (why) {
    process.stderr.write(`bench: kernel skipped (${why})\n`);
    return { skipped: why };
  }
  const kernel = new KernelAdapter();
  try {
    // Setup: 40 generated topologies (2–4 nodes, 1–8 pods per node, varied IPAM), one after the other
    const topologies = fc.sample(clusterArb({ topology: 'varied', minPods: 2, maxPods: 8 }), { seed: 11, numRuns: 40 }).map((c) => renderCluster(c));
    for (const r of topologies) await kernel.setup(adapterTopology(r.topology));
    const [cold, ...warm] = kernel.stats.setupMs;

    // Verified packets/s: one topology, many flows (distinct source ports), 25 requests per inject and then their
    // replies; every pod-delivered frame compared with the reference model's
    const r = topologies.find((x) => x.topology.nodes.length >= 2 && x.topology.nodes.filter((n) => n.pods.length > 0).length >= 2)!;
    const t = adapterTopology(r.topology);
    const reference = new ReferenceAdapter();
    for (const a of [kernel, reference] as Adapter[]) {
      await a.setup(t);
      await a.apply(adapterAcls(r));
    }
    const flows = Math.max(100, Math.min(5000, Math.floor(opts.frames / 40)));
    const batches = flowBatches(r, flows, 25);
    const { verified, mismatched, delivered, injectMs } = await verifyBatches(kernel, reference, batches);
    const packets = verified + mismatched;

    // Whole-harness rate: the differential property as `podflow fuzz` runs it (setup per case included)
    const h0 = performance.now();
    const pr = await runProperty(propertyById('reference-agrees-with-adapter')!, kernel, { seed: 3, runs: 100, chunk: 100, interrupted: () => false });
    const harnessMs = performance.now() - h0;
    return {
      setupColdMs: Math.round(cold ?? 0),
      setupWarmMedianMs: Math.round(quantile(warm, 0.5)),
      setupWarmP90Ms: Math.round(quantile(warm, 0.9)),
      topologies: topologies.length,
      packetsInjected: packets,
      packetsDeliveredToPods: delivered,
      packetsVerifiedEqualToModel: verified,
      packetsDiffering: mismatched,
      verifiedPacketsPerSec: Math.round((verified / injectMs) * 1000),
      harnessCasesPerSec: Math.round((pr.runs / harnessMs) * 1000),
      harnessPacketsPerSec: Math.round(((kernel.stats.injected - packets) / harnessMs) * 1000),
      harnessVerdict: pr.verdict,
      strayFrames: kernel.stats.stray,
    };
  } finally {
    await kernel.teardown();
  }
}
