// Where each graph node the model knows sits in the seed's diagram and which seed steps it implements there
// (docs/datapath.md §4, the same-node flow as SN-…): one table, read by the report's picture and trace diff (cli/report)
// instead of guessing from node names. Rows cover every NODE_NAMES entry and the other spellings of the same node
// that traces show: vpp-current's NAT44 names (profiles.ts natNodeNames), older VPP input and drop node names, and
// `<interface>-output` / `<interface>-tx`, which is how interface-output and interface-tx print themselves
// (nodes/interface-output.ts, interface-tx.ts). A name not in the table is `unmapped`: the report says so.
import { NODE_NAMES, type NodeName } from './node-names.ts';
import { PROFILES } from './profiles.ts';

/** A box of the seed's diagram (one per VPP instance); `unmapped` for a node the table does not know. */
export type DiagramFeature =
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
  | 'nat-in2out-output'
  | 'unmapped';

/** The interfaces of the diagram a node can run on. */
export type InterfaceRole = 'tap' | 'gbe' | 'loop0';

/**
 * How a node's diagram feature is found. Most nodes have one (`fixed`); the others run on several interfaces
 * and take the one of the packet's path: `input` (the packet enters here, on that interface), `at-ingress` (the
 * interface it entered on), `ip4-input` (the same, but after the bridge domain it entered through loop0),
 * `acl-in` / `acl-out` (the ACL of the interface the ACL guards), `nat-out2in` (on the GbE before VXLAN decap
 * it is the identity mapping for VXLAN), `route` (the VRF, or the tunnel's outer route after encap), `lookup`
 * (ditto, and a GbE packet's lookup towards ip4-local is the tunnel's), `local` (the tunnel's end on the GbE
 * before decap, else the VRF), `encap` / `decap` (the tunnel, and the path is now outer / inner), `output`
 * (the interface it prints), `drop` (where the packet was).
 */
export type FeatureRule =
  | { kind: 'fixed'; feature: DiagramFeature }
  | { kind: 'input'; iface: 'tap' | 'gbe' }
  | { kind: 'at-ingress' | 'ip4-input' | 'acl-in' | 'acl-out' | 'nat-out2in' | 'route' | 'lookup' | 'local' | 'encap' | 'decap' | 'output' | 'drop' };

/** A packet's flow on one VPP instance: request or response, on the sender's node, the receiver's, or both on one node. */
export type Flow = `${'request' | 'response'}-${'sender' | 'receiver' | 'same'}`;

export interface NodeFeatureRow {
  /** the model's node (NODE_NAMES) this name is a spelling of */
  node: NodeName;
  feature: FeatureRule;
  /** seed steps this node implements itself, per feature it takes and flow (before its feature's steps) */
  steps?: Partial<Record<DiagramFeature, Partial<Record<Flow, string>>>>;
}

const fixed = (feature: DiagramFeature): FeatureRule => ({ kind: 'fixed', feature });
const rule = (kind: Exclude<FeatureRule['kind'], 'fixed' | 'input'>): FeatureRule => ({ kind }) as FeatureRule;

/** Per model node: its feature rule and the seed steps it is itself (the rest come from FEATURE_STEPS). */
const MODEL_ROWS: Record<NodeName, Omit<NodeFeatureRow, 'node'>> = {
  'virtio-input': { feature: { kind: 'input', iface: 'tap' } },
  'dpdk-input': { feature: { kind: 'input', iface: 'gbe' } },
  'pg-input': { feature: { kind: 'input', iface: 'tap' } },
  'af-packet-input': { feature: { kind: 'input', iface: 'gbe' } },
  'ethernet-input': { feature: rule('at-ingress') },
  'arp-input': { feature: rule('at-ingress') },
  'ip4-input': { feature: rule('ip4-input') },
  'acl-plugin-in-ip4-fa': { feature: rule('acl-in') },
  'acl-plugin-out-ip4-fa': { feature: rule('acl-out') },
  'acl-plugin-in-ip4-l2': { feature: fixed('loop0-acl-in'), steps: { 'loop0-acl-in': { 'request-sender': 'q5', 'response-sender': 'r5' } } },
  'ip4-sv-reassembly-feature': { feature: rule('nat-out2in') },
  'ip4-sv-reassembly-output-feature': { feature: fixed('nat-in2out-output') },
  'nat-pre-out2in': { feature: rule('nat-out2in') },
  'nat-pre-in2out-output': { feature: fixed('nat-in2out-output') },
  'nat44-classify': { feature: fixed('nat-in2out') },
  'nat44-out2in': { feature: rule('nat-out2in') },
  'nat44-out2in-slowpath': { feature: rule('nat-out2in') },
  'nat44-in2out': { feature: fixed('nat-in2out') },
  'nat44-in2out-slowpath': { feature: fixed('nat-in2out') },
  'nat44-in2out-output': { feature: fixed('nat-in2out-output') },
  'nat44-in2out-output-slowpath': { feature: fixed('nat-in2out-output') },
  'ip4-lookup': { feature: rule('lookup') },
  'ip4-load-balance': { feature: rule('route') },
  'ip4-rewrite': { feature: rule('route'), steps: { vrf: { 'request-same': 'SN-q9', 'request-sender': 'q6', 'response-same': 'SN-r6' } } },
  'ip4-local': { feature: rule('local') },
  'ip4-udp-lookup': { feature: rule('local') },
  'ip4-icmp-error': { feature: rule('route') },
  'ip4-drop': { feature: rule('route') },
  'ip4-arp': { feature: rule('route') },
  'vxlan4-input': { feature: rule('decap') },
  'vxlan4-encap': { feature: rule('encap'), steps: { vxlan: { 'request-sender': 'q8' } } },
  'l2-input': { feature: fixed('bd'), steps: { bd: { 'request-sender': 'q4', 'response-sender': 'r4' } } },
  'l2-input-feat-arc': { feature: fixed('loop0-acl-in') },
  'l2-input-feat-arc-end': { feature: fixed('loop0-acl-in') },
  'l2-input-classify': { feature: fixed('bd'), steps: { bd: { 'request-sender': 'q5', 'response-sender': 'r5' } } },
  'l2-fwd': { feature: fixed('bd'), steps: { bd: { 'request-sender': 'q7' } } },
  'l2-output': { feature: fixed('bd'), steps: { bd: { 'request-sender': 'q7' } } },
  'interface-output': { feature: rule('output'), steps: { tap: { 'request-same': 'SN-q10', 'response-same': 'SN-r7' } } },
  'interface-tx': { feature: rule('output') },
  'error-drop': { feature: rule('drop') },
  drop: { feature: rule('drop') },
};

