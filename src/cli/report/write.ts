// Writes a run's folder (see store.ts: as the run goes, every file atomically) and points reports/latest at it:
// run.json, results.json, junit.xml, summary.md, report.html, and per counterexample claims.json, evidence.json,
// scenario.json, policies.yaml, one pcap per capture point, expected (the reference model's answer to the calls
// the check made) and received (what the check observed), and for the claimed packets traces.json (traces and
// frames of both) and trace-diff.txt (both traces as VPP text, the first divergent record marked).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonText, pointLatest, uniqueRunFolder, writeFileAtomic } from '../store.ts';
import { encodePcap } from '../../packet/pcap.ts';
import { decodePacket, findLayer, fromHex, ip4ToString, toHex } from '../../packet/index.ts';
import { injections, type Evidence } from '../../properties/evidence.ts';
import type { ClaimFacts } from '../../properties/types.ts';
import type { AdapterTopology, Observation } from '../../adapters/adapter.ts';
import type { TraceRecord } from '../../trace/records.ts';
import { corpusEntryOf, type Counterexample, type RunResult } from '../results.ts';
import { junitXml } from './junit.ts';
import { summaryMarkdown } from './summary.ts';
import { reportHtml } from './html.ts';
import { analyzeCounterexample, MODEL_AGREES } from './analysis.ts';
import { claimEvidenceText, dirName, divergenceLine, recordLines } from './format.ts';
import { featureLabel } from './svg.ts';
import { pcapName, type CounterexampleFiles, type CounterexamplePacket, type PacketSide } from './types.ts';

// The shared report types and the pcap file name, for the writer's callers (fuzz, merge, corpus).
export { pcapName, type CapturedFrame, type CounterexampleFiles, type CounterexamplePacket, type PacketSide } from './types.ts';
export { packetDiffers } from './analysis.ts';

function isTraceRecord(r: unknown): r is TraceRecord {
  return typeof r === 'object' && r !== null && typeof (r as { node?: unknown }).node === 'string' && typeof (r as { body?: unknown }).body === 'object';
}

function packetSide(o: Observation | undefined, packet: number | undefined): PacketSide | undefined {
  if (!o || packet === undefined) return undefined;
  return {
    packet,
    traces: (o.traces?.get(packet) ?? []).map((t) => ({ nodeId: t.nodeId, records: t.records.filter(isTraceRecord) })),
    frames: o.captures.filter((c) => c.packet === packet).map((c) => ({ point: c.point, time: c.time, data: c.data, layers: decodePacket(c.data).layers })),
    fates: o.outcomes?.get(packet) ?? [],
  };
}

/** The pod a frame is addressed to (inner IPv4 destination), when the topology has one with that address. */
function podAt(topology: AdapterTopology | undefined, frame: Uint8Array): { pod: string; nodeId: number } | undefined {
  const ip = findLayer(decodePacket(frame).layers, 'ipv4');
  if (!ip || !topology) return undefined;
  const dst = ip4ToString(ip.dst);
  for (const n of topology.nodes) for (const p of n.pods) if (p.ip.replace(/\/\d+$/, '') === dst) return { pod: p.name, nodeId: n.id };
  return undefined;
}

/**
 * What the report keeps of a counterexample's evidence: for each failure the check claimed (one group per
 * claimed connection, in claim order), the packets of that exchange — the claimed packet and, for a request,
 * the reply that followed it (the next packet, sent back by the receiving pod), for a reply the latest packet
 * its receiver sent before it — as the adapter handled them (`received`, the evidence itself) and as the reference model handled the same
 * calls (`expected`). Without a claimed packet (a rendering-only check), every injected packet.
 */
