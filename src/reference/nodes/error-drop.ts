// error-drop: the end of a dropped packet; prints `<node>: <error string>` and counts it.
// Models V:src/vlib/drop.c (format_error_trace).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const errorDrop: NodeDef<NodeName> = {
  name: 'error-drop',
  nexts: ['DROPPED', 'drop'],
  errors: {},
  process(buf, { vpp }) {
    // current VPP: the RX interface here, node and reason in the `drop` record that follows
    if (vpp.profile.dropRecords) return result('drop', buf, [{ kind: 'error-drop-rx', rxIfName: vpp.ifBySw.get(buf.rx)?.name ?? String(buf.rx) }]);
    const d = buf.drop ?? { node: 'unknown', error: 'dropped' };
    return result('DROPPED', buf, [{ kind: 'error-drop', node: d.node, error: d.error }], undefined, [{ kind: 'counter', node: d.node, error: d.error }]);
  },
};