/**
 * Other spellings of model nodes in traces: vpp-current's NAT44 nodes, and VPP's names for nodes the model has
 * one of (older TAP input nodes, af-packet for a host interface as the NIC, the checksum-less ip4-input, `drop`).
 * nat44-classify and the hairpinning node run where the model's nat44-in2out runs (before the in2out decision).
 */
const OTHER_SPELLINGS: Readonly<Record<string, NodeName>> = {
  ...Object.fromEntries(Object.values(PROFILES).flatMap((p) => Object.entries(p.natNodeNames).map(([model, spelled]) => [spelled, model as NodeName]))),
  'nat44-hairpinning': 'nat44-in2out',
  'nat44-ed-hairpinning': 'nat44-in2out',
  'tapcli-rx': 'virtio-input',
  'tuntap-rx': 'virtio-input',
  'ip4-input-no-checksum': 'ip4-input',
  'ip4-receive': 'ip4-local',
};

/** Every name the table knows (model names, then the other spellings), with its row. */
export const NODE_FEATURES: ReadonlyMap<string, NodeFeatureRow> = new Map<string, NodeFeatureRow>([
  ...NODE_NAMES.map((n) => [n, { node: n, ...MODEL_ROWS[n] }] as const),
  ...Object.entries(OTHER_SPELLINGS).map(([name, n]) => [name, { node: n, ...MODEL_ROWS[n] }] as const),
]);

/** The seed steps of each diagram feature per flow (docs/datapath.md §4: the cross-node request q1…q18, response r1…r11; SN-… the same-node flow). */
export const FEATURE_STEPS: Readonly<Record<Flow, Partial<Record<DiagramFeature, string>>>> = {
  'request-same': { tap: 'SN-q4', 'tap-acl-in': 'SN-q5', 'nat-out2in': 'SN-q6', 'nat-in2out': 'SN-q6', vrf: 'SN-q7', 'tap-acl-out': 'SN-q8' },
  'request-sender': { tap: 'q1', 'tap-acl-in': 'q1', 'nat-out2in': 'q1', 'nat-in2out': 'q1', vrf: 'q2', 'loop0-acl-out': 'q3', loop0: 'q4', vxlan: 'q9', gbe: 'q9', 'gbe-acl-out': 'q10', 'nat-in2out-output': 'q11' },
  'request-receiver': { gbe: 'q12', 'gbe-acl-in': 'q13', 'gbe-nat-out2in': 'q14', vxlan: 'q15', bd: 'q15', loop0: 'q16', 'loop0-acl-in': 'q16', 'nat-in2out': 'q17', 'nat-out2in': 'q17', vrf: 'q18', 'tap-acl-out': 'q18', tap: 'q18' },
  'response-same': { tap: 'SN-r1', 'tap-acl-in': 'SN-r2', 'nat-in2out': 'SN-r3', 'nat-out2in': 'SN-r3', vrf: 'SN-r4', 'tap-acl-out': 'SN-r5' },
  // r6 is "request steps 6.–12.": everything of the response's sender node past loop0
  'response-sender': {
    tap: 'r1', 'tap-acl-in': 'r1', 'nat-in2out': 'r1', 'nat-out2in': 'r1', vrf: 'r2', 'loop0-acl-out': 'r3', loop0: 'r4',
    'loop0-acl-in': 'r6', bd: 'r6', vxlan: 'r6', gbe: 'r6', 'gbe-acl-in': 'r6', 'gbe-acl-out': 'r6', 'gbe-nat-out2in': 'r6', 'nat-in2out-output': 'r6', 'tap-acl-out': 'r6', pod: 'r6',
  },
  'response-receiver': { gbe: 'r6', 'gbe-acl-in': 'r7', 'gbe-nat-out2in': 'r8', vxlan: 'r8', bd: 'r9', loop0: 'r9', 'loop0-acl-in': 'r9', 'nat-in2out': 'r10', 'nat-out2in': 'r10', vrf: 'r11', 'tap-acl-out': 'r11', tap: 'r11' },
};

