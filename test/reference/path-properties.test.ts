// Properties of whole walks over random packets on an open cluster (no policy): TTL decrements once per VPP,
// IP checksums stay valid at every capture point, inner bytes survive encap/decap, and the outer UDP source
// port is the flow hash of the inner frame (docs/datapath.md §6, §7, §12.2 P8, P11, P13).
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checksumErrors, decodePacket, findLayer, ip4, readU16, type Layer } from '../../src/packet/index.ts';
import { l2FlowHash, vxlanSourcePort } from '../../src/reference/flow-hash.ts';
import { Simulation } from '../../src/reference/simulate.ts';
import { openClusterInput, withPackets } from '../support/scenarios.ts';

const INPUT = openClusterInput(3, 3);
const PODS = INPUT.topology.nodes.flatMap((n) => (n.pods ?? []).map((p) => p.name));
const SEED = 311;

function podIp(nodeIndex: number, podIndex: number): string {
  return `10.1.${nodeIndex + 1}.${podIndex + 2}`;
}

const l4Arb: fc.Arbitrary<Layer[]> = fc.oneof(
  fc.record({ sp: fc.integer({ min: 1, max: 65535 }), dp: fc.integer({ min: 1, max: 65535 }), seq: fc.nat(0xffffffff), flags: fc.constantFrom(0x02, 0x10, 0x18, 0x11), data: fc.uint8Array({ maxLength: 40 }) }).map((r) => [
    { kind: 'tcp', srcPort: r.sp, dstPort: r.dp, seq: r.seq, flags: r.flags } as Layer,
    ...(r.data.length ? [{ kind: 'raw', data: r.data } as Layer] : []),
  ]),
  fc.record({ sp: fc.integer({ min: 1, max: 65535 }), dp: fc.integer({ min: 1, max: 65535 }), data: fc.uint8Array({ minLength: 1, maxLength: 40 }) }).map((r) => [
    { kind: 'udp', srcPort: r.sp, dstPort: r.dp } as Layer,
    { kind: 'raw', data: r.data } as Layer,
  ]),
  fc.record({ id: fc.nat(0xffff), seq: fc.nat(0xffff) }).map((r) => [{ kind: 'icmp', type: 8, id: r.id, seq: r.seq } as Layer]),
);

const caseArb = fc.record({ from: fc.nat(), to: fc.nat(), ttl: fc.integer({ min: 3, max: 255 }), tos: fc.nat(255), id: fc.nat(0xffff), df: fc.boolean(), l4: l4Arb });

describe('whole-path properties on an open 3-node cluster', () => {
  test.prop([caseArb], { seed: SEED, numRuns: 300 })('TTL −1 per VPP, valid checksums everywhere, inner bytes preserved, outer port = flow hash', (c) => {
    const from = c.from % PODS.length;
    const to = c.to % PODS.length;
    const fromNode = Math.floor(from / 3);
    const toNode = Math.floor(to / 3);
    const ip: Layer = { kind: 'ipv4', ttl: c.ttl, tos: c.tos, id: c.id, flags: c.df ? 2 : 0, src: 0, dst: 0 };
    const sc = withPackets(INPUT, [{ from: PODS[from]!, layers: [{ ...ip, src: ip4(podIp(fromNode, from % 3)), dst: ip4(podIp(toNode, to % 3)) }, ...c.l4] }]);
    const sim = new Simulation(sc);
    const r = sim.inject(sc.packets[0]!, 0);
    // Every pod is reachable: the packet is delivered to the destination pod.
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ kind: 'delivered', pod: PODS[to] });
    const got = r.outcomes[0]!.kind === 'delivered' ? decodePacket(r.outcomes[0]!.frame).layers : [];
    const vpps = fromNode === toNode ? 1 : 2;
    expect(findLayer(got, 'ipv4')!.ttl).toBe(c.ttl - vpps);
    // Checksums stay valid at every capture point (VXLAN's UDP checksum is 0: "none").
    for (const f of r.frames) expect(checksumErrors(decodePacket(f.data).layers), f.point).toEqual([]);
    // The inner IP payload (L4 header and data) is byte-identical end to end.
    const sentIp = r.frames[0]!.data.subarray(14);
    const gotIp = r.outcomes[0]!.kind === 'delivered' ? r.outcomes[0]!.frame.subarray(14) : new Uint8Array();
    expect(Buffer.from(gotIp.subarray(20)).equals(Buffer.from(sentIp.subarray(20)))).toBe(true);
    // On the wire: outer source port = flow hash of the inner frame; inner frame = what the sender routed.
    for (const f of r.frames.filter((x) => x.point.endsWith(':wire'))) {
      const inner = f.data.subarray(50);
      expect(readU16(f.data, 34)).toBe(vxlanSourcePort(l2FlowHash(inner)));
      expect(findLayer(decodePacket(inner).layers, 'ipv4')!.ttl).toBe(c.ttl - 1);
    }
    expect(r.frames.some((f) => f.point.endsWith(':wire'))).toBe(vpps === 2);
  });
});
