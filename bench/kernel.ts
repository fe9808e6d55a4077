// Kernel adapter speed (issues #6, #15): setup time per generated topology (cold: namespaces and devices made;
// warm: only configuration changed; the same topology again), ACL apply time, verified packets per second end to
// end — frames injected into the namespaces, captured, mapped back, and compared byte for byte with what the
// reference model delivers — and cases/s as `podflow fuzz` drives the adapter (per property, with CPU per case),
// 25 cases per topology (its default) and with a topology per case.
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
import { readFileSync } from 'node:fs';
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

/** The properties `podflow fuzz` runs on the kernel that decide most of a night (the nemesis has real idle waits). */
export const FUZZ_PROPERTIES = ['reference-agrees-with-adapter', 'connection-verdict-equals-policy', 'response-passes-by-reflective-session', 'odd-packets-are-contained', 'faults-keep-the-invariants'];
/** seconds per property for the cases/s figure (fuzz gives each property an equal share of its budget) */
const FUZZ_SECONDS = Number(process.env.PODFLOW_BENCH_KERNEL_SECONDS ?? 5);

/** utime + stime of a process (with `waited`, also what its waited-for children used), in ms; 0 when gone. */
function procCpuMs(pid: number, waited: boolean): number {
  try {
    // /proc/<pid>/stat after the command name: utime, stime, cutime, cstime are fields 14–17 (clock ticks, 100/s)
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12]) + (waited ? Number(f[13]) + Number(f[14]) : 0)) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU milliseconds of this process and of the netns helper: the helper, the commands it ran and waited for, and
 * the long-lived batch processes it runs now.
 */
function cpuMs(helper?: number): { node: number; helper: number } {
  const u = process.cpuUsage();
  let h = 0;
  if (helper !== undefined) {
    h = procCpuMs(helper, true);
    try {
      for (const c of readFileSync(`/proc/${helper}/task/${helper}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) h += procCpuMs(Number(c), false);
    } catch {
      /* gone */
    }
  }
  return { node: (u.user + u.system) / 1000, helper: h };
}

/**
 * Cases/s as `podflow fuzz` drives the adapter: each property through the fuzz runner with a time budget (steering,
 * shrinking, checks, the reference model included), and the CPU each case cost (podflow and the netns helper with the
 * commands it ran; ip and nft processes ran as its children).
 */
async function fuzzRates(kernel: KernelAdapter, casesPerTopology: number): Promise<BenchResult> {
  const helperPid = (): number | undefined => (kernel as unknown as { helper: { child?: { pid?: number } } }).helper.child?.pid;
  const out: BenchResult = {};
  let cases = 0;
  let ms = 0;
  let cpu = 0;
  for (const id of FUZZ_PROPERTIES) {
    const pid = helperPid();
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    const r = await runProperty(propertyById(id)!, kernel, { seed: 1, runs: 1e9, chunk: casesPerTopology > 1 ? casesPerTopology : 25, groupByTopology: casesPerTopology > 1, deadline: Date.now() + FUZZ_SECONDS * 1000, interrupted: () => false });
    const wall = performance.now() - t0;
    const c1 = cpuMs(pid);
    const used = c1.node - c0.node + (c1.helper - c0.helper);
    out[id] = { cases: r.runs, casesPerSec: Math.round((r.runs / wall) * 10000) / 10, cpuMsPerCase: r.runs ? Math.round((used / r.runs) * 10) / 10 : null, verdict: r.verdict, unknown: r.unknown ?? 0 };
    if (id !== 'faults-keep-the-invariants') {
      cases += r.runs;
      ms += wall;
      cpu += used;
    }
  }
  out.overallWithoutNemesis = { cases, casesPerSec: Math.round((cases / ms) * 10000) / 10, cpuMsPerCase: cases ? Math.round((cpu / cases) * 10) / 10 : null };
  return out;
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

    // Setup of the same topology again, and the ACLs of a case applied (what a case costs before its packets)
    const again: number[] = [];
    const applyMs: number[] = [];
    for (const x of topologies.slice(0, 20)) {
      await kernel.setup(adapterTopology(x.topology));
      let t0 = performance.now();
      await kernel.setup(adapterTopology(x.topology));
      again.push(performance.now() - t0);
      t0 = performance.now();
      await kernel.apply(adapterAcls(x));
      applyMs.push(performance.now() - t0);
    }

    // Whole-harness rate: the differential property as `podflow fuzz` runs it (setup per case included)
    const h0 = performance.now();
    const pr = await runProperty(propertyById('reference-agrees-with-adapter')!, kernel, { seed: 3, runs: 100, chunk: 100, interrupted: () => false });
    const harnessMs = performance.now() - h0;
    const harnessInjected = kernel.stats.injected - packets;
    // As podflow fuzz drives it (25 cases per topology), and with a topology per case (--cases-per-topology 1)
    const fuzz = await fuzzRates(kernel, 25);
    const oneTopologyPerCase = await fuzzRates(kernel, 1);
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
      harnessPacketsPerSec: Math.round((harnessInjected / harnessMs) * 1000),
      harnessVerdict: pr.verdict,
      setupSameTopologyMedianMs: Math.round(quantile(again, 0.5) * 10) / 10,
      applyMedianMs: Math.round(quantile(applyMs, 0.5) * 10) / 10,
      fuzzSecondsPerProperty: FUZZ_SECONDS,
      fuzzCasesPerSec: fuzz,
      fuzzOneTopologyPerCaseCasesPerSec: oneTopologyPerCase,
      strayFrames: kernel.stats.stray,
    };
  } finally {
    await kernel.teardown();
  }
}
