// l2-fwd: static L2 FIB of bridge domain 1 (learning and flooding off, docs/datapath.md §2.7 object 4): the remote
// BVI MAC forwards to its tunnel, the own BVI MAC to L3 (ip4-input with RX = loop0, no ethernet-input
// record); a miss is dropped ("L2 forward misses": ARP never crosses the mesh). Next: l2-output, ip4-input,
// arp-input, error-drop. Models V:src/vnet/l2/l2_fwd.c and l2_to_bvi().
import { readMac, readU16 } from '../../packet/index.ts';
import { advanceBuf, copyBuf, result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import type { VppInstance } from '../state/vpp.ts';

const ERRORS = { miss: 'L2 forward misses', reflect: 'Reflection Drop', bviEthertype: 'BVI packet with unhandled ethertype' } as const;

export const l2Fwd: NodeDef<NodeName> = {
  name: 'l2-fwd',
  nexts: ['l2-output', 'ip4-input', 'arp-input', 'error-drop'],
  errors: ERRORS,
  process(buf, { vpp }) {
    const f = buf.data;
    const dst = readMac(f, 0);
    const target = vpp.bd.fib.get(dst);
    const trace = [{ kind: 'l2-fwd' as const, swIfIndex: buf.rx, dst, src: readMac(f, 6), bdIndex: buf.bdIndex ?? vpp.bd.id, ...l2FibResult(vpp, target) }];
    if (target === undefined) return toDrop(buf, 'l2-fwd', ERRORS.miss, trace);
    if (target === buf.rx) return toDrop(buf, 'l2-fwd', ERRORS.reflect, trace);
    const member = vpp.bd.members.get(target);
    if (member?.bvi) {
      const type = readU16(f, 12);
      const l3 = advanceBuf(buf, 14);
      l3.rx = target;
      if (type === 0x0800) return result('ip4-input', l3, trace);
      if (type === 0x0806) return result('arp-input', l3, trace);
      return toDrop(buf, 'l2-fwd', ERRORS.bviEthertype, trace);
    }
    const out = copyBuf(buf);
    out.tx = target;
    return result('l2-output', out, trace);
  },
};

/**
 * current VPP prints the L2 FIB entry it found: ` result [0x<entry>, <sw_if_index>] <flag names>`, the entry being the
 * flags above the 32-bit sw_if_index (static 1, age-not 2, bvi 4: every entry of Contiv's bridge domain is static).
 */
function l2FibResult(vpp: VppInstance, target: number | undefined): { suffix?: string } {
  if (vpp.profile.traceFormat !== 'vpp-current' || target === undefined) return {};
  const bvi = vpp.bd.members.get(target)?.bvi === true;
  const flags = 0x3 | (bvi ? 0x4 : 0);
  return { suffix: ` result [0x${(flags * 2 ** 32 + target).toString(16)}, ${target}] static age-not ${bvi ? 'bvi ' : ''}` };
}
