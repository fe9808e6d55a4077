// dpdk-input: a frame arrives from the wire on the main NIC (docs/datapath.md §4.4 B1, seed q12). IPv4 frames go
// straight to ip4-input with current_data advanced past Ethernet (no ethernet-input record); others to
// ethernet-input. Buffer index, mbuf phys_addr and data_off are volatile; the model prints stable stand-ins.
// Models V:src/plugins/dpdk/device/node.c and its trace (format_dpdk_rx_trace).
import { advanceBuf, copyBuf, result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ethernetLineView, ip4HeaderView } from '../../trace/ip4-view.ts';
import { bufferView, mbufView } from './dpdk-common.ts';

export const dpdkInput: NodeDef<NodeName> = {
  name: 'dpdk-input',
  nexts: ['ip4-input', 'ethernet-input'],
  errors: {},
  process(buf, { vpp }) {
    const iface = vpp.ifBySw.get(buf.rx)!;
    const frame = buf.data;
    const isIp4 = frame.length >= 14 && frame[12] === 0x08 && frame[13] === 0x00;
    const advance = isIp4 ? 14 : 0;
    const flagWords = isIp4 ? ['l4-cksum-computed', 'l4-cksum-correct', 'l2-hdr-offset 0', 'l3-hdr-offset 14'] : ['l2-hdr-offset 0', 'l3-hdr-offset 14'];
    const trace = {
      kind: 'dpdk-input' as const,
      ifName: iface.name,
      rxQueue: 0,
      buffer: bufferView(0x4000, advance, frame.length - advance, flagWords, vpp.profile.bufferFreeList),
      mbuf: mbufView(0, frame.length, 128),
      eth: ethernetLineView(frame, 0),
      ip: ip4HeaderView(frame, 14, Math.max(0, Math.min(frame.length, 256) - 14), vpp.profile.traceFormat),
    };
    if (!isIp4) {
      const out = copyBuf(buf);
      out.l4ChecksumComputed = false;
      return result('ethernet-input', out, [trace]);
    }
    const out = advanceBuf(buf, 14);
    out.l4ChecksumComputed = true;
    return result('ip4-input', out, [trace]);
  },
};
