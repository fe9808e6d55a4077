// How the nemesis property turns a generated fault step into the Fault an adapter performs (issue 13): one entry per
// fault of the catalogue (src/faults/), so adding a fault is adding an entry here. A step's `target` picks the node
// or pod and `policy` the policy or item (both modulo their counts, so a step stays meaningful as the case shrinks).
//
// A fault either completes within its call (a session clear, a flap) or **stays in effect** until a later step of
// the same kind and key heals it, or until the case heals (every fault still in effect healed, in reverse order,
// before the recovery check): a removed policy, a configuration item drifted away, an impaired wire.
import type { Fault, FaultId } from '../adapters/adapter.ts';
import { describeDriftItem, type AdapterAclConfig, type DriftItem } from '../adapters/adapter.ts';
import { configItems } from '../reference/state/faults.ts';
import type { Node, Pod } from '../reference/topology/topology.ts';
import type { NemesisStep } from '../generators/nemesis.ts';
import { WIRE_IMPAIRMENTS } from '../faults/wire-impaired.ts';
import { IDLE_SECONDS } from '../faults/idle-timeout.ts';

/** A fault that stays in effect: how to heal it, and what it does to the checks meanwhile. */
export interface InEffect {
  /** the fault that heals it, performed on adapter and model alike */
  heal: Fault;
  /** its label in reports ("config-drift restored …") */
  healLabel: string;
  /**
   * The data path is degraded while it lasts (an entry missing, a link down): a new connection's verdict is compared
   * with the model's under the same faults, not with the policies — except that what the policies deny must never
   * be delivered.
   */
  degrades: boolean;
  /** frames may be lost or duplicated while it lasts (an impaired wire): packets sent meanwhile are not judged */
  lossy: boolean;
  /**
   * An ACL is missing while it lasts (config-drift of an attachment): the data path may deliver what the policies
   * deny, so a new connection is judged against the model only (which has the same hole).
   */
  permissive?: boolean;
  /** a later fault step that configures this item again by itself: the property heals it first, as its own step */
  healedBy?: (step: Extract<NemesisStep, { kind: 'fault' }>) => boolean;
}

/** What the property knows when it turns a step into a fault. */
export interface NemesisWorld {
  nodes: readonly Node[];
  pods: readonly Pod[];
  /** faults in effect, by key (kind and item): a step with the same key heals instead */
  inEffect: Map<string, InEffect>;
  /** the ACL configuration the adapter has now (config-drift picks ACL attachments from it) */
  acls?: () => AdapterAclConfig;
  /**
   * What the adapter can do (its capabilities): config-drift picks among the item kinds it performs and
   * wire-impaired among its impairments, so a case on an adapter draws what that adapter can do (the same case
   * may pick another item on another adapter: a case is replayed on the adapter it names).
   */
  driftKinds?: readonly string[];
  wireImpairments?: readonly string[];
}

/** The fault to perform for a step and its label; `start`: it stays in effect under `key` until healed. */
export interface StepFault {
  fault: Fault;
  label: string;
  start?: { key: string } & InEffect;
}

/**
 * Steps handled by the property itself (acl-replaced renders the cluster's policies) are not here; every other
 * fault of the catalogue is. `undefined`: the step does nothing in this case (it says why in the label list).
 */
export type StepToFault = (step: Extract<NemesisStep, { kind: 'fault' }>, w: NemesisWorld) => StepFault | undefined;

export const NEMESIS_STEPS: Partial<Record<FaultId, StepToFault>> = {
  'acl-sessions-cleared': (s, w) => {
    const node = w.nodes[s.target % w.nodes.length]!;
    return { fault: { id: 'acl-sessions-cleared', node: node.id }, label: `acl-sessions-cleared on node ${node.id}` };
  },
  'nat-sessions-cleared': (s, w) => {
    const node = w.nodes[s.target % w.nodes.length]!;
    return { fault: { id: 'nat-sessions-cleared', node: node.id }, label: `nat-sessions-cleared on node ${node.id}` };
  },
  'acl-resync': () => ({ fault: { id: 'acl-resync' }, label: 'acl-resync' }),
  'tap-flap': (s, w) => {
    const pod = w.pods[s.target % w.pods.length]!;
    return { fault: { id: 'tap-flap', node: pod.nodeId, pod: pod.name }, label: `tap-flap ${pod.name}` };
  },
  'pod-replaced': (s, w) => {
    const pod = w.pods[s.target % w.pods.length]!;
    return { fault: { id: 'pod-replaced', node: pod.nodeId, pod: pod.name }, label: `pod-replaced ${pod.name}` };
  },
};

