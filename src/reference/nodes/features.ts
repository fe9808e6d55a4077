// Feature arcs per interface (docs/datapath.md §3.3): which node follows ip4-input, the ACL and NAT nodes on
// input and output, and the `next index` an ACL node prints for its successor (§8.8).
import { classifyToOut2in } from '../state/nat.ts';
import { hasAcls, type VppInstance } from '../state/vpp.ts';

export type InputFeature = 'acl-plugin-in-ip4-fa' | 'nat44-out2in' | 'nat44-in2out' | 'ip4-lookup' | 'ip4-sv-reassembly-feature' | 'nat-pre-out2in' | 'nat44-classify';
export type OutputFeature = 'acl-plugin-out-ip4-fa' | 'nat44-in2out-output' | 'interface-output' | 'ip4-sv-reassembly-output-feature';

/** The NAT node an input packet meets on `sw` (nat44-classify has no trace: its choice is the next record). */
function natInputNode(vpp: VppInstance, sw: number, ip: Uint8Array): InputFeature | undefined {
  const role = vpp.nat.roles.get(sw);
  if (!role) return undefined;
  if (!role.inside) return role.outside ? 'nat44-out2in' : undefined;
  const proto = ip[9] ?? 0;
  const dst = ((ip[16]! << 24) | (ip[17]! << 16) | (ip[18]! << 8) | ip[19]!) >>> 0;
  const ihl = (ip[0]! & 0x0f) * 4;
  const dport = proto === 6 || proto === 17 ? ((ip[ihl + 2] ?? 0) << 8) | (ip[ihl + 3] ?? 0) : 0;
  return classifyToOut2in(vpp.nat, dst, proto, dport) ? 'nat44-out2in' : 'nat44-in2out';
}

/**
 * NAT44-ED's first node on an interface's input (current VPP): nat44-ed-classify where the interface is inside (and
 * outside), the nat-pre-out2in handoff where it is only outside; undefined without a NAT role.
 */
export function natEdInputEntry(vpp: VppInstance, sw: number): 'nat-pre-out2in' | 'nat44-classify' | undefined {
  const role = vpp.nat.roles.get(sw);
  if (!role) return undefined;
  if (role.inside) return 'nat44-classify';
  return role.outside ? 'nat-pre-out2in' : undefined;
}

/** The node after `after` on the ip4-unicast arc of `sw` (`after` = 'ip4-input' for the first feature). */
export function nextInputFeature(vpp: VppInstance, sw: number, after: 'ip4-input' | 'acl-plugin-in-ip4-fa', ip: Uint8Array): InputFeature {
  if (after === 'ip4-input' && hasAcls(vpp, sw, true)) return 'acl-plugin-in-ip4-fa';
  if (vpp.profile.natEndpointDependent) {
    const entry = natEdInputEntry(vpp, sw);
    if (!entry) return 'ip4-lookup';
    return vpp.profile.svReassemblyBeforeNat ? 'ip4-sv-reassembly-feature' : entry;
  }
  return natInputNode(vpp, sw, ip) ?? 'ip4-lookup';
}

/**
 * The node after `after` on the ip4-output arc of `sw`. 18.01: the output ACL, then NAT's output feature. Current
 * VPP (NAT44-ED): NAT's output feature (behind shallow reassembly) comes before the output ACL.
 */
export function nextOutputFeature(vpp: VppInstance, sw: number, after: 'ip4-rewrite' | 'acl-plugin-out-ip4-fa' | 'nat44-in2out-output'): OutputFeature {
  const natOut = vpp.nat.roles.get(sw)?.outputFeature === true;
  if (vpp.profile.natEndpointDependent) {
    if (after === 'ip4-rewrite' && natOut) return vpp.profile.svReassemblyBeforeNat ? 'ip4-sv-reassembly-output-feature' : 'nat44-in2out-output';
    if (after !== 'acl-plugin-out-ip4-fa' && hasAcls(vpp, sw, false)) return 'acl-plugin-out-ip4-fa';
    return 'interface-output';
  }
  if (after === 'ip4-rewrite' && hasAcls(vpp, sw, false)) return 'acl-plugin-out-ip4-fa';
  return after !== 'nat44-in2out-output' && natOut ? 'nat44-in2out-output' : 'interface-output';
}

/** Feature-arc slot numbers as the seed prints them (§8.8); they are graph dependent and masked in goldens. */
export function aclNextIndex(next: string): number {
  switch (next) {
    case 'nat44-out2in':
    case 'interface-output':
      return 1;
    case 'nat44-in2out':
    case 'nat44-in2out-output':
      return 2;
    case 'l2-fwd':
      return 5;
    default:
      return 3;
  }
}
