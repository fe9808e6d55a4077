// ip4-load-balance: picks the bucket of a recursive route's load balance (one bucket here) — for the inner
// packet after ip4-lookup, and for the outer VXLAN packet stacked on the tunnel (docs/datapath.md §4.3 A4/A10).
// Uses: the adjacency and flow hash lookup or encap left in the buffer. Next: ip4-rewrite.
// Models V:src/vnet/ip/ip4_forward.c (ip4_load_balance); prints the same trace as ip4-lookup.
import { result, SW_IF_INDEX_INVALID, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';

export const ip4LoadBalance: NodeDef<NodeName> = {
  name: 'ip4-load-balance',
  nexts: ['ip4-rewrite'],
  errors: {},
  process(buf, { vpp }) {
    const fib = buf.tx !== SW_IF_INDEX_INVALID ? buf.tx : 0;
    return result('ip4-rewrite', buf, [{ kind: 'ip4-fib', fib, dpoIdx: buf.lbDpoIdx ?? 0, flowHash: buf.flowHash, ip: ip4HeaderView(buf.data, 0, Math.min(60, buf.data.length), vpp.profile.traceFormat) }]);
  },
};
