// Writes a run's folder atomically (build under a temporary name, then rename over the final one) and points
// reports/latest at it: run.json, results.json, junit.xml, summary.md, report.html, and per counterexample
// scenario.json, policies.yaml, one pcap per capture point, expected (the reference) and received, and for the
// failing connection traces.json (traces and frames of both) and trace-diff.txt (both traces as VPP text, the
// first divergent record marked).
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encodePcap, type PcapRecord } from '../../packet/pcap.ts';
import { decodePacket, fromHex, toHex, type Layer } from '../../packet/index.ts';
import type { AdapterTopology, Observation, PacketFate } from '../../adapters/adapter.ts';
import { describeConnection, type CaseRun, type SentConnection } from '../../properties/harness.ts';
import { diffTraces } from '../../reference/trace/diff.ts';
import { VOLATILE_18_01 } from '../../reference/trace/masks.ts';
import type { TraceRecord } from '../../reference/trace/records.ts';
import type { RunResult } from '../results.ts';
import { junitXml } from './junit.ts';
import { summaryMarkdown } from './summary.ts';
import { reportHtml, traceDiffText } from './html.ts';

export interface CounterexampleFiles {
  id: string;
  scenario?: unknown;
  policiesYaml?: string;
  expected?: Map<string, PcapRecord[]>;
  received?: Map<string, PcapRecord[]>;
  /** the topology as configured on the adapter (names, addresses) for the report's picture */
  topology?: AdapterTopology;
  /** the failing connection's packets, expected and received (every connection of the case when it cannot tell) */
  packets?: CounterexamplePacket[];
  /** files the adapter gave to reproduce the case by hand (Adapter.reproduction), by file name */
  reproduction?: { name: string; text: string }[];
}

/** A frame seen at a capture point, with its decoding. */
export interface CapturedFrame {
  point: string;
  time: number;
  data: Uint8Array;
  layers: Layer[];
}

/** One packet as one data path handled it: per node (in visit order) its `show trace` records, its frames, its fate. */
export interface PacketSide {
  /** the packet's index in that run (the two runs may number differently once they diverge) */
  packet: number;
  traces: { nodeId: number; records: TraceRecord[] }[];
  frames: CapturedFrame[];
  fates: PacketFate[];
}

export interface CounterexamplePacket {
  /** index of the connection in the case's sent connections */
  connection: number;
  /** e.g. `default/pod-0 -> default/pod-1 TCP/53` */
  description: string;
  direction: 'request' | 'response';
  client?: { pod: string; nodeId?: number };
  server?: { pod: string; nodeId?: number };
  /** the reference model's handling (absent when it sent no such packet, e.g. no reply) */
  expected?: PacketSide;
  /** the adapter's handling */
  received?: PacketSide;
}

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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether the adapter handled a packet differently from the reference: frames, traces (volatile fields masked) or fate. */
export function packetDiffers(p: CounterexamplePacket): boolean {
  const e = p.expected;
  const a = p.received;
  if (!e || !a) return e !== a;
  if (e.frames.length !== a.frames.length || e.frames.some((f, i) => f.point !== a.frames[i]!.point || !sameBytes(f.data, a.frames[i]!.data))) return true;
  if (e.fates.map((f) => f.kind).join() !== a.fates.map((f) => f.kind).join()) return true;
  if (a.traces.length === 0) return false; // the adapter does not trace
  if (e.traces.length !== a.traces.length) return true;
  return e.traces.some((t, i) => t.nodeId !== a.traces[i]!.nodeId || !diffTraces(t, a.traces[i]!, VOLATILE_18_01).equal);
}

/**
 * What the report keeps of a re-run counterexample: the packets of the connection that failed — the one that
 * sent `failedPacket` (the verdict's packet index, in the adapter's numbering) when given, else the first whose
 * handling differs from the reference's — or of every connection when neither tells.
 */
