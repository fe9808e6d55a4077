// ip4-input: header checks of VPP 18.01 (docs/datapath.md §7.4), then the first feature of the RX interface's
// ip4-unicast arc (§3.3). Uses: the IPv4 header. Sets: nothing. Next: acl-plugin-in-ip4-fa, nat44-out2in,
// nat44-in2out, ip4-lookup, error-drop. Models V:src/vnet/ip/ip4_input.c / ip4_input.h (single-packet loop:
// TTL is left to ip4-rewrite, §7.2). Trace: format_ip4_header over 64 captured bytes.
import { ipv4HeaderChecksum, readU16 } from '../../packet/index.ts';
import { result, toDrop, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';
import { ip4HeaderView } from '../../trace/ip4-view.ts';
import { nextInputFeature } from './features.ts';

export const IP4_ERRORS = {
  tooShort: 'ip4 length < 20 bytes',
  version: 'ip4 version != 4',
  options: 'ip4 options present',
  badChecksum: 'bad ip4 checksum',
  fragmentOffsetOne: 'ip4 fragment offset == 1',
  badLength: 'ip4 length > l2 length',
} as const;

export const ip4Input: NodeDef<NodeName> = {
  name: 'ip4-input',
  nexts: ['acl-plugin-in-ip4-fa', 'nat44-out2in', 'nat44-in2out', 'ip4-lookup', 'ip4-sv-reassembly-feature', 'nat-pre-out2in', 'nat44-classify', 'error-drop'],
  errors: IP4_ERRORS,
  process(buf, { vpp }) {
    const ip = buf.data;
    if (ip.length < 20) return toDrop(buf, 'ip4-input', IP4_ERRORS.tooShort, [{ kind: 'ip4-header', indent: 2, ip: ip4HeaderView(ip, 0, ip.length, vpp.profile.traceFormat) }]);
    const trace = [{ kind: 'ip4-header' as const, indent: 2 as const, ip: ip4HeaderView(ip, 0, Math.min(64, ip.length), vpp.profile.traceFormat) }];
    if (ip[0] !== 0x45) {
      // IHL ≠ 5 is punted ("ip4 options present"), another version dropped.
      return toDrop(buf, 'ip4-input', (ip[0]! & 0xf0) === 0x40 ? IP4_ERRORS.options : IP4_ERRORS.version, trace);
    }
    if (ipv4HeaderChecksum(ip, 0, 20) !== readU16(ip, 10)) return toDrop(buf, 'ip4-input', IP4_ERRORS.badChecksum, trace);
    if ((readU16(ip, 6) & 0x1fff) === 1) return toDrop(buf, 'ip4-input', IP4_ERRORS.fragmentOffsetOne, trace);
    const total = readU16(ip, 2);
    if (total < 20) return toDrop(buf, 'ip4-input', IP4_ERRORS.tooShort, trace);
    if (total > ip.length) return toDrop(buf, 'ip4-input', IP4_ERRORS.badLength, trace);
    return result(nextInputFeature(vpp, buf.rx, 'ip4-input', ip), buf, trace);
  },
};
