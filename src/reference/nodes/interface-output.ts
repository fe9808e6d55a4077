// <ifc>-output: the interface's output node, printed with the interface's name (`tap12-output`,
// `loop0-output`, `GigabitEthernet0/8/0-output`). A pod TAP delivers to the pod (TAPv2 traces end here);
// loop0 is the BVI, so the frame enters bridge domain 1 through l2-input with RX = loop0 (DATAPATH.md §3.4);
// the main NIC continues to its -tx node. Models V:src/vnet/interface_output.c (124 captured bytes).
import { copyBuf, result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ethernetLineView, ip4HeaderView } from '../trace/ip4-view.ts';

export const interfaceOutput: NodeDef<NodeName> = {
  name: 'interface-output',
  nexts: ['interface-tx', 'l2-input', 'DELIVER'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.tx)!;
    const f = buf.data;
    const captured = Math.min(124, f.length);
    const isIp4 = f[12] === 0x08 && f[13] === 0x00;
    const body = isIp4
      ? { kind: 'interface-output' as const, ifName: iface.name, eth: ethernetLineView(f, 0), ip: ip4HeaderView(f, 14, Math.max(0, captured - 14), vpp.profile.traceFormat) }
      : { kind: 'interface-output' as const, ifName: iface.name, eth: ethernetLineView(f, 0), raw: f.slice(14, captured) };
    const traceName = `${iface.name}-output`;
    if (iface.kind === 'loop0') {
      const out = copyBuf(buf);
      out.rx = iface.swIfIndex;
      out.shg = 0;
      out.bdIndex = 1;
      return result('l2-input', out, [body], traceName);
    }
    if (iface.kind === 'gbe') return result('interface-tx', buf, [body], traceName);
    return result('DELIVER', buf, [body], traceName);
  },
};
