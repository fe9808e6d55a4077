// The picture of a counterexample (report.html): the nodes of the seed's diagram (pod TAP with the Reflective
// ACL on input and the local table on output, NAT44, VRF routing, loop0 with the Global ACL on output and the
// Reflective ACL on input, bridge domain 1 with the VXLAN tunnels, the GbE with the Global ACL, NAT44
// in2out-output and the VXLAN identity mapping), the request (solid) and response (dashed) drawn through the
// features in the order of the VPP nodes the packet visited, and a red marker where it went wrong.
// Pure and deterministic: the same input gives the same string; no external assets, no scripts.
import { interfaceRole, nodeFeatureRow, seedStepOf, type DiagramFeature, type InterfaceRole } from '../../reference/node-features.ts';
import type { TraceRecord } from '../../trace/records.ts';

/** A box of the seed's diagram, or `unmapped` (reference/node-features.ts). */
export type FeatureId = DiagramFeature;

/** The features drawn as boxes (every one but `unmapped`). */
type DrawnFeature = Exclude<FeatureId, 'unmapped'>;

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

const FEATURES: Record<DrawnFeature, FeatureBox> = {
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

export const FEATURE_IDS = Object.keys(FEATURES) as DrawnFeature[];

const BD_BOX = { x: 215, y: 250, w: 190, h: 226 };

/** A short human name of a feature, e.g. `Egress ACL (Global ACL: egress policies)`. */
export function featureLabel(f: FeatureId): string {
  if (f === 'unmapped') return "unmapped (a node the model's node table does not know)";
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

/** The interface of an `@` qualifier: `tap`, `gbe`, `loop0` or an interface name. */
function qualKind(qual: string | undefined): InterfaceRole | undefined {
  if (qual === undefined) return undefined;
  if (qual === 'tap' || qual === 'gbe' || qual === 'loop0') return qual;
  return interfaceRole(qual);
}

/** The interface an interface-output / interface-tx row prints (`tap3-output` → tap). */
function outputIface(row: ReturnType<typeof nodeFeatureRow>): InterfaceRole | undefined {
  return row?.feature.kind === 'output' && row.ifName !== undefined ? interfaceRole(row.ifName) : undefined;
}

/**
 * Maps each VPP node of a hop to the feature of the diagram it belongs to, by the model's table
 * (reference/node-features.ts). Input-side nodes take the interface the packet came in on (the TAP, the GbE, or
 * loop0 after the bridge domain); an output ACL takes the interface it guards (its `@` qualifier, else the
 * `<ifc>-output` that follows, else what the hop did before). A name the table does not know is `unmapped`.
 */
export function hopFeatures(hop: PathHop, direction: Direction = 'request', phase?: Phase): FeatureStep[] {
  const ph = phase ?? hopPhase(hop, 0, 1);
  const out: FeatureStep[] = [];
  let ingress: InterfaceRole | undefined;
  let encapped = false;
  let decapped = false;
  let last: FeatureId | undefined;
  const names = hop.nodes.map(baseName);
  const rows = names.map((n) => nodeFeatureRow(n.name));
  const atIngress = (): FeatureId => (ingress === 'gbe' ? 'gbe' : ingress === 'loop0' ? 'loop0' : 'tap');
  names.forEach(({ qual }, i) => {
    const row = rows[i];
    const r = row?.feature;
    let f: FeatureId;
    switch (r?.kind) {
      case undefined:
        f = 'unmapped';
        break;
      case 'fixed':
        f = r.feature;
        break;
      case 'input':
        ingress = r.iface;
        f = r.iface;
        break;
      case 'at-ingress':
        f = atIngress();
        break;
      case 'ip4-input':
        if (last === 'bd' || last === 'vxlan') ingress = 'loop0';
        f = atIngress();
        break;
      case 'acl-in': {
        const k = qualKind(qual) ?? ingress;
        f = k === 'gbe' ? 'gbe-acl-in' : k === 'loop0' ? 'loop0-acl-in' : 'tap-acl-in';
        break;
      }
      case 'acl-out': {
        let k = qualKind(qual);
        for (let j = i + 1; k === undefined && j < names.length; j++) {
          const o = outputIface(rows[j]);
          if (o) k = o;
          if (rows[j]?.feature.kind === 'acl-out' || rows[j]?.feature.kind === 'drop') break;
        }
        k ??= encapped ? 'gbe' : ingress === 'gbe' || decapped ? 'tap' : ph === 'same' ? 'tap' : 'loop0';
        f = k === 'gbe' ? 'gbe-acl-out' : k === 'loop0' ? 'loop0-acl-out' : 'tap-acl-out';
        break;
      }
      case 'nat-out2in':
        f = ingress === 'gbe' && !decapped ? 'gbe-nat-out2in' : 'nat-out2in';
        break;
      case 'encap':
        encapped = true;
        f = 'vxlan';
        break;
      case 'decap':
        decapped = true;
        f = 'vxlan';
        break;
      case 'local':
        f = ingress === 'gbe' && !decapped ? 'vxlan' : 'vrf';
        break;
      case 'route':
      case 'lookup':
        // The outer packet's route (the tunnel's resolved path) is drawn at the tunnel, not at the VRF of the pods.
        f = encapped || (r.kind === 'lookup' && ingress === 'gbe' && !decapped && nextIsLocal(rows, i)) ? 'vxlan' : 'vrf';
        break;
      case 'output':
        f = outputIface(row) ?? last ?? 'vrf';
        break;
      case 'drop':
        f = last ?? 'tap';
        break;
    }
    const step: FeatureStep = { index: i, vppNode: hop.nodes[i]!, feature: f };
    const s = f === 'unmapped' ? undefined : seedStepOf(row, f, `${direction}-${ph}`);
    if (s !== undefined) step.seedStep = s;
    out.push(step);
    if (f !== 'unmapped') last = f;
  });
  return out;
}

function nextIsLocal(rows: readonly ReturnType<typeof nodeFeatureRow>[], i: number): boolean {
  return rows.slice(i + 1).some((r) => r?.node === 'ip4-local');
}

/** Sender (first node of a cross-node path), receiver (a later node) or same node (delivered where it started). */
export function hopPhase(hop: PathHop, hopIndex: number, hops: number): Phase {
  if (hops > 1) return hopIndex === 0 ? 'sender' : 'receiver';
  const rows = hop.nodes.map((n) => nodeFeatureRow(baseName(n).name));
  const first = rows[0]?.feature;
  if (first?.kind === 'input' && first.iface === 'gbe') return 'receiver';
  const quals = hop.nodes.map((n) => qualKind(baseName(n).qual));
  if (quals.some((q) => q === 'loop0' || q === 'gbe')) return 'sender';
  // towards another node: the tunnel, loop0 or the GbE, the bridge domain
  const crosses = (r: (typeof rows)[number]): boolean => r?.feature.kind === 'encap' || outputIface(r) === 'loop0' || outputIface(r) === 'gbe' || (r?.feature.kind === 'fixed' && (r.feature.feature === 'bd' || r.feature.feature === 'loop0-acl-in'));
  if (rows.some(crosses)) return 'sender';
  return 'same';
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
    if (nodeFeatureRow(r.node)?.feature.kind === 'acl-out' && rewriteIf !== undefined) {
      const k = interfaceRole(rewriteIf);
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
  feature: DrawnFeature;
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
    const pts: DrawnFeature[] = [];
    const firstRow = nodeFeatureRow(baseName(hop.nodes[0] ?? '').name)?.feature;
    if (firstRow?.kind === 'input' && firstRow.iface === 'tap') pts.push('pod');
    for (const s of steps) if (s.feature !== 'unmapped') pts.push(s.feature);
    const lastRow = nodeFeatureRow(baseName(hop.nodes[hop.nodes.length - 1] ?? '').name);
    const taps = new Set((nodes[idx]!.pods ?? []).map((p) => p.tap).filter((t): t is string => t !== undefined));
    if (lastRow?.node === 'interface-output' && (outputIface(lastRow) === 'tap' || taps.has(lastRow.ifName ?? ''))) pts.push('pod');
    for (const f of pts) {
      const prev = cur[cur.length - 1];
      if (prev && prev.nodeIdx === idx && prev.feature === f) continue;
      cur.push({ nodeIdx: idx, feature: f });
    }
    if (lastRow?.feature.kind === 'drop') {
      const end = cur[cur.length - 1];
      if (end) end.drop = true;
    }
  });
  if (cur.length > 0) runs.push(cur);
  return runs.filter((r) => r.length > 0);
}

function resolveFailure(input: TwoNodePathInput, nodeIndex: Map<number, number>): { nodeIdx: number; feature: DrawnFeature } | undefined {
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
  // an unmapped node has no box to mark: the caption of the trace diff names it
  return feature && feature !== 'unmapped' ? { nodeIdx, feature } : undefined;
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
