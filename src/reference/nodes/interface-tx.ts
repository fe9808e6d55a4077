// <ifc>-tx: the TX node of an interface's driver. DPDK (the main NIC, docs/datapath.md §4.3 A13): the vlib buffer
// (current data, length, flags such as `nated`) and the mbuf, then the frame leaves on the wire; buffer index,
// trace index, phys_addr, data_off and port are volatile and printed as stable stand-ins. af_packet (a lab's main
// NIC): the TPACKET_V3 frame header it writes (the frame plus the 10-byte virtio-net header), the buffer and the
// frame. packet-generator (a lab's pods): the buffer and the frame, which the pod receives.
// Models V:src/plugins/dpdk/device/device.c, src/plugins/af_packet/device.c, src/vnet/pg/output.c.
import { result, type Buf, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { driverOf } from '../topology/topology.ts';
import { ethernetLineView, ip4HeaderView } from '../../trace/ip4-view.ts';
import type { BufferView } from '../../trace/records.ts';
import { bufferView, mbufView } from './dpdk-common.ts';

/** virtio_net_hdr in front of every af_packet frame */
const VNET_HDR_BYTES = 10;

/** Current VPP's flag words of a TX buffer: L4 checksum marks and IPv4, natted, then the header offsets. */
function currentFlagWords(buf: Buf, natFlag: string): string[] {
  const w: string[] = [];
  if (buf.l4ChecksumComputed) w.push('l4-cksum-computed', 'l4-cksum-correct', 'ip4');
  if (buf.nated) w.push(natFlag);
  w.push(`l2-hdr-offset ${buf.l2HdrOffset ?? 0}`, `l3-hdr-offset ${buf.l3HdrOffset ?? 14}`);
  return w;
}

export const interfaceTx: NodeDef<NodeName> = {
  name: 'interface-tx',
  nexts: ['WIRE', 'DELIVER'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.tx)!;
    const f = buf.data;
    const eth = ethernetLineView(f, 0);
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    const ip = isIp4 ? { ip: ip4HeaderView(f, 14, Math.max(0, Math.min(f.length, 256) - 14), vpp.profile.traceFormat) } : {};
    const traceName = `${iface.name}-tx`;
    const driver = driverOf(iface);
    if (driver === 'packet-generator' || driver === 'af_packet') {
      const buffer: BufferView = { index: 0x1000, currentData: buf.currentData, length: f.length, cloneCount: 0, bufferPool: 0, refCount: 1, trace: 0, flagWords: currentFlagWords(buf, vpp.profile.bufferNatFlagName) };
      if (driver === 'packet-generator') return result('DELIVER', buf, [{ kind: 'pg-tx', buffer, eth, ...ip }], traceName);
      const len = f.length + VNET_HDR_BYTES;
      const tpacket = { status: 1, len, snaplen: len, mac: 0, net: 0, sec: 0, nsec: 0, vlan: 0, vlanTpid: 0 };
      const vnetHdr = { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 };
      return result('WIRE', buf, [{ kind: 'af-packet-tx', hwIfIndex: iface.hwIfIndex, txQueue: 0, tpacket, vnetHdr, buffer, eth, ...ip }], traceName);
    }
    const flagWords = buf.nated ? [vpp.profile.bufferNatFlagName, 'l2-hdr-offset 0', 'l3-hdr-offset 14'] : ['l2-hdr-offset 0', 'l3-hdr-offset 14'];
    const buffer = bufferView(0x1000, buf.currentData, f.length, flagWords, vpp.profile.bufferFreeList);
    const mbuf = mbufView(65535, f.length, 128 + buf.currentData);
    return result('WIRE', buf, [{ kind: 'interface-tx' as const, ifName: iface.name, txQueue: 0, buffer, mbuf, eth, ...ip }], traceName);
  },
};
