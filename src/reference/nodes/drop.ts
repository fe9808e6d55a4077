// drop: current VPP's second record of a dropped packet, after error-drop's `rx:<interface>`: the node that set
// the buffer's error and the error string (V:src/vlib/drop.c, format_error_trace). Counts it and ends the walk.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const drop: NodeDef<NodeName> = {
  name: 'drop',
  nexts: ['DROPPED'],
  errors: {},
  process(buf) {
    const d = buf.drop ?? { node: 'unknown', error: 'dropped' };
    return result('DROPPED', buf, [{ kind: 'error-drop', node: d.node, error: d.error }], undefined, [{ kind: 'counter', node: d.node, error: d.error }]);
  },
};
