// arp-input: ARP reaching VPP, e.g. a pod resolving its gateway although Contiv installed a static entry
// (docs/datapath.md §2.5 step 4). The gateway IP is virtual, never on an interface, so VPP does not answer:
// "IP4 destination address not local to subnet". Requests for a VPP address are answered in VPP; the model
// counts them as not modelled. Next: error-drop. Models V:src/vnet/ethernet/arp.c (arp_input).
import { ip4ToString, macToString, readMac, readU16, readU32 } from '../../packet/index.ts';
import { toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

const ERRORS = { notLocal: 'IP4 destination address not local to subnet', malformed: 'ARP packet too short or not Ethernet/IPv4', notModelled: 'ARP reply by VPP (not modelled)' } as const;

export const arpInput: NodeDef<NodeName> = {
  name: 'arp-input',
  nexts: ['error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const a = buf.data;
    if (a.length < 28 || a[4] !== 6 || a[5] !== 4) return toDrop(buf, 'arp-input', ERRORS.malformed);
    const op = readU16(a, 6);
    const opName = op === 1 ? 'request' : op === 2 ? 'reply' : `op ${op}`;
    const trace = [{ kind: 'raw' as const, lines: [`  ${opName}, type ethernet/IP4, address size 6/4`, `  ${macToString(readMac(a, 8))}/${ip4ToString(readU32(a, 14))} -> ${macToString(readMac(a, 18))}/${ip4ToString(readU32(a, 24))}`] }];
    const tpa = readU32(a, 24);
    const local = vpp.ifBySw.get(buf.rx)?.addresses.some((x) => x.network === tpa);
    return toDrop(buf, 'arp-input', local ? ERRORS.notModelled : ERRORS.notLocal, trace);
  },
};