export function counterexamplePackets(received: Evidence, expected: Evidence | undefined, claims: readonly ClaimFacts[], topology?: AdapterTopology): CounterexamplePacket[] {
  const sent = injections(received);
  const byPacket = new Map(sent.map((x) => [x.injection.packet, x]));
  const expectedBy = new Map((expected ? injections(expected) : []).map((x) => [x.injection.packet, x.observation]));
  const nodeOf = (pod: string): number | undefined => topology?.nodes.find((n) => n.pods.some((p) => p.name === pod))?.id;
  const groups: { description: string; packets: [number, 'request' | 'response'][] }[] = [];
  const seen = new Set<number>();
  for (const c of claims) {
    const packet = c.packet;
    if (packet === undefined || seen.has(packet) || !byPacket.has(packet)) continue;
    const group: [number, 'request' | 'response'][] = [];
    if (c.exchange === 'reply') {
      // the request: the latest earlier packet sent by the pod this reply goes to
      const replyTo = podAt(topology, byPacket.get(packet)!.injection.frame);
      const request = replyTo ? sent.filter((x) => x.injection.packet < packet && 'pod' in x.injection.from && x.injection.from.pod === replyTo.pod).pop() : undefined;
      if (request && !seen.has(request.injection.packet)) group.push([request.injection.packet, 'request']);
      group.push([packet, 'response']);
    } else {
      group.push([packet, 'request']);
      const next = byPacket.get(packet + 1);
      const to = podAt(topology, byPacket.get(packet)!.injection.frame);
      if (next && to && 'pod' in next.injection.from && next.injection.from.pod === to.pod && !seen.has(packet + 1)) group.push([packet + 1, 'response']);
    }
    for (const [k] of group) seen.add(k);
    groups.push({ description: c.connection ?? `packet ${packet}`, packets: group });
  }
  if (groups.length === 0) for (const x of sent) groups.push({ description: `packet ${x.injection.packet}`, packets: [[x.injection.packet, 'request']] });
  const out: CounterexamplePacket[] = [];
  groups.forEach((g, i) => {
    const first = byPacket.get(g.packets[0]![0])!.injection;
    const sender = 'pod' in first.from ? { pod: first.from.pod, ...(nodeOf(first.from.pod) !== undefined ? { nodeId: nodeOf(first.from.pod)! } : {}) } : undefined;
    const receiver = podAt(topology, first.frame);
    const [client, server] = g.packets[0]![1] === 'request' ? [sender, receiver] : [receiver, sender];
    for (const [k, direction] of g.packets) {
      const p: CounterexamplePacket = { connection: i, description: g.description, direction };
      if (client) p.client = client;
      if (server) p.server = server;
      const es = packetSide(expectedBy.get(k), expectedBy.has(k) ? k : undefined);
      const as = packetSide(byPacket.get(k)?.observation, k);
      if (es) p.expected = es;
      if (as) p.received = as;
      out.push(p);
    }
  });
  return out;
}

// traces.json: the packets of a counterexample as JSON (bytes as hex), so that `podflow merge` can rebuild the
// report from run folders alone.
interface PacketsFile {
  version: 1;
  topology?: AdapterTopology;
  packets: CounterexamplePacket[];
}

export function counterexampleDataJson(f: CounterexampleFiles): string {
  const data: PacketsFile = { version: 1, ...(f.topology ? { topology: f.topology } : {}), packets: f.packets ?? [] };
  return `${JSON.stringify(data, (k, v: unknown) => (k === 'layers' ? undefined : v instanceof Uint8Array ? { $hex: toHex(v) } : v), 2)}\n`;
}

/** Reads traces.json back (frames decoded again); throws on a malformed file. */
export function parseCounterexampleData(text: string): { topology?: AdapterTopology; packets: CounterexamplePacket[] } {
  const data = JSON.parse(text, (_k, v: unknown) => {
    if (typeof v === 'object' && v !== null && typeof (v as { $hex?: unknown }).$hex === 'string' && Object.keys(v).length === 1) return fromHex((v as { $hex: string }).$hex);
    return v;
  }) as Partial<PacketsFile>;
  if (data.version !== 1 || !Array.isArray(data.packets)) throw new Error('not a podflow traces.json (version 1)');
  for (const p of data.packets) for (const s of [p.expected, p.received]) for (const f of s?.frames ?? []) f.layers = decodePacket(f.data).layers;
  return { ...(data.topology ? { topology: data.topology } : {}), packets: data.packets };
}


/**
 * trace-diff.txt: the claims with what the evidence shows at their capture points (and, when the model did the
 * same, that the failure is in what was configured), then both traces of the failing connection's packets as VPP
 * text, the first divergent record marked with `>>`.
 */
