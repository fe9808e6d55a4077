// af-packet-input: a frame arrives on a host interface through an AF_PACKET (TPACKET_V3) ring (a podflow lab's main
// NIC; V:src/plugins/af_packet/node.c). Prints the ring block and the kernel's frame header; the block, its
// address, sequence number and receive time are volatile (masked: af-packet-ring). mac/net are the frame's
// offsets in the ring frame (header, then the virtio-net header: 92 and 106 on the lab). Next: ethernet-input.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

export const afPacketInput: NodeDef<NodeName> = {
  name: 'af-packet-input',
  nexts: ['ethernet-input'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.rx)!;
    const len = buf.data.length;
    return result('ethernet-input', buf, [
      {
        kind: 'af-packet-input',
        hwIfIndex: iface.hwIfIndex,
        rxQueue: 0,
        nextIndex: 4,
        block: 0,
        address: '0',
        version: 2,
        seqNum: 0,
        pktNum: 0,
        tpacket: { status: 1, len, snaplen: len, mac: 92, net: 106, sec: 0, nsec: 0, vlan: 0, vlanTpid: 0 },
        vnetHdr: { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 },
      },
    ]);
  },
};
