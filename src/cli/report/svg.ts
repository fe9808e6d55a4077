// The picture of a counterexample (report.html): the nodes of the seed's diagram (pod TAP with the Reflective
// ACL on input and the local table on output, NAT44, VRF routing, loop0 with the Global ACL on output and the
// Reflective ACL on input, bridge domain 1 with the VXLAN tunnels, the GbE with the Global ACL, NAT44
// in2out-output and the VXLAN identity mapping), the request (solid) and response (dashed) drawn through the
// features in the order of the VPP nodes the packet visited, and a red marker where it went wrong.
// Pure and deterministic: the same input gives the same string; no external assets, no scripts.
import type { TraceRecord } from '../../reference/trace/records.ts';

export type FeatureId =
  | 'pod'
  | 'tap'
  | 'tap-acl-in'
  | 'tap-acl-out'
  | 'nat-out2in'
  | 'nat-in2out'
  | 'vrf'
  | 'loop0'
  | 'loop0-acl-out'
  | 'loop0-acl-in'
  | 'bd'
  | 'vxlan'
  | 'gbe'
  | 'gbe-acl-in'
  | 'gbe-acl-out'
  | 'gbe-nat-out2in'
  | 'nat-in2out-output';

type FeatureKind = 'pod' | 'iface' | 'acl-in' | 'acl-out' | 'nat' | 'route' | 'l2';

