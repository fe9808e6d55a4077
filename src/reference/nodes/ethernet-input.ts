// ethernet-input: L3 interfaces accept frames to their own MAC (or broadcast/multicast) and dispatch on the
// ethertype (docs/datapath.md §4.1 row 2). Uses: the RX interface MAC. Sets: current_data past Ethernet.
// Next: ip4-input, arp-input, error-drop. Models V:src/vnet/ethernet/node.c (one-line trace, source first).
import { readMac, readU16 } from '../../packet/index.ts';
import { advanceBuf, result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { driverOf } from '../topology/topology.ts';
import { ethernetLineView } from '../../trace/ip4-view.ts';

const ERRORS = { macMismatch: 'l3 mac mismatch', unknownType: 'unknown ethernet type', unknownVlan: 'unknown vlan', short: 'ethernet frame too short' } as const;

export const ethernetInput: NodeDef<NodeName> = {
  name: 'ethernet-input',
  nexts: ['ip4-input', 'arp-input', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const f = buf.data;
    if (f.length < 14) return toDrop(buf, 'ethernet-input', ERRORS.short);
    const iface = vpp.ifBySw.get(buf.rx)!;
    // packet-generator input hands over whole frames of one interface: current VPP prints that frame's flags
    // (ETH_INPUT_FRAME_F_SINGLE_SW_IF_IDX) and interface (V:src/vnet/pg/input.c, src/vnet/ethernet/node.c).
    const frame = driverOf(iface) === 'packet-generator' ? { flags: 1, hwIfIndex: iface.hwIfIndex, swIfIndex: iface.swIfIndex } : undefined;
    const trace = [frame ? { kind: 'ethernet-input' as const, eth: ethernetLineView(f, 0), frame } : { kind: 'ethernet-input' as const, eth: ethernetLineView(f, 0) }];
    const dst = readMac(f, 0);
    const groupAddress = (f[0]! & 1) === 1; // broadcast and multicast
    if (!groupAddress && dst !== iface.mac) return toDrop(buf, 'ethernet-input', ERRORS.macMismatch, trace);
    const type = readU16(f, 12);
    if (type === 0x0800) {
      const out = advanceBuf(buf, 14);
      out.l2HdrOffset = buf.currentData;
      out.l3HdrOffset = buf.currentData + 14;
      return result('ip4-input', out, trace);
    }
    if (type === 0x0806) return result('arp-input', advanceBuf(buf, 14), trace);
    return toDrop(buf, 'ethernet-input', type === 0x8100 || type === 0x88a8 ? ERRORS.unknownVlan : ERRORS.unknownType, trace);
  },
};
