// ip4-rewrite: TTL − 1 with VPP's incremental checksum (docs/datapath.md §7.1), the MTU check (§7.3), and the
// adjacency's L2 header (neighbour MAC, interface MAC, 0x0800) prepended. TTL reaching 0 goes to
// ip4-icmp-error unrewritten (§7.2); an adjacency without a neighbour to ip4-arp. Next: the first ip4-output
// feature of the TX interface, or <ifc>-output. Models V:src/vnet/ip/ip4_forward.c (ip4_rewrite_inline).
import { readU16, vppTtlDecrementChecksum, writeMac, writeU16 } from '../../packet/index.ts';
import { copyBuf, result, toDrop, withIcmpError, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { nextOutputFeature } from './features.ts';
import { hex14 } from './trace-hex.ts';

const ERRORS = { mtuExceeded: 'ip4 MTU exceeded and DF set', noAdjacency: 'no adjacency (model: lookup did not resolve)' } as const;

export const ip4Rewrite: NodeDef<NodeName> = {
  name: 'ip4-rewrite',
  nexts: ['acl-plugin-out-ip4-fa', 'nat44-in2out-output', 'ip4-sv-reassembly-output-feature', 'interface-output', 'ip4-icmp-error', 'ip4-arp', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const adj = buf.adj;
    if (!adj) return toDrop(buf, 'ip4-rewrite', ERRORS.noAdjacency);
    const iface = vpp.ifBySw.get(adj.swIfIndex)!;
    const ip = buf.data;
    const ttl = ip[8]!;
    // A locally originated packet (current VPP's ICMP errors) skips the TTL check and decrement (§7.1).
    const local = buf.locallyOriginated === true;
    if (!local && ttl <= 1) return result('ip4-icmp-error', withIcmpError(buf, { type: 11, code: 0 }), []);
    const length = readU16(ip, 2);
    const mtu = vpp.mtu.get(adj.swIfIndex) ?? 1500;
    if (length > mtu) {
      const df = (ip[6]! & 0x40) !== 0;
      if (vpp.profile.mtuExceeded === 'icmp-or-fragment' && df) return result('ip4-icmp-error', withIcmpError(buf, { type: 3, code: 4, mtu }), []);
      // 18.01 drops whatever DF says; fragmentation (current VPP without DF) is not modelled and drops too.
      return toDrop(buf, 'ip4-rewrite', ERRORS.mtuExceeded);
    }
    const mac = vpp.neighbors.get(adj.swIfIndex, adj.nextHop);
    if (mac === undefined) return result('ip4-arp', buf, []);
    const out = vpp.buffers.alloc(14 + ip.length);
    writeMac(out, 0, mac);
    writeMac(out, 6, iface.mac!);
    out[12] = 0x08;
    out[13] = 0x00;
    out.set(ip, 14);
    const faults = vpp.profile.faults;
    if (!local && !faults?.ttlNotDecremented) {
      out[14 + 8] = ttl - 1;
      if (!faults?.checksumNotUpdated) writeU16(out, 14 + 10, vppTtlDecrementChecksum(readU16(ip, 10)));
    }
    const next = nextOutputFeature(vpp, adj.swIfIndex, 'ip4-rewrite');
    const rewritten = copyBuf(buf);
    rewritten.data = out;
    rewritten.currentData = buf.currentData - 14;
    rewritten.tx = adj.swIfIndex;
    rewritten.locallyOriginated = undefined;
    return result(
      next,
      rewritten,
      [
        {
          kind: 'ip4-rewrite',
          txSwIfIndex: adj.swIfIndex,
          dpoIdx: adj.dpoIdx,
          via: adj.nextHopText,
          ifName: iface.name,
          rewrite: hex14(out, 0),
          flowHash: buf.flowHash,
          // current VPP: the adjacency's MTU, next node (graph construction, masked) and `features` when the TX
          // interface has output features (an output ACL, NAT's output feature)
          ...(vpp.profile.traceFormat === 'vpp-current' ? { adjacency: { mtu, next: 0, flags: next === 'interface-output' ? '' : 'features ' } } : {}),
          // current VPP dumps 60 bytes whatever the frame's length (what lies past it is stale: masked)
          bytes: vpp.profile.traceFormat === 'vpp-current' ? padTo(out, 60) : out.slice(0, Math.min(60, out.length)),
        },
      ],
    );
  },
};

function padTo(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(bytes.subarray(0, n));
  return out;
}
