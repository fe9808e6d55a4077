// ip4-lookup: longest-prefix match in FIB 0 (docs/datapath.md §4.3 A4, §4.4 B4/B8). A pod /32 (attached) goes
// straight to ip4-rewrite; a route to another node's pods is recursive and goes through ip4-load-balance;
// an own address to ip4-local; no route to ip4-drop. Printed `fib` is the TX sw_if_index if set, else 0.
// Models V:src/vnet/ip/ip4_forward.c (ip4_lookup_inline); flow hash 0 for a single-bucket load balance.
import { readU32 } from '../../packet/index.ts';
import { copyBuf, result, SW_IF_INDEX_INVALID, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';

export const ip4Lookup: NodeDef<NodeName> = {
  name: 'ip4-lookup',
  nexts: ['ip4-rewrite', 'ip4-load-balance', 'ip4-local', 'ip4-drop'],
  errors: {},
  process(buf, { vpp }) {
    const ip = buf.data;
    const res = vpp.fib.resolve(readU32(ip, 16));
    const fib = buf.tx !== SW_IF_INDEX_INVALID ? buf.tx : 0;
    const view = ip4HeaderView(ip, 0, Math.min(60, ip.length), vpp.profile.traceFormat);
    const out = copyBuf(buf);
    out.flowHash = 0;
    if (res.kind === 'drop') {
      const dpoIdx = res.entry?.dpoIdx ?? 0;
      out.lbDpoIdx = dpoIdx;
      return result('ip4-drop', out, [{ kind: 'ip4-fib', fib, dpoIdx, flowHash: 0, ip: view }]);
    }
    if (res.kind === 'local') return result('ip4-local', out, [{ kind: 'ip4-fib', fib, dpoIdx: res.entry.dpoIdx, flowHash: 0, ip: view }]);
    // A recursive route prints its load-balance index; an attached one prints the adjacency itself.
    const dpoIdx = res.recursive ? res.entry.dpoIdx : res.adjacency.dpoIdx;
    out.adj = res.adjacency;
    out.lbDpoIdx = dpoIdx;
    return result(
      res.recursive ? 'ip4-load-balance' : 'ip4-rewrite',
      out,
      [{ kind: 'ip4-fib', fib, dpoIdx, flowHash: 0, ip: view }],
    );
  },
};
