// VPP lab adapter speed (issue #7): setup time per generated topology (the previous configuration undone, the
// new one sent), and verified packets per second — batches of independent flows replayed from pcaps on the
// pods' packet-generator interfaces, captured, mapped back by their inner IPv4 header, and compared byte for
// byte with what the reference model (profile vpp-current) delivers; and cases per second as `podflow fuzz`
// drives the lab (fuzzDriven). Needs a lab: PODFLOW_VPP_LAB=lab.yaml.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ReferenceAdapter } from '../src/adapters/reference/reference-adapter.ts';
import { readLabFile, type LabFile } from '../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../src/adapters/vpp/vpp-adapter.ts';
import { CLI_STATS } from '../src/adapters/vpp/transport.ts';
import { runProperty } from '../src/cli/fuzz-runner.ts';
import { clusterArb } from '../src/generators/cluster.ts';
import { renderCluster } from '../src/policy/contiv/render.ts';
import { adapterAcls } from '../src/properties/harness.ts';
import { propertyById } from '../src/properties/index.ts';
import { adapterTopology } from '../src/properties/resolve.ts';
import type { BenchResult } from './run.ts';
import { flowBatches, verifyBatches } from './verify.ts';

/** The properties of the fuzz-driven figure: the harness's connections, the trace and the session differentials. */
export const FUZZ_PROPERTIES = ['connection-verdict-equals-policy', 'reference-agrees-with-adapter', 'trace-equals-model', 'sessions-equal-model'] as const;

/** CPU time (user + system, ms) the lab's VPP processes used so far (local labs only: their pids; else undefined). */
function labCpuMs(lab: LabFile): number | undefined {
  let ms = 0;
  for (const n of lab.nodes) {
    if (n.pid === undefined) return undefined;
    try {
      // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name
      const f = readFileSync(`/proc/${n.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  }
  return ms;
}

/**
 * Cases per second as `podflow fuzz` drives the lab: one adapter as the CLI makes it, each property run by
 * runProperty in chunks of 25 with its seed, a fixed number of cases per property (the same work every time, so
 * two runs compare). Cases the lab cannot run (more nodes than it has) are unknown at once: `checked` counts the
 * others. CPU time of this process and of the lab's VPPs per case says where the time went.
 */
export async function fuzzDriven(lab: LabFile, opts: { runs: number; seed?: number; properties?: readonly string[]; adapter?: VppAdapter; casesPerTopology?: number } = { runs: 40 }): Promise<BenchResult> {
  const adapter = opts.adapter ?? new VppAdapter(lab);
  const byProperty: BenchResult = {};
  let cases = 0;
  let checked = 0;
  let ms = 0;
  const c0 = process.cpuUsage();
  const v0 = labCpuMs(lab);
  const cli0 = { ...CLI_STATS };
  try {
    for (const id of opts.properties ?? FUZZ_PROPERTIES) {
      const t0 = performance.now();
      const p = propertyById(id)!;
      // Grouped: chunks of casesPerTopology cases on one topology drawn to fit the lab (cli/grouping.ts).
      const r = await runProperty(p, adapter, { seed: opts.seed ?? 1, runs: opts.runs, chunk: opts.casesPerTopology ?? 25, groupByTopology: opts.casesPerTopology !== undefined, interrupted: () => false });
      const dt = performance.now() - t0;
      cases += r.runs;
      checked += r.checked ?? 0;
      ms += dt;
      byProperty[id] = { cases: r.runs, checked: r.checked ?? 0, unknown: r.unknown ?? 0, verdict: r.verdict, casesPerSec: Math.round((r.runs / dt) * 10000) / 10, checkedPerSec: Math.round(((r.checked ?? 0) / dt) * 10000) / 10 };
    }
  } finally {
    if (!opts.adapter) await adapter.teardown();
  }
  const c = process.cpuUsage(c0);
  const v1 = labCpuMs(lab);
  return {
    properties: byProperty,
    cases,
    checked,
    seconds: Math.round(ms) / 1000,
    casesPerSec: Math.round((cases / ms) * 10000) / 10,
    checkedPerSec: Math.round((checked / ms) * 10000) / 10,
    podflowCpuMsPerCase: Math.round(((c.user + c.system) / 1000 / Math.max(1, cases)) * 10) / 10,
    // CLI commands per case, and the time they were awaited (summed over nodes: nodes are driven at once)
    cliCommandsPerCase: Math.round(((CLI_STATS.commands - cli0.commands) / Math.max(1, cases)) * 10) / 10,
    cliAwaitMsPerCase: Math.round(((CLI_STATS.ms - cli0.ms) / Math.max(1, cases)) * 10) / 10,
    vppCpuMsPerCase: v0 === undefined || v1 === undefined ? null : Math.round(((v1 - v0) / Math.max(1, cases)) * 10) / 10,
  };
}

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
    // Cases per second as `podflow fuzz` drives the lab: 25 cases per topology drawn to fit the lab (its default),
    // and with every case on a topology of its own (--cases-per-topology 1: what podflow fuzz did before).
    const fuzz = await fuzzDriven(lab, { runs: 50, seed: 1, casesPerTopology: 25 });
    const fuzzOneTopologyPerCase = await fuzzDriven(lab, { runs: 50, seed: 1 });
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
      fuzz,
      fuzzOneTopologyPerCase,
    };
  } finally {
    await vpp.teardown();
  }
}