// Link flaps and node restarts: the node by `target`, the link (loop0 or the main NIC) by `policy`; both complete
// within their call (the link is up again, the node configured again).
NEMESIS_STEPS['link-flap'] = (s, w) => {
  const node = w.nodes[s.target % w.nodes.length]!;
  const link = s.policy % 2 === 0 ? 'loop0' : 'main-nic';
  return { fault: { id: 'link-flap', node: node.id, link }, label: `link-flap ${link} on node ${node.id}` };
};
NEMESIS_STEPS['node-restart'] = (s, w) => {
  const node = w.nodes[s.target % w.nodes.length]!;
  return { fault: { id: 'node-restart', node: node.id }, label: `node-restart of node ${node.id}` };
};

// An impaired wire: netem on the node's underlay link (step.target picks the node, step.policy the impairment);
// stays in effect until a later wire-impaired step on the same node (or the case) heals it. Lossy, not degrading.
NEMESIS_STEPS['wire-impaired'] = (s, w) => {
  const node = w.nodes[s.target % w.nodes.length]!;
  const can = WIRE_IMPAIRMENTS.filter((i) => !w.wireImpairments || w.wireImpairments.includes(i));
  const choices = can.length > 0 ? can : WIRE_IMPAIRMENTS;
  const impairment = choices[s.policy % choices.length]!;
  return {
    fault: { id: 'wire-impaired', node: node.id, impairment },
    label: `wire-impaired node ${node.id} (${impairment})`,
    start: { key: `wire node ${node.id}`, heal: { id: 'wire-impaired', node: node.id, impairment: 'healed' }, healLabel: `wire-impaired node ${node.id} healed`, degrades: false, lossy: true },
  };
};

// Idle: step.policy picks the seconds (short of or past the short timeouts of IDLE_SESSIONS); completes in its call.
NEMESIS_STEPS['idle-timeout'] = (s) => {
  const seconds = IDLE_SECONDS[s.policy % IDLE_SECONDS.length]!;
  return { fault: { id: 'idle-timeout', seconds }, label: `idle-timeout ${seconds} s` };
};

// config-drift: `target` picks the node, `policy` the item of its configuration (configItems, in the model's
// terms); it stays removed until a later step picks the same item, or the case heals. A fault that configures
// the item again by itself heals it first, as its own step: a policy update or resync re-applies ACL attachments,
// a pod replaced gets its route, neighbour, NAT role and ACLs from CNI ADD and the renderer, a node restarted gets
// its whole configuration again (restoring the item after the restart would apply it twice: VPP 26.06 then lists
// an identity mapping twice, found by the VPP lab's nemesis run).
NEMESIS_STEPS['config-drift'] = (s, w) => {
  const node = w.nodes[s.target % w.nodes.length]!;
  const all: DriftItem[] = configItems(node, w.nodes, w.acls?.()[String(node.id)]);
  const performed = all.filter((i) => !w.driftKinds || w.driftKinds.includes(i.kind));
  const items = performed.length > 0 ? performed : all;
  const item = items[s.policy % items.length]!;
  const what = describeDriftItem(item);
  const onPod = node.pods.find((p) => p.tap.name === ('interface' in item ? item.interface : undefined));
  return {
    fault: { id: 'config-drift', node: node.id, item, restore: false },
    label: `config-drift on node ${node.id}: ${what} removed`,
    start: {
      key: `config-drift ${node.id} ${JSON.stringify(item)}`,
      heal: { id: 'config-drift', node: node.id, item, restore: true },
      healLabel: `config-drift on node ${node.id}: ${what} restored`,
      degrades: true,
      lossy: false,
      permissive: item.kind === 'acl-attachment',
      healedBy: (f) =>
        (item.kind === 'acl-attachment' && (f.fault === 'acl-replaced' || f.fault === 'acl-resync')) ||
        (onPod !== undefined && f.fault === 'pod-replaced' && w.pods[f.target % w.pods.length]?.name === onPod.name) ||
        (f.fault === 'node-restart' && w.nodes[f.target % w.nodes.length]?.id === node.id),
    },
  };
};
