// <ifc>-tx: the DPDK TX node of the main NIC (DATAPATH.md §4.3 A13): prints the vlib buffer (current data,
// length, flags such as `nated`) and the mbuf, then the frame leaves on the wire. Buffer index, trace index,
// phys_addr, data_off and port are volatile and printed as stable stand-ins.
// Models V:src/plugins/dpdk/device/device.c (format_dpdk_tx_trace).
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ethernetLineView, ip4HeaderView } from '../trace/ip4-view.ts';
import { bufferView, mbufView } from './dpdk-common.ts';

export const interfaceTx: NodeDef<NodeName> = {
  name: 'interface-tx',
  nexts: ['WIRE'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.tx)!;
    const f = buf.data;
    const flagWords = buf.nated ? [vpp.profile.bufferNatFlagName, 'l2-hdr-offset 0', 'l3-hdr-offset 14'] : ['l2-hdr-offset 0', 'l3-hdr-offset 14'];
    const buffer = bufferView(0x1000, buf.currentData, f.length, flagWords, vpp.profile.bufferFreeList);
    const mbuf = mbufView(65535, f.length, 128 + buf.currentData);
    const eth = ethernetLineView(f, 0);
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    const body = isIp4
      ? { kind: 'interface-tx' as const, ifName: iface.name, txQueue: 0, buffer, mbuf, eth, ip: ip4HeaderView(f, 14, Math.max(0, Math.min(f.length, 256) - 14), vpp.profile.traceFormat) }
      : { kind: 'interface-tx' as const, ifName: iface.name, txQueue: 0, buffer, mbuf, eth };
    return result('WIRE', buf, [body], `${iface.name}-tx`);
  },
};