export function traceDiffText(f: CounterexampleFiles, cx?: Counterexample): string | undefined {
  const a = analyzeCounterexample(f, cx);
  if (a.packets.length === 0) return undefined;
  const out: string[] = [];
  // what the check claimed, and what the evidence shows at each claim's capture point
  for (const c of a.claims) out.push(`claim ${c.index + 1}: ${c.claim.message}`, `  ${claimEvidenceText(c)}${c.supported === false ? ' — the evidence here does not bear the claim out' : ''}`);
  if (a.modelAgrees) out.push('', MODEL_AGREES);
  if (out.length > 0) out.push('');
  if (!a.packets.some((p) => p.hops.length > 0)) out.push('No traces to compare (the adapter does not trace).', '');
  for (const p of a.packets) {
    out.push(`=== ${dirName(p.pkt.direction)} of ${p.pkt.description} (expected packet ${p.pkt.expected?.packet ?? '—'}, received packet ${p.pkt.received?.packet ?? '—'})`);
    if (p.first) out.push(`first divergence: node ${p.first.nodeId}, ${divergenceLine(p.first.div)}${p.first.step?.seedStep ? ` — seed step ${p.first.step.seedStep} (${featureLabel(p.first.step.feature)})` : ''}`);
    else if (p.hops.length > 0) out.push(p.traced ? 'traces identical (volatile fields masked)' : 'only one side traced');
    if (p.drop) out.push(`received: dropped on node ${p.drop.nodeId} at ${p.drop.node}: ${p.drop.error}`);
    for (const h of p.hops) {
      const mark = (recs: TraceRecord[] | undefined): string[] =>
        (recs ?? []).flatMap((r, i) => recordLines(r).map((l) => `${h.diff.first && h.diff.first.recordIndex === i ? '>> ' : '   '}${l}`));
      out.push('', `--- node ${h.nodeId}: ${h.diff.first ? `diverges at ${divergenceLine(h.diff.first)}` : `identical (${h.diff.maskedFields} fields masked)`}`);
      out.push('EXPECTED (reference):', ...mark(h.expected), '', 'RECEIVED (adapter):', ...mark(h.received));
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** results.json: the property results without the in-memory evidence (written per counterexample instead). */
export function resultsJson(r: RunResult): string {
  return jsonText(r.properties.map((p) => ({ ...p, counterexamples: p.counterexamples.map(({ evidence: _e, ...cx }) => cx) })));
}

/** The evidence as JSON (bytes as hex): every call the check made and what came back. */
export function evidenceJson(e: Evidence): string {
  return `${JSON.stringify(e, (k, v: unknown) => (v instanceof Uint8Array ? { $hex: toHex(v) } : v instanceof Map ? Object.fromEntries(v) : v), 2)}\n`;
}

/**
 * Writes one counterexample's folder under `<runFolder>/counterexamples/<id>/` atomically (built under a
 * temporary name, then renamed; an existing folder of the same id — same content — is kept): claims.json (what
 * the check saw), evidence.json, scenario.json, policies.yaml, the adapter's reproduction files, one pcap per
 * capture point expected (the reference model's answer to the same calls) and received (the adapter's), and for
 * the claimed packets traces.json and trace-diff.txt.
 */
export function writeCounterexampleFolder(runFolder: string, f: CounterexampleFiles, cx?: Counterexample): string {
  const parent = join(runFolder, 'counterexamples');
  mkdirSync(parent, { recursive: true });
  const final = join(parent, f.id);
  if (existsSync(final)) return final;
  const dir = join(parent, `.tmp-${f.id}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // case.json as in the corpus: `podflow replay <this folder>` (or its id) re-runs the case
  if (cx) writeFileSync(join(dir, 'case.json'), jsonText(corpusEntryOf(cx)));
  if (cx) writeFileSync(join(dir, 'claims.json'), jsonText({ property: cx.property, adapter: cx.adapter, details: cx.details, claims: cx.claims, ...(cx.excused ? { excused: cx.excused } : {}) }));
  if (f.evidence !== undefined) writeFileSync(join(dir, 'evidence.json'), evidenceJson(f.evidence));
  if (f.scenario !== undefined) writeFileSync(join(dir, 'scenario.json'), jsonText(f.scenario));
  if (f.policiesYaml !== undefined) writeFileSync(join(dir, 'policies.yaml'), f.policiesYaml);
  for (const r of f.reproduction ?? []) writeFileSync(join(dir, safeFileName(r.name)), r.text);
  for (const [side, pcaps] of [['expected', f.expected], ['received', f.received]] as const) {
    for (const [point, recs] of pcaps ?? []) writeFileSync(join(dir, `${side}-${pcapName(point)}.pcap`), encodePcap(recs));
  }
  if (f.packets !== undefined && f.packets.length > 0) {
    writeFileSync(join(dir, 'traces.json'), counterexampleDataJson(f));
    const text = traceDiffText(f, cx);
    if (text !== undefined) writeFileSync(join(dir, 'trace-diff.txt'), text);
  }
  renameSync(dir, final);
  return final;
}

/** run.json and results.json of a run folder, each atomically (the run's state as far as it got). */
export function writeRunState(runFolder: string, r: RunResult): void {
  writeFileAtomic(join(runFolder, 'run.json'), jsonText(r.info));
  writeFileAtomic(join(runFolder, 'results.json'), resultsJson(r));
}

/** Every reporter's file of a finished (or interrupted) run, each atomically, and `latest` pointed at the folder. */
export function finishRunFolder(reportsDir: string, runFolder: string, r: RunResult, files: readonly CounterexampleFiles[]): void {
  for (const f of files) if (!existsSync(join(runFolder, 'counterexamples', f.id))) writeCounterexampleFolder(runFolder, f, r.properties.flatMap((p) => p.counterexamples).find((c) => c.id === f.id));
  writeRunState(runFolder, r);
  writeFileAtomic(join(runFolder, 'junit.xml'), junitXml(r, runFolder));
  writeFileAtomic(join(runFolder, 'summary.md'), summaryMarkdown(r));
  writeFileAtomic(join(runFolder, 'report.html'), reportHtml(r, [...files]));
  pointLatest(reportsDir, runFolder);
}

/** Writes a whole run at once (`podflow merge`): a new folder named for the run (never an existing one); returns it. */
export function writeRunReport(reportsDir: string, r: RunResult, files: CounterexampleFiles[]): string {
  mkdirSync(reportsDir, { recursive: true });
  const folder = join(reportsDir, uniqueRunFolder(reportsDir, r.info.runId));
  mkdirSync(folder);
  finishRunFolder(reportsDir, folder, r, files);
  return folder;
}

/** A file name an adapter chose, kept inside the counterexample's folder. */
export function safeFileName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return n.length > 0 ? n.slice(0, 100) : 'reproduction.txt';
}

