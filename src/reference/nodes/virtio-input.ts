// virtio-input: a frame a pod sent arrives on its TAPv2 interface (docs/datapath.md §4.1 row 2, SN-q4).
// Uses: the RX interface's hw_if_index. Sets: nothing. Next: ethernet-input.
// Models V:src/vnet/devices/virtio/node.c; vring and next-index are constants of the seed (masked).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const virtioInput: NodeDef<NodeName> = {
  name: 'virtio-input',
  nexts: ['ethernet-input'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.rx)!;
    return result(
      'ethernet-input',
      buf,
      [{ kind: 'virtio-input', hwIfIndex: iface.hwIfIndex, nextIndex: 4, vring: 0, len: buf.data.length, hdr: { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0, numBuffers: 1 } }],
    );
  },
};
