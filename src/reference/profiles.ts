// Behaviour profiles (docs/datapath.md §1.2): everything that differs between the Contiv VPP 18.01 build of the
// seed and current FD.io VPP is a named switch here, looked up by nodes and renderers in one place.
import type { TraceFormat } from '../trace/records.ts';

export type ProfileName = 'vpp-18.01-contiv' | 'vpp-current';

export interface Profile {
  name: ProfileName;
  traceFormat: TraceFormat;
  /** trace names of the NAT44 nodes, by the model's (18.01) node name */
  natNodeNames: Record<'nat44-in2out' | 'nat44-in2out-slowpath' | 'nat44-out2in' | 'nat44-out2in-slowpath' | 'nat44-in2out-output' | 'nat44-in2out-output-slowpath' | 'nat44-classify', string>;
  /** label printed by each NAT44 trace line */
  natTraceLabels: { in2outFast: string; in2outSlow: string; out2in: string };
  /** 18.01 puts `l2-input-classify` between l2-input and the L2 ACL node on the BVI; v19.01 uses the L2 feature arc */
  l2InputClassifyRecord: boolean;
  /** since v18.04 an ICMP echo reply (and timestamp/info/mask replies) hits the request's session */
  aclIcmpReplyInversion: boolean;
  /** 18.01: the outer lookup after VXLAN encap prints stale metadata 0x00000001; since v20.01 the inner flow hash */
  outerFlowHash: 'stale-bvi-sequence' | 'inner-flow-hash';
  /** 18.01 buffer trace lines print `free-list %d` */
  bufferFreeList: boolean;
  /** the buffer flag NAT sets, as printed: `nated` in 18.01, `natted` in current VPP (src/vnet/buffer.h) */
  bufferNatFlagName: string;
  /** ip4-rewrite when the L3 length exceeds the TX MTU: 18.01 drops; since v18.07 DF → ICMP frag-needed, else fragment */
  mtuExceeded: 'drop' | 'icmp-or-fragment';
  /**
   * ip4-icmp-error marks its packets locally originated, so ip4-rewrite neither checks nor decrements their TTL:
   * the error leaves with TTL 255 (current VPP, icmp4.c; seen on a VPP 26.06 lab). 18.01 does not mark them
   * and the error leaves with 254 (V:src/vnet/ip/icmp4.c at v18.01; docs/datapath.md §7.1).
   */
  icmpErrorLocallyOriginated: boolean;
  /**
   * Which change of an interface's ACL attachment takes the interface's acl-plugin sessions with it. 18.01: only
   * the last ACL removed (docs/datapath.md §8.4). Current VPP (acl.c `acl_interface_set_inout_acl_list`, reclassify
   * off by default): any ACL attached to or detached from the interface, in either direction, clears every session
   * of the interface; tables replaced in place (`set acl-plugin acl index N …`) keep them. Seen on a VPP 26.06 lab.
   */
  aclSessionsClearedOn: 'last-acl-removed' | 'acl-list-changed';
  /**
   * A dynamic SNAT keeps the packet's source port when no other translation to the pool address uses it (current
   * VPP's NAT44-ED: seen on a VPP 26.06 lab with both identity mappings of the node IP removed, the outer VXLAN
   * packet got a `dynamic translation` session 192.168.16.1:40983 → 192.168.16.1:40983). Absent: ports are handed
   * out from 1024 by session index (the Contiv fork's 18.01, docs/datapath.md §9).
   */
  natPreservesPort?: boolean;
  /**
   * Current VPP's NAT44 is endpoint-dependent (V:src/plugins/nat/nat44-ed/): handoff nodes nat-pre-out2in /
   * nat-pre-in2out-output on outside-only interfaces, nat44-ed-classify on inside+outside ones, every fast path
   * looking the flow up (search key) and sending a miss to its slow path; with forwarding on, out2in's slow path
   * makes a bypass session whose in2out flow is the reply (the reply then takes the fast path, `via i2of`);
   * identity mappings match without a session; the NAT output feature runs before the output ACL. Absent: the
   * Contiv fork's 18.01 NAT (docs/datapath.md §9). Seen on a VPP 26.06 lab (test/fixtures/traces/vpp-26.06).
   */
  natEndpointDependent?: boolean;
  /** current VPP: NAT44-ED puts ip4-sv-reassembly-feature / -output-feature (shallow virtual reassembly) before its nodes */
  svReassemblyBeforeNat?: boolean;
  /** current VPP: ip4-icmp-error sends the error on in a new buffer and the answered packet to ip4-drop (both traced) */
  icmpErrorForksOriginal?: boolean;
  /** the L3 MTU of loop0 (a loopback): 1500 as the seed's model has it; 9000 in current VPP (a VPP 26.06 lab) */
  loopbackMtu?: number;
  /** 18.01: after vxlan4-encap the outer packet goes through ip4-load-balance; current VPP goes straight to ip4-rewrite */
  encapLoadBalanceRecord: boolean;
  /** the trace name of the model's ip4-local: `ip4-local` (18.01), `ip4-receive` (current VPP) */
  localNodeName: string;
  /**
   * current VPP: error-drop prints only `rx:<interface>` and a `drop` record follows with `<node>: <error>`; ip4-drop
   * prints a record (fib/adj/flow and the header) and leaves the buffer's error as the last node set it
   */
  dropRecords?: boolean;
  /** deliberate data-path faults for mutation testing (src/reference/mutants); absent in real profiles */
  faults?: DataPathFaults;
}