interface FeatureBox {
  title: string;
  note: string;
  kind: FeatureKind;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Layout of one node with its pods on top (the second node of a picture is drawn mirrored, as in the seed). */
const NODE_W = 640;
const NODE_H = 660;
const GAP = 90;
const TOP = 64;

const FEATURES: Record<FeatureId, FeatureBox> = {
  pod: { title: 'pod', note: '', kind: 'pod', x: 225, y: 4, w: 170, h: 34 },
  tap: { title: 'tap', note: 'virtio-input / tapN-output', kind: 'iface', x: 240, y: 56, w: 140, h: 28 },
  'tap-acl-out': { title: 'Egress ACL', note: 'local table (reflected)', kind: 'acl-out', x: 30, y: 112, w: 160, h: 44 },
  'tap-acl-in': { title: 'Ingress ACL', note: 'Reflective: allow + reflect', kind: 'acl-in', x: 235, y: 112, w: 150, h: 44 },
  'nat-out2in': { title: 'NAT44 OUT-to-IN', note: 'nat44-out2in (DNAT for services)', kind: 'nat', x: 430, y: 112, w: 180, h: 44 },
  'nat-in2out': { title: 'NAT44 IN-to-OUT', note: 'nat44-in2out (SNAT for services)', kind: 'nat', x: 30, y: 190, w: 160, h: 44 },
  vrf: { title: 'VRF 0 routing', note: 'ip4-lookup / ip4-rewrite', kind: 'route', x: 235, y: 190, w: 150, h: 40 },
  loop0: { title: 'loop0 (BVI)', note: '', kind: 'iface', x: 245, y: 264, w: 130, h: 28 },
  'loop0-acl-out': { title: 'Egress ACL', note: 'Global ACL: egress policies', kind: 'acl-out', x: 430, y: 256, w: 180, h: 44 },
  'loop0-acl-in': { title: 'Ingress ACL', note: 'Reflective on loop0', kind: 'acl-in', x: 235, y: 310, w: 150, h: 44 },
  bd: { title: 'L2 FIB', note: 'l2-input / l2-fwd / l2-output', kind: 'l2', x: 235, y: 372, w: 150, h: 34 },
  vxlan: { title: 'VXLAN tunnels', note: 'encap/decap + outer route', kind: 'l2', x: 235, y: 428, w: 150, h: 34 },
  'gbe-nat-out2in': { title: 'NAT44 OUT-to-IN', note: 'identity mapping for VXLAN', kind: 'nat', x: 30, y: 400, w: 160, h: 44 },
  'gbe-acl-out': { title: 'Egress ACL', note: 'Global ACL: encapsulated allowed', kind: 'acl-out', x: 430, y: 392, w: 180, h: 44 },
  'gbe-acl-in': { title: 'Ingress ACL', note: 'Reflective: allow + reflect', kind: 'acl-in', x: 30, y: 500, w: 160, h: 44 },
  'nat-in2out-output': { title: 'NAT44 IN-to-OUT-OUTPUT', note: 'identity mapping for VXLAN', kind: 'nat', x: 420, y: 500, w: 190, h: 48 },
  gbe: { title: 'GigabitEthernet', note: 'dpdk-input / -output / -tx', kind: 'iface', x: 195, y: 615, w: 250, h: 30 },
};

export const FEATURE_IDS = Object.keys(FEATURES) as FeatureId[];

const BD_BOX = { x: 215, y: 250, w: 190, h: 226 };

/** A short human name of a feature, e.g. `Egress ACL (Global ACL: egress policies)`. */
export function featureLabel(f: FeatureId): string {
  const b = FEATURES[f];
  return b.note ? `${b.title} (${b.note})` : b.title;
}

const STYLE: Record<FeatureKind, { fill: string; stroke: string; dash?: string }> = {
  pod: { fill: '#ffffff', stroke: '#000000' },
  iface: { fill: '#dae8fc', stroke: '#6c8ebf' },
  'acl-in': { fill: '#ffe6cc', stroke: '#d79b00', dash: '5 3' },
  'acl-out': { fill: '#f8cecc', stroke: '#b85450', dash: '5 3' },
  nat: { fill: '#e6d0de', stroke: '#996185' },
  route: { fill: '#f5f5f5', stroke: '#666666' },
  l2: { fill: '#ffffff', stroke: '#333333' },
};

export interface SvgPod {
  name: string;
  ip?: string;
  tap?: string;
  role?: 'client' | 'server';
}

export interface SvgNode {
  id: number;
  name?: string;
  ip?: string;
  gbe?: string;
  pods?: SvgPod[];
}

/**
 * The VPP nodes a packet visited on one node (VPP instance), in order. A name may carry the interface it ran
 * on after `@` (`acl-plugin-in-ip4-fa@tap`, `@gbe`, `@loop0`); without it the interface is inferred from the
 * nodes before (and, for output ACLs, after) it.
 */
export interface PathHop {
  nodeId: number;
  nodes: readonly string[];
}

export type Direction = 'request' | 'response';

export interface PathFailure {
  nodeId: number;
  /** the VPP node that diverged or dropped (qualified or not) */
  vppNode?: string;
  /** where in the paths: direction, hop index and index into that hop's nodes (exact; preferred over vppNode) */
  path?: Direction;
  hop?: number;
  index?: number;
  kind?: 'diverged' | 'dropped';
  /** the feature to mark, when the caller knows it better (e.g. from the expected path, for a node the adapter skipped) */
  feature?: FeatureId;
  /** one line for the caption, e.g. `vxlan4-encap: vni expected 10, received 11` */
  label?: string;
}

export interface TwoNodePathInput {
  /** the nodes to draw, top first (the client's node first); odd positions are drawn mirrored */
  nodes: readonly SvgNode[];
  requestPath: readonly PathHop[];
  responsePath: readonly PathHop[];
  failure?: PathFailure;
  /** prefix of the ids inside the SVG (unique per page when several pictures are inlined) */
  idPrefix?: string;
  title?: string;
}

/** Where a VPP node of a hop belongs, and the seed step it implements there. */
export interface FeatureStep {
  index: number;
  vppNode: string;
  feature: FeatureId;
  seedStep?: string;
}

type Phase = 'sender' | 'receiver' | 'same';

function baseName(n: string): { name: string; qual?: string } {
  const at = n.indexOf('@');
  return at < 0 ? { name: n } : { name: n.slice(0, at), qual: n.slice(at + 1) };
}

/** `tap`, `gbe` or `loop0` from an interface name. */
function ifaceKind(ifName: string): 'tap' | 'gbe' | 'loop0' | undefined {
  if (/^loop\d*$/.test(ifName) || ifName === 'loop0') return 'loop0';
  if (/^tap/i.test(ifName)) return 'tap';
  if (/Ethernet|^eth|^ens|^enp|^dpdk/i.test(ifName)) return 'gbe';
  return undefined;
}

/** The interface kind of an `@` qualifier: `tap`, `gbe`, `loop0` or an interface name. */
function qualKind(qual: string | undefined): 'tap' | 'gbe' | 'loop0' | undefined {
  if (qual === undefined) return undefined;
  if (qual === 'tap' || qual === 'gbe' || qual === 'loop0') return qual;
  return ifaceKind(qual);
}

/** The interface of an `<ifc>-output` / `<ifc>-tx` node name. */
function outputIface(name: string): 'tap' | 'gbe' | 'loop0' | undefined {
  const m = /^(.+)-(output|tx)$/.exec(name);
  if (!m || /^(nat44|interface|l2|ip4)/.test(m[1]!)) return undefined;
  return ifaceKind(m[1]!);
}

function isOutputAclName(n: string): boolean {
  return /^acl-plugin-out-ip4-fa$/.test(n);
}

/**
 * Maps each VPP node of a hop to the feature of the diagram it belongs to. Input-side nodes take the interface
 * the packet came in on (the TAP, the GbE, or loop0 after the bridge domain); an output ACL takes the interface
 * it guards (its `@` qualifier, else the `<ifc>-output` that follows, else what the hop did before).
 */
export function hopFeatures(hop: PathHop, direction: Direction = 'request', phase?: Phase): FeatureStep[] {
  const ph = phase ?? hopPhase(hop, 0, 1);
  const out: FeatureStep[] = [];
  let ingress: 'tap' | 'gbe' | 'loop0' | undefined;
  let encapped = false;
  let decapped = false;
  let last: FeatureId | undefined;
  const names = hop.nodes.map(baseName);
  names.forEach(({ name, qual }, i) => {
    let f: FeatureId;
    if (name === 'virtio-input' || name === 'tapcli-rx' || name === 'tuntap-rx') {
      ingress = 'tap';
      f = 'tap';
    } else if (name === 'dpdk-input' || name === 'af-packet-input') {
      ingress = 'gbe';
      f = 'gbe';
    } else if (name === 'ethernet-input' || name === 'arp-input') {
      f = ingress === 'gbe' ? 'gbe' : ingress === 'loop0' ? 'loop0' : 'tap';
    } else if (name === 'ip4-input' || name === 'ip4-input-no-checksum') {
      if (last === 'bd' || last === 'vxlan') ingress = 'loop0';
      f = ingress === 'gbe' ? 'gbe' : ingress === 'loop0' ? 'loop0' : 'tap';
    } else if (name === 'acl-plugin-in-ip4-fa') {
      const k = qualKind(qual) ?? ingress;
      f = k === 'gbe' ? 'gbe-acl-in' : k === 'loop0' ? 'loop0-acl-in' : 'tap-acl-in';
    } else if (name === 'acl-plugin-in-ip4-l2') {
      f = 'loop0-acl-in';
    } else if (isOutputAclName(name)) {
      let k = qualKind(qual);
      for (let j = i + 1; k === undefined && j < names.length; j++) {
        const o = outputIface(names[j]!.name);
        if (o) k = o;
        if (names[j]!.name === 'acl-plugin-out-ip4-fa' || names[j]!.name === 'error-drop') break;
      }
      k ??= encapped ? 'gbe' : ingress === 'gbe' || decapped ? 'tap' : ph === 'same' ? 'tap' : 'loop0';
      f = k === 'gbe' ? 'gbe-acl-out' : k === 'loop0' ? 'loop0-acl-out' : 'tap-acl-out';
    } else if (/^nat44(-ed)?-in2out-output/.test(name)) {
      f = 'nat-in2out-output';
    } else if (/^nat44(-ed)?-out2in/.test(name)) {
      f = ingress === 'gbe' && !decapped ? 'gbe-nat-out2in' : 'nat-out2in';
    } else if (/^nat44(-ed)?-(in2out|classify|hairpin)/.test(name)) {
      f = 'nat-in2out';
    } else if (name === 'vxlan4-encap') {
      encapped = true;
      f = 'vxlan';
    } else if (name === 'vxlan4-input') {
      decapped = true;
      f = 'vxlan';
    } else if (name === 'ip4-udp-lookup' || name === 'ip4-local') {
      f = ingress === 'gbe' && !decapped ? 'vxlan' : 'vrf';
    } else if (/^ip4-/.test(name)) {
      // The outer packet's route (the tunnel's resolved path) is drawn at the tunnel, not at the VRF of the pods.
      f = encapped || (ingress === 'gbe' && !decapped && name === 'ip4-lookup' && nextIsLocal(names, i)) ? 'vxlan' : 'vrf';
    } else if (/^l2-/.test(name)) {
      f = 'bd';
    } else if (name === 'loop0-output' || name === 'loop0-tx') {
      f = 'loop0';
    } else if (name === 'error-drop' || name === 'drop') {
      f = last ?? 'tap';
    } else {
      const o = outputIface(name);
      f = o === 'gbe' ? 'gbe' : o === 'loop0' ? 'loop0' : o === 'tap' ? 'tap' : (last ?? 'vrf');
    }
    const step: FeatureStep = { index: i, vppNode: hop.nodes[i]!, feature: f };
    const s = seedStepOf(name, f, direction, ph, encapped);
    if (s !== undefined) step.seedStep = s;
    out.push(step);
    last = f;
  });
  return out;
}

function nextIsLocal(names: readonly { name: string }[], i: number): boolean {
  return names.slice(i + 1).some((n) => n.name === 'ip4-local');
}

/** Sender (first node of a cross-node path), receiver (a later node) or same node (delivered where it started). */
export function hopPhase(hop: PathHop, hopIndex: number, hops: number): Phase {
  if (hops > 1) return hopIndex === 0 ? 'sender' : 'receiver';
  const names = hop.nodes.map((n) => baseName(n).name);
  if (names[0] === 'dpdk-input') return 'receiver';
  const quals = hop.nodes.map((n) => qualKind(baseName(n).qual));
  if (quals.some((q) => q === 'loop0' || q === 'gbe')) return 'sender';
  if (names.some((n) => n === 'vxlan4-encap' || n === 'loop0-output' || outputIface(n) === 'gbe' || n.startsWith('l2-') || n === 'acl-plugin-in-ip4-l2')) return 'sender';
  return 'same';
}

/** Seed steps (DATAPATH.md §4 tables) per feature, direction and phase. */
function seedStepOf(name: string, f: FeatureId, dir: Direction, ph: Phase, encapped: boolean): string | undefined {
  if (dir === 'request') {
    if (ph === 'same') {
      const m: Partial<Record<FeatureId, string>> = { tap: 'SN-q4', 'tap-acl-in': 'SN-q5', 'nat-out2in': 'SN-q6', 'nat-in2out': 'SN-q6', vrf: 'SN-q7', 'tap-acl-out': 'SN-q8' };
      if (f === 'tap' && /-output$/.test(name)) return 'SN-q10';
      if (f === 'vrf' && name === 'ip4-rewrite') return 'SN-q9';
      return m[f];
    }
    if (ph === 'sender') {
      if (name === 'l2-input' || name === 'loop0-output') return 'q4';
      if (name === 'l2-input-classify' || name === 'acl-plugin-in-ip4-l2') return 'q5';
      if (name === 'l2-fwd' || name === 'l2-output') return 'q7';
      if (name === 'vxlan4-encap') return 'q8';
      if (f === 'vxlan' && encapped) return 'q9';
      if (f === 'vrf' && name === 'ip4-rewrite') return 'q6';
      const m: Partial<Record<FeatureId, string>> = { tap: 'q1', 'tap-acl-in': 'q1', 'nat-out2in': 'q1', 'nat-in2out': 'q1', vrf: 'q2', 'loop0-acl-out': 'q3', loop0: 'q4', 'gbe-acl-out': 'q10', 'nat-in2out-output': 'q11', gbe: 'q9' };
      return m[f];
    }
    const m: Partial<Record<FeatureId, string>> = {
      gbe: 'q12',
      'gbe-acl-in': 'q13',
      'gbe-nat-out2in': 'q14',
      vxlan: 'q15',
      bd: 'q15',
      loop0: 'q16',
      'loop0-acl-in': 'q16',
      'nat-in2out': 'q17',
      'nat-out2in': 'q17',
      vrf: 'q18',
      'tap-acl-out': 'q18',
      tap: 'q18',
    };
    return m[f];
  }
  if (ph === 'same') {
    const m: Partial<Record<FeatureId, string>> = { tap: 'SN-r1', 'tap-acl-in': 'SN-r2', 'nat-in2out': 'SN-r3', 'nat-out2in': 'SN-r3', vrf: 'SN-r4', 'tap-acl-out': 'SN-r5' };
    if (f === 'tap' && /-output$/.test(name)) return 'SN-r7';
    if (f === 'vrf' && name === 'ip4-rewrite') return 'SN-r6';
    return m[f];
  }
  if (ph === 'sender') {
    if (name === 'loop0-output' || name === 'l2-input') return 'r4';
    if (name === 'l2-input-classify' || name === 'acl-plugin-in-ip4-l2') return 'r5';
    const m: Partial<Record<FeatureId, string>> = { tap: 'r1', 'tap-acl-in': 'r1', 'nat-in2out': 'r1', 'nat-out2in': 'r1', vrf: 'r2', 'loop0-acl-out': 'r3', loop0: 'r4' };
    return m[f] ?? 'r6';
  }
  const m: Partial<Record<FeatureId, string>> = {
    gbe: 'r6',
    'gbe-acl-in': 'r7',
    'gbe-nat-out2in': 'r8',
    vxlan: 'r8',
    bd: 'r9',
    loop0: 'r9',
    'loop0-acl-in': 'r9',
    'nat-in2out': 'r10',
    'nat-out2in': 'r10',
    vrf: 'r11',
    'tap-acl-out': 'r11',
    tap: 'r11',
  };
  return m[f];
}

/** The features of every hop of a path, with the seed steps; hops in order. */
export function pathFeatures(hops: readonly PathHop[], direction: Direction): FeatureStep[][] {
  return hops.map((h, i) => hopFeatures(h, direction, hopPhase(h, i, hops.length)));
}

/**
 * Node names of a trace qualified with the interface where it matters (`acl-plugin-out-ip4-fa@loop0`), read from
 * the records: an output ACL guards the interface of the ip4-rewrite before it.
 */
export function qualifiedNodes(records: readonly TraceRecord[]): string[] {
  let rewriteIf: string | undefined;
  return records.map((r) => {
    if (r.body.kind === 'ip4-rewrite') rewriteIf = r.body.ifName;
    if (r.node === 'acl-plugin-out-ip4-fa' && rewriteIf !== undefined) {
      const k = ifaceKind(rewriteIf);
      if (k) return `${r.node}@${k}`;
    }
    return r.node;
  });
}

// ---------------------------------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Numbers as short, stable text. */
function n(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

const CAPTION_LINES = 3;

/** Up to `lines` lines of at most `width` characters, broken at spaces; the last one cut. */
function wrap(s: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > 0 && out.length < lines - 1 && rest.length > width) {
    let at = rest.lastIndexOf(' ', width);
    if (at <= 0) at = width;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) out.push(cut(rest, width));
  return out;
}

interface Placed {
  x: number;
  y: number;
  w: number;
  h: number;
}

function nodeOrigin(i: number): number {
  return TOP + i * (NODE_H + GAP);
}

function place(b: { x: number; y: number; w: number; h: number }, i: number): Placed {
  const mirrored = i % 2 === 1;
  return { x: b.x, y: nodeOrigin(i) + (mirrored ? NODE_H - b.y - b.h : b.y), w: b.w, h: b.h };
}

function centre(p: Placed): [number, number] {
  return [p.x + p.w / 2, p.y + p.h / 2];
}

interface PathPoint {
  nodeIdx: number;
  feature: FeatureId;
  /** the packet was dropped here (its hop ends in error-drop) */
  drop?: boolean;
}

function pathPoints(hops: readonly PathHop[], direction: Direction, nodeIndex: Map<number, number>, nodes: readonly SvgNode[]): PathPoint[][] {
  const runs: PathPoint[][] = [];
  let cur: PathPoint[] = [];
  const feats = pathFeatures(hops, direction);
  hops.forEach((hop, h) => {
    const idx = nodeIndex.get(hop.nodeId);
    if (idx === undefined) {
      if (cur.length > 0) runs.push(cur);
      cur = [];
      return;
    }
    const steps = feats[h]!;
    const pts: FeatureId[] = [];
    if (baseName(hop.nodes[0] ?? '').name === 'virtio-input') pts.push('pod');
    for (const s of steps) pts.push(s.feature);
    const lastName = baseName(hop.nodes[hop.nodes.length - 1] ?? '').name;
    const taps = new Set((nodes[idx]!.pods ?? []).map((p) => p.tap).filter((t): t is string => t !== undefined));
    const m = /^(.+)-output$/.exec(lastName);
    if (m && (outputIface(lastName) === 'tap' || taps.has(m[1]!))) pts.push('pod');
    for (const f of pts) {
      const prev = cur[cur.length - 1];
      if (prev && prev.nodeIdx === idx && prev.feature === f) continue;
      cur.push({ nodeIdx: idx, feature: f });
    }
    if (lastName === 'error-drop' || lastName === 'drop') {
      const end = cur[cur.length - 1];
      if (end) end.drop = true;
    }
  });
  if (cur.length > 0) runs.push(cur);
  return runs.filter((r) => r.length > 0);
}

function resolveFailure(input: TwoNodePathInput, nodeIndex: Map<number, number>): { nodeIdx: number; feature: FeatureId } | undefined {
  const f = input.failure;
  if (!f) return undefined;
  const nodeIdx = nodeIndex.get(f.nodeId);
  if (nodeIdx === undefined) return undefined;
  const tryPath = (dir: Direction): FeatureId | undefined => {
    const hops = dir === 'request' ? input.requestPath : input.responsePath;
    const feats = pathFeatures(hops, dir);
    if (f.hop !== undefined && f.index !== undefined) {
      const hop = hops[f.hop];
      if (hop && hop.nodeId === f.nodeId) return feats[f.hop]![Math.min(f.index, feats[f.hop]!.length - 1)]?.feature;
      return undefined;
    }
    if (f.vppNode === undefined) return undefined;
    const want = baseName(f.vppNode).name;
    for (let h = 0; h < hops.length; h++) {
      if (hops[h]!.nodeId !== f.nodeId) continue;
      const s = feats[h]!.find((x) => baseName(x.vppNode).name === want);
      if (s) return s.feature;
    }
    return undefined;
  };
  const feature = f.feature ?? (f.path ? tryPath(f.path) : undefined) ?? tryPath('request') ?? tryPath('response') ?? (f.vppNode ? hopFeatures({ nodeId: f.nodeId, nodes: [f.vppNode] })[0]?.feature : undefined);
  return feature ? { nodeIdx, feature } : undefined;
}

function box(p: Placed, b: FeatureBox, title: string, note: string, feature: FeatureId, visited: boolean): string {
  const st = STYLE[b.kind];
  const [cx] = centre(p);
  const r = b.kind === 'iface' || b.kind === 'l2' || b.kind === 'pod' ? 0 : 8;
  const lines = [
    `<g class="feature${visited ? ' visited' : ''}" data-feature="${feature}"${visited ? '' : ' opacity="0.45"'}>`,
    `<title>${esc(note ? `${title}: ${note}` : title)}</title>`,
    `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(p.w)}" height="${n(p.h)}" rx="${r}" fill="${st.fill}" stroke="${st.stroke}" stroke-width="1.2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`,
  ];
  if (note) {
    lines.push(`<text x="${n(cx)}" y="${n(p.y + p.h / 2 - 2)}" text-anchor="middle" font-size="12">${esc(cut(title, 30))}</text>`);
    lines.push(`<text x="${n(cx)}" y="${n(p.y + p.h / 2 + 11)}" text-anchor="middle" font-size="9" font-style="italic">${esc(cut(note, 36))}</text>`);
  } else {
    lines.push(`<text x="${n(cx)}" y="${n(p.y + p.h / 2 + 4)}" text-anchor="middle" font-size="12">${esc(cut(title, 32))}</text>`);
  }
  lines.push('</g>');
  return lines.join('');
}

function arrow(x1: number, y1: number, x2: number, y2: number, colour: string): string {
  const len = Math.hypot(x2 - x1, y2 - y1);
  if (len < 28) return '';
  const deg = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
  return `<path d="M0,0 L-9,-4.5 L-9,4.5 Z" fill="${colour}" transform="translate(${n((x1 + x2) / 2)},${n((y1 + y2) / 2)}) rotate(${n(deg)})"/>`;
}

const REQUEST = { colour: '#3a8a2a', dash: '', dx: -5, dy: -3 };
const RESPONSE = { colour: '#b03a2e', dash: ' stroke-dasharray="7 4"', dx: 5, dy: 3 };

/** The picture as an SVG document fragment (`<svg xmlns=…>…</svg>`), valid XML. */
export function twoNodePathSvg(input: TwoNodePathInput): string {
  const nodes = input.nodes;
  const pfx = (input.idPrefix ?? 'pf').replace(/[^A-Za-z0-9_-]/g, '-');
  const nodeIndex = new Map(nodes.map((nd, i) => [nd.id, i]));
  const count = Math.max(1, nodes.length);
  const height = TOP + count * NODE_H + (count - 1) * GAP + 24 + 15 * CAPTION_LINES;
  const req = pathPoints(input.requestPath, 'request', nodeIndex, nodes);
  const resp = pathPoints(input.responsePath, 'response', nodeIndex, nodes);
  const visited = new Set<string>([...req.flat(), ...resp.flat()].map((p) => `${p.nodeIdx}|${p.feature}`));
  const fail = resolveFailure(input, nodeIndex);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" id="${pfx}-svg" class="path-picture" viewBox="0 0 ${NODE_W} ${height}" width="${NODE_W}" height="${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="${pfx}-title">`);
  out.push(`<title id="${pfx}-title">${esc(input.title ?? 'request and response path through both nodes')}</title>`);
  // legend
  out.push(`<g class="legend" font-size="11">`);
  out.push(`<line x1="10" y1="14" x2="50" y2="14" stroke="${REQUEST.colour}" stroke-width="2.5"/><text x="56" y="18">request</text>`);
  out.push(`<line x1="120" y1="14" x2="160" y2="14" stroke="${RESPONSE.colour}" stroke-width="2.5"${RESPONSE.dash}/><text x="166" y="18">response</text>`);
  out.push(`<circle cx="245" cy="14" r="7" fill="#d00000"/><text x="258" y="18">where it went wrong</text>`);
  out.push(`<text x="10" y="40" font-size="11" fill="#555555">${esc(cut(input.title ?? '', 100))}</text>`);
  out.push(`</g>`);
  // hosts, VPP boxes, bridge domains, pods
  nodes.forEach((nd, i) => {
    const host = place({ x: 0, y: 44, w: NODE_W, h: NODE_H - 44 }, i);
    const vpp = place({ x: 14, y: 70, w: NODE_W - 28, h: 560 }, i);
    const bd = place(BD_BOX, i);
    const mirrored = i % 2 === 1;
    out.push(`<g class="node" data-node="${nd.id}">`);
    out.push(`<rect x="${n(host.x)}" y="${n(host.y)}" width="${n(host.w)}" height="${n(host.h)}" fill="#f4f4f4" stroke="#999999"/>`);
    out.push(`<rect x="${n(vpp.x)}" y="${n(vpp.y)}" width="${n(vpp.w)}" height="${n(vpp.h)}" fill="#ffffff" stroke="#000000"/>`);
    out.push(`<text x="${n(vpp.x + 10)}" y="${n(mirrored ? vpp.y + 20 : vpp.y + vpp.h - 10)}" font-size="13" font-weight="bold">VPP</text>`);
    const hostLabel = `node ${nd.id}${nd.name ? ` ${nd.name}` : ''}${nd.ip ? ` ${nd.ip}` : ''}`;
    out.push(`<text x="${n(host.x + host.w - 8)}" y="${n(mirrored ? host.y + host.h - 8 : host.y + 16)}" text-anchor="end" font-size="12" font-weight="bold">${esc(cut(hostLabel, 60))}</text>`);
    out.push(`<rect x="${n(bd.x)}" y="${n(bd.y)}" width="${n(bd.w)}" height="${n(bd.h)}" fill="#f2f2f2" stroke="#666666" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${n(bd.x + bd.w - 6)}" y="${n(mirrored ? bd.y + bd.h - 6 : bd.y + 14)}" text-anchor="end" font-size="11">BD1</text>`);
    out.push(`</g>`);
  });
  // the wire between consecutive nodes
  for (let i = 0; i + 1 < nodes.length; i++) {
    const a = place(FEATURES.gbe, i);
    const b = place(FEATURES.gbe, i + 1);
    const top = a.y < b.y ? a : b;
    const bottom = a.y < b.y ? b : a;
    const x = top.x + top.w / 2;
    out.push(`<g class="wire"><line x1="${n(x - 2)}" y1="${n(top.y + top.h)}" x2="${n(x - 2)}" y2="${n(bottom.y)}" stroke="#000000"/><line x1="${n(x + 2)}" y1="${n(top.y + top.h)}" x2="${n(x + 2)}" y2="${n(bottom.y)}" stroke="#000000"/>`);
    const my = (top.y + top.h + bottom.y) / 2;
    out.push(`<ellipse cx="${n(x)}" cy="${n(my)}" rx="48" ry="18" fill="#ffffff" stroke="#000000"/><text x="${n(x)}" y="${n(my + 4)}" text-anchor="middle" font-size="12">network</text></g>`);
  }
  // the paths (under the boxes, so that they seem to join the boxes' edges)
  const drawn: string[] = [];
  const arrows: string[] = [];
  for (const [runs, st, cls] of [[req, REQUEST, 'request'], [resp, RESPONSE, 'response']] as const) {
    for (const run of runs) {
      const pts = run.map((p) => {
        const [x, y] = centre(place(FEATURES[p.feature], p.nodeIdx));
        return [x + st.dx, y + st.dy] as const;
      });
      if (pts.length < 2) continue;
      drawn.push(`<polyline class="path-${cls}" points="${pts.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${st.colour}" stroke-width="2.5" stroke-linejoin="round"${st.dash}/>`);
      for (let k = 0; k + 1 < pts.length; k++) arrows.push(arrow(pts[k]![0], pts[k]![1], pts[k + 1]![0], pts[k + 1]![1], st.colour));
    }
  }
  out.push(`<g class="paths">${drawn.join('')}</g>`);
  // the features
  nodes.forEach((nd, i) => {
    out.push(`<g class="features" data-node="${nd.id}">`);
    for (const id of FEATURE_IDS) {
      const b = FEATURES[id];
      let title = b.title;
      let note = b.note;
      if (id === 'pod') {
        const pods = nd.pods ?? [];
        title = pods.length > 0 ? pods.map((p) => `${p.role && p.role !== p.name ? `${p.role} ` : ''}${p.name}`).join(', ') : 'pods';
        note = pods.map((p) => p.ip).filter((x): x is string => x !== undefined).join(', ');
      } else if (id === 'tap') {
        const taps = (nd.pods ?? []).map((p) => p.tap).filter((x): x is string => x !== undefined);
        if (taps.length > 0) title = taps.join(' / ');
        note = 'pod TAP';
      } else if (id === 'gbe' && nd.gbe) {
        title = nd.gbe;
      }
      out.push(box(place(b, i), b, title, note, id, visited.has(`${i}|${id}`)));
    }
    out.push(`</g>`);
  });
  out.push(`<g class="arrows">${arrows.join('')}</g>`);
  // where a path ends in a drop: a cross at the feature's corner
  const drops: string[] = [];
  for (const [runs, st, cls] of [[req, REQUEST, 'request'], [resp, RESPONSE, 'response']] as const) {
    for (const pt of runs.flat()) {
      if (!pt.drop) continue;
      const p = place(FEATURES[pt.feature], pt.nodeIdx);
      const x = p.x + 2;
      const y = p.y + p.h - 2;
      drops.push(`<g class="drop drop-${cls}"><title>${esc(`${cls} dropped here`)}</title><path d="M${n(x - 6)},${n(y - 6)} L${n(x + 6)},${n(y + 6)} M${n(x - 6)},${n(y + 6)} L${n(x + 6)},${n(y - 6)}" stroke="${st.colour}" stroke-width="3"/></g>`);
    }
  }
  if (drops.length > 0) out.push(drops.join(''));
  // the failure marker
  if (fail) {
    const p = place(FEATURES[fail.feature], fail.nodeIdx);
    const f = input.failure!;
    const what = f.kind === 'dropped' ? 'dropped here' : 'diverged here';
    out.push(`<g class="failure" data-feature="${fail.feature}" data-node="${f.nodeId}"${f.vppNode ? ` data-vpp-node="${esc(f.vppNode)}"` : ''}>`);
    out.push(`<title>${esc(`${what}: ${f.label ?? f.vppNode ?? fail.feature}`)}</title>`);
    out.push(`<rect x="${n(p.x - 4)}" y="${n(p.y - 4)}" width="${n(p.w + 8)}" height="${n(p.h + 8)}" rx="6" fill="none" stroke="#d00000" stroke-width="3"/>`);
    out.push(`<circle cx="${n(p.x + p.w)}" cy="${n(p.y)}" r="10" fill="#d00000"/>`);
    out.push(`<text x="${n(p.x + p.w)}" y="${n(p.y + 5)}" text-anchor="middle" font-size="14" font-weight="bold" fill="#ffffff">!</text>`);
    out.push(`</g>`);
    const caption = wrap(`✗ ${what}: node ${f.nodeId}, ${featureLabel(fail.feature)}${f.label ? ` — ${f.label}` : ''}`, 92, 3);
    const y0 = height - 14 - 15 * (CAPTION_LINES - 1);
    out.push(`<text class="failure-caption" x="10" y="${n(y0)}" font-size="12" fill="#d00000">${caption.map((l, i) => `<tspan x="10" dy="${i === 0 ? 0 : 15}">${esc(l)}</tspan>`).join('')}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