export function counterexamplePackets(expected: CaseRun, received: CaseRun, topology?: AdapterTopology, failedPacket?: number): CounterexamplePacket[] {
  const nodeOf = (pod: string): number | undefined => topology?.nodes.find((n) => n.pods.some((p) => p.name === pod))?.id;
  const end = (e: SentConnection['connection']['src']): { pod: string; nodeId?: number } | undefined => {
    if (!('pod' in e)) return undefined;
    const id = nodeOf(e.pod);
    return id === undefined ? { pod: e.pod } : { pod: e.pod, nodeId: id };
  };
  const perConnection: CounterexamplePacket[][] = [];
  for (let i = 0; i < Math.max(expected.sent.length, received.sent.length); i++) {
    const e = expected.sent[i];
    const a = received.sent[i];
    const conn = (a ?? e)!.connection;
    const base = { connection: i, description: describeConnection(conn) };
    const client = end(conn.src);
    const server = end(conn.dst);
    const pk: CounterexamplePacket[] = [];
    for (const direction of ['request', 'response'] as const) {
      const es = direction === 'request' ? packetSide(e?.request, e?.requestPacket) : packetSide(e?.reply, e?.replyPacket);
      const as = direction === 'request' ? packetSide(a?.request, a?.requestPacket) : packetSide(a?.reply, a?.replyPacket);
      if (!es && !as) continue;
      const p: CounterexamplePacket = { ...base, direction };
      if (client) p.client = client;
      if (server) p.server = server;
      if (es) p.expected = es;
      if (as) p.received = as;
      pk.push(p);
    }
    perConnection.push(pk);
  }
  if (failedPacket !== undefined) {
    const hit = perConnection.find((pk) => pk.some((p) => p.received?.packet === failedPacket));
    if (hit) return hit;
  }
  return perConnection.find((pk) => pk.some(packetDiffers)) ?? perConnection.flat();
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

export function pcapName(point: string): string {
  return point.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Writes reports/<runId>/ and updates reports/latest; returns the folder. */
export function writeRunReport(reportsDir: string, r: RunResult, files: CounterexampleFiles[]): string {
  const final = join(reportsDir, r.info.runId);
  const tmp = join(reportsDir, `.tmp-${r.info.runId}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  writeFileSync(join(tmp, 'run.json'), json(r.info));
  writeFileSync(join(tmp, 'results.json'), json(r.properties));
  writeFileSync(join(tmp, 'junit.xml'), junitXml(r));
  writeFileSync(join(tmp, 'summary.md'), summaryMarkdown(r));
  writeFileSync(join(tmp, 'report.html'), reportHtml(r, files));
  for (const f of files) {
    const dir = join(tmp, 'counterexamples', f.id);
    mkdirSync(dir, { recursive: true });
    if (f.scenario !== undefined) writeFileSync(join(dir, 'scenario.json'), json(f.scenario));
    if (f.policiesYaml !== undefined) writeFileSync(join(dir, 'policies.yaml'), f.policiesYaml);
    for (const r of f.reproduction ?? []) writeFileSync(join(dir, safeFileName(r.name)), r.text);
    for (const [side, pcaps] of [['expected', f.expected], ['received', f.received]] as const) {
      for (const [point, recs] of pcaps ?? []) writeFileSync(join(dir, `${side}-${pcapName(point)}.pcap`), encodePcap(recs));
    }
    if (f.packets !== undefined && f.packets.length > 0) {
      writeFileSync(join(dir, 'traces.json'), counterexampleDataJson(f));
      const text = traceDiffText(f);
      if (text !== undefined) writeFileSync(join(dir, 'trace-diff.txt'), text);
    }
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  const latest = join(reportsDir, 'latest');
  if (existsSync(latest) || isLink(latest)) unlinkSync(latest);
  symlinkSync(basename(final), latest);
  return final;
}

/** A file name an adapter chose, kept inside the counterexample's folder. */
export function safeFileName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return n.length > 0 ? n.slice(0, 100) : 'reproduction.txt';
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
