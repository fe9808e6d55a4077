// <ifc>-output: the interface's output node, printed with the interface's name (`tap12-output`,
// `loop0-output`, `GigabitEthernet0/8/0-output`). A pod TAP delivers to the pod (TAPv2 traces end here);
// loop0 is the BVI, so the frame enters bridge domain 1 through l2-input with RX = loop0 (docs/datapath.md §3.4);
// the main NIC continues to its -tx node, and so does a packet-generator pod interface (a lab's pods).
// Current VPP prints the buffer's flags (vlib and vnet buffer flags, see bufferFlags).
// Models V:src/vnet/interface_output.c (124 captured bytes).
import { copyBuf, result, type Buf, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { driverOf } from '../topology/topology.ts';
import { ethernetLineView, ip4HeaderView } from '../../trace/ip4-view.ts';

// vlib/vnet buffer flag bits (V:src/vlib/buffer.h, src/vnet/buffer.h: vnet flags count down from bit 31)
const IS_TRACED = 0x1;
const TOTAL_LENGTH_VALID = 0x4;
const L4_CHECKSUM_COMPUTED = 0x80000000;
const L4_CHECKSUM_CORRECT = 0x40000000;
const IS_IP4 = 0x01000000;
const IS_NATED = 0x00200000;
const L2_HDR_OFFSET_VALID = 0x00100000;
const L3_HDR_OFFSET_VALID = 0x00080000;

/**
 * The buffer flags `<ifc>-output` prints in current VPP, as far as the model follows them: traced, header offsets
 * valid (ethernet-input), natted (a NAT translation or session hit), and the marks of ip4-local's UDP checks
 * (checksum computed and correct, IPv4, total length valid) that a decapsulated packet carries.
 */
export function bufferFlags(buf: Buf): number {
  let f = IS_TRACED | L2_HDR_OFFSET_VALID | L3_HDR_OFFSET_VALID;
  if (buf.l4ChecksumComputed) f |= L4_CHECKSUM_COMPUTED | L4_CHECKSUM_CORRECT | IS_IP4 | TOTAL_LENGTH_VALID;
  if (buf.nated) f |= IS_NATED;
  return f >>> 0;
}

export const interfaceOutput: NodeDef<NodeName> = {
  name: 'interface-output',
  nexts: ['interface-tx', 'l2-input', 'DELIVER'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.tx)!;
    const f = buf.data;
    const captured = Math.min(124, f.length);
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    const flags = vpp.profile.traceFormat === 'vpp-current' ? { flags: bufferFlags(buf) } : {};
    const body = isIp4
      ? { kind: 'interface-output' as const, ifName: iface.name, eth: ethernetLineView(f, 0), ip: ip4HeaderView(f, 14, Math.max(0, captured - 14), vpp.profile.traceFormat), ...flags }
      : { kind: 'interface-output' as const, ifName: iface.name, eth: ethernetLineView(f, 0), raw: f.slice(14, captured), ...flags };
    const traceName = `${iface.name}-output`;
    if (iface.kind === 'loop0') {
      const out = copyBuf(buf);
      out.rx = iface.swIfIndex;
      out.shg = 0;
      out.bdIndex = 1;
      return result('l2-input', out, [body], traceName);
    }
    if (iface.kind === 'gbe' || driverOf(iface) === 'packet-generator') return result('interface-tx', buf, [body], traceName);
    return result('DELIVER', buf, [body], traceName);
  },
};
