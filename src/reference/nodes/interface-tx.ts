// <ifc>-tx: the DPDK TX node of the main NIC (DATAPATH.md §4.3 A13): prints the vlib buffer (current data,
// length, flags such as `nated`) and the mbuf, then the frame leaves on the wire. Buffer index, trace index,
// phys_addr, data_off and port are volatile and printed as stable stand-ins.
// Models V:src/plugins/dpdk/device/device.c (format_dpdk_tx_trace).
import type { NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ethernetLineView, ip4HeaderView } from '../trace/ip4-view.ts';

export const interfaceTx: NodeDef<NodeName> = {
  name: 'interface-tx',
  nexts: ['WIRE'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.tx)!;
    const f = buf.data;
    const flagWords = [...(buf.nated ? [vpp.profile.bufferNatFlagName] : []), 'l2-hdr-offset 0', 'l3-hdr-offset 14'];
    const buffer = { index: 0x1000, currentData: buf.currentData, length: f.length, cloneCount: 0, totlenNifb: 0, trace: 0, flagWords };
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    const body = {
      kind: 'interface-tx' as const,
      ifName: iface.name,
      txQueue: 0,
      buffer: vpp.profile.bufferFreeList ? { ...buffer, freeList: 0 } : buffer,
      mbuf: { port: 65535, nbSegs: 1, pktLen: f.length, bufLen: 2176, dataLen: f.length, olFlags: 0, dataOff: 128 + buf.currentData, physAddr: 0, packetType: 0, l2Len: 0, l3Len: 0, outerL2Len: 0, outerL3Len: 0 },
      eth: ethernetLineView(f, 0),
      ...(isIp4 ? { ip: ip4HeaderView(f, 14, Math.max(0, Math.min(f.length, 256) - 14), vpp.profile.traceFormat) } : {}),
    };
    return { next: 'WIRE', buf, trace: [body], traceName: `${iface.name}-tx` };
  },
};