/** The seed's steps in a few words (docs/datapath.md cites them as q1…q18, r1…r11). */
export const SEED_STEP_TEXT: Readonly<Record<string, string>> = {
  q1: 'the request arrives from the client through the Reflective ACL and a no-op nat44-out2in',
  q2: "a static route sends the other node's pods via the VXLAN tunnel's far side, through BVI loop0",
  q3: "egress Global ACL (acl-plugin-out-ip4-fa on loop0): the client's egress policies",
  q4: 'the packet enters bridge domain 1 via BVI loop0',
  q5: 'ingress Reflective ACL of loop0 allows and reflects',
  q6: "a static ARP entry gives the tunnel's far-end BVI MAC",
  q7: 'a static L2 FIB entry picks the VXLAN tunnel (no flooding)',
  q8: 'VXLAN encapsulation (vxlan4-encap): UDP 4789 from this node to the target node, VNI 10',
  q9: 'the encapsulated packet is routed out via the GbE',
  q10: 'egress Global ACL on the GbE: encapsulated traffic is always permitted',
  q11: 'nat44-in2out-output: identity mapping, VXLAN is never source-NATed',
  q12: "the request arrives via dpdk-input on the target node's VPP",
  q13: 'ingress Reflective ACL on the GbE permits and reflects',
  q14: 'nat44-out2in: identity mapping for the VXLAN port',
  q15: 'into bridge domain 1, the VXLAN header is stripped',
  q16: 'Reflective ACL on the ingress of loop0 permits and creates the free pass for responses',
  q17: 'nat44-in2out: no source NAT (not a response from a service)',
  q18: "delivery to the server's pod: route, local table on the TAP's output, the TAP",
  r1: 'the response arrives from the server through the Reflective ACL and a no-op nat44-in2out',
  r2: "a static route sends the client's node's pods via the VXLAN tunnel, through loop0",
  r3: 'egress Global ACL on loop0 is bypassed by the reflective session',
  r4: 'the packet enters bridge domain 1 via BVI loop0',
  r5: 'ingress Reflective ACL of loop0 has no effect',
  r6: "request steps 6.–12.: VXLAN to the client's node",
  r7: 'ingress Reflective ACL on the GbE has no effect',
  r8: 'nat44-out2in: identity mapping for the VXLAN port',
  r9: 'Reflective ACL on the ingress of loop0 has no effect',
  r10: 'nat44-in2out: no source NAT',
  r11: "delivery to the client's pod: the reflected session passes the TAP's output ACL",
};
/**
 * The row of a node name as a trace prints it: the table's own names, else `<interface>-output` / `<interface>-tx`
 * (interface-output / interface-tx print the interface's name), else undefined (unmapped).
 */
export function nodeFeatureRow(traceName: string): (NodeFeatureRow & { ifName?: string }) | undefined {
  const row = NODE_FEATURES.get(traceName);
  if (row) return row;
  const m = /^(.+)-(output|tx)$/.exec(traceName);
  if (!m) return undefined;
  const node: NodeName = m[2] === 'output' ? 'interface-output' : 'interface-tx';
  return { node, ...MODEL_ROWS[node], ifName: m[1]! };
}

/** The seed step a node implements with a given feature in a flow: its own, else its feature's. */
export function seedStepOf(row: NodeFeatureRow | undefined, feature: DiagramFeature, flow: Flow): string | undefined {
  return row?.steps?.[feature]?.[flow] ?? FEATURE_STEPS[flow][feature];
}

/**
 * The diagram interface of an interface name, as the model's topology (`tapN`, `loop0`, `GigabitEthernet0/8/0`)
 * and VPP's drivers name them (`eth…`, `ens…`, `enp…`, `dpdk…`, af_packet's `host-…`, a lab's pod `pgN`); undefined
 * for another.
 */
export function interfaceRole(ifName: string): InterfaceRole | undefined {
  if (/^loop\d*$/.test(ifName)) return 'loop0';
  if (/^tap/i.test(ifName) || /^pg\d+$/.test(ifName)) return 'tap';
  if (/Ethernet|^eth|^ens|^enp|^dpdk|^host-/i.test(ifName)) return 'gbe';
  return undefined;
}