/** Named faults a mutant can switch on; nodes look them up here, never anywhere else. */
export interface DataPathFaults {
  /** ip4-rewrite leaves the TTL (and so the checksum) alone */
  ttlNotDecremented?: boolean;
  /** ip4-rewrite decrements the TTL but keeps the old header checksum */
  checksumNotUpdated?: boolean;
  /** vxlan4-encap hashes the inner frame's MAC addresses instead of its IP 5-tuple for the source port */
  flowHashOnMacs?: boolean;
  /** ACL evaluation takes the last matching rule instead of the first */
  aclLastMatch?: boolean;
  /** output ACL nodes look sessions up with the packet's own order instead of the mirrored key */
  sessionKeyNotMirrored?: boolean;
  /**
   * NAT44 in2out finds a Service reply's DNAT session but leaves the packet as the backend sent it: the client
   * sees the backend's address and port instead of the Service's (read in nat-dnat.ts `serviceIn2out`)
   */
  serviceReplyNotUntranslated?: boolean;
  /**
   * NAT44 out2in consults the load-balancing mappings only on the main NIC: a connection to a Service from a pod
   * (its TAP) is not translated (read in nat-dnat.ts `serviceOut2in`)
   */
  serviceDnatOnlyOnMainNic?: boolean;
  /**
   * the dynamic SNAT of traffic leaving the cluster keeps the pod's address and port: a session is made, but the
   * packet leaves with the pod IP (read in nat-snat.ts `dynamicSnat`)
   */
  outsideNotSourceNated?: boolean;
  /**
   * out2in finds the dynamic session of an outside reply but leaves its destination at the node IP and port
   * (read in nat-snat.ts `snatReverse`)
   */
  outsideReplyNotUntranslated?: boolean;
}

export const PROFILES: Record<ProfileName, Profile> = {
  'vpp-18.01-contiv': {
    name: 'vpp-18.01-contiv',
    traceFormat: 'vpp-18.01',
    natNodeNames: {
      'nat44-in2out': 'nat44-in2out',
      'nat44-in2out-slowpath': 'nat44-in2out-slowpath',
      'nat44-out2in': 'nat44-out2in',
      'nat44-out2in-slowpath': 'nat44-out2in-slowpath',
      'nat44-in2out-output': 'nat44-in2out-output',
      'nat44-in2out-output-slowpath': 'nat44-in2out-output-slowpath',
      'nat44-classify': 'nat44-classify',
    },
    natTraceLabels: { in2outFast: 'NAT44_IN2OUT_FAST_PATH', in2outSlow: 'NAT44_IN2OUT_SLOW_PATH', out2in: 'NAT44_OUT2IN' },
    l2InputClassifyRecord: true,
    aclIcmpReplyInversion: false,
    outerFlowHash: 'stale-bvi-sequence',
    bufferFreeList: true,
    bufferNatFlagName: 'nated',
    mtuExceeded: 'drop',
    icmpErrorLocallyOriginated: false,
    aclSessionsClearedOn: 'last-acl-removed',
    encapLoadBalanceRecord: true,
    localNodeName: 'ip4-local',
  },
  'vpp-current': {
    name: 'vpp-current',
    traceFormat: 'vpp-current',
    natNodeNames: {
      'nat44-in2out': 'nat44-ed-in2out',
      'nat44-in2out-slowpath': 'nat44-ed-in2out-slowpath',
      'nat44-out2in': 'nat44-ed-out2in',
      'nat44-out2in-slowpath': 'nat44-ed-out2in-slowpath',
      'nat44-in2out-output': 'nat44-ed-in2out-output',
      'nat44-in2out-output-slowpath': 'nat44-ed-in2out-output-slowpath',
      'nat44-classify': 'nat44-ed-classify',
    },
    natTraceLabels: { in2outFast: 'NAT44_IN2OUT_ED_FAST_PATH', in2outSlow: 'NAT44_IN2OUT_ED_SLOW_PATH', out2in: 'NAT44_OUT2IN_ED_FAST_PATH' },
    l2InputClassifyRecord: false,
    aclIcmpReplyInversion: true,
    outerFlowHash: 'inner-flow-hash',
    bufferFreeList: false,
    bufferNatFlagName: 'natted',
    mtuExceeded: 'icmp-or-fragment',
    icmpErrorLocallyOriginated: true,
    aclSessionsClearedOn: 'acl-list-changed',
    natPreservesPort: true,
    natEndpointDependent: true,
    loopbackMtu: 9000,
    icmpErrorForksOriginal: true,
    svReassemblyBeforeNat: true,
    encapLoadBalanceRecord: false,
    localNodeName: 'ip4-receive',
    dropRecords: true,
  },
};

export function profileByName(name: string): Profile {
  const p = (PROFILES as Record<string, Profile>)[name];
  if (!p) throw new RangeError(`unknown profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
