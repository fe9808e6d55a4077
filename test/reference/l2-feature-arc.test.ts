// Current VPP runs loop0's L2 input ACL on the L2 input feature arc: l2-input lists the arc among its features,
// then l2-input-feat-arc, acl-plugin-in-ip4-l2, l2-input-feat-arc-end, l2-fwd. The lines below are a VPP 26.06
// lab's (podflow lab, 2026-12-04, a reply entering loop0 of node 2 from the BVI with an L2 input ACL on it);
// 18.01 keeps l2-input-classify and no arc.
import { describe, expect, it } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { encodePacket } from '../../src/packet/index.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { POD_MAC } from '../../src/reference/topology/topology.ts';
import { parseTrace } from '../../src/trace/parse.ts';
import { renderRecord } from '../../src/trace/render.ts';
import type { TraceRecord } from '../../src/trace/records.ts';
import { CLIENT_AND_WEB } from '../support/clusters.ts';

const LAB_HEAD = '  IN-FEAT-ARC: head 1 feature_bitmap 20081 ethertype 800 sw_if_index 2, next_index 15';
const LAB_END = '  IN-FEAT-ARC: head 0 feature_bitmap 81 ethertype 0 sw_if_index -1, next_index 5';

async function loop0Records(profile: 'vpp-current' | 'vpp-18.01-contiv'): Promise<TraceRecord[]> {
  const a = new ReferenceAdapter({ profile, drivers: { pod: 'packet-generator', nic: 'af_packet' } });
  const r = renderCluster(CLIENT_AND_WEB);
  await a.setup(adapterTopology(r.topology));
  await a.apply(adapterAcls(r));
  const [s, d] = [r.topology.podByName.get('default/client')!, r.topology.podByName.get('default/web-a')!];
  const frame = encodePacket([{ kind: 'ethernet', dst: s.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: s.ip, dst: d.ip, ttl: 64 }, { kind: 'tcp', srcPort: 40000, dstPort: 80, flags: 0x02 }]);
  const o = await a.inject([{ packet: 0, at: 0, from: { pod: s.name }, frame }]);
  return o.traces!.get(0)!.find((t) => t.nodeId === s.nodeId)!.records as TraceRecord[];
}

describe('the L2 input feature arc (loop0 with an L2 input ACL)', () => {
  it('current VPP: l2-input lists the arc, the ACL runs between its head and end, then l2-fwd; the records print as the lab', async () => {
    const recs = await loop0Records('vpp-current');
    const names = recs.map((r) => r.node);
    const at = names.indexOf('l2-input');
    expect(names.slice(at, at + 5)).toEqual(['l2-input', 'l2-input-feat-arc', 'acl-plugin-in-ip4-l2', 'l2-input-feat-arc-end', 'l2-fwd']);
    expect(recs[at]!.body).toMatchObject({ suffix: ' [l2-input-feat-arc l2-fwd ]' });
    const loop0 = (recs[at]!.body as { swIfIndex: number }).swIfIndex;
    expect(renderRecord(recs[at + 1]!, 'vpp-current').join('\n')).toBe(LAB_HEAD.replace('sw_if_index 2', `sw_if_index ${loop0}`));
    expect(renderRecord(recs[at + 3]!, 'vpp-current').join('\n')).toBe(LAB_END);
  });

  it("NAT's handoff on the main NIC's output arc names the next feature: the output ACL when there is one (13 on the lab), else the output (12)", async () => {
    const recs = await loop0Records('vpp-current');
    const i = recs.findIndex((r) => r.node === 'nat-pre-in2out-output');
    const aclAfter = recs.slice(i).some((r) => r.node === 'acl-plugin-out-ip4-fa' && recs.indexOf(r) < recs.findIndex((x) => x.node.endsWith('-output') && x.node.startsWith('GigabitEthernet')));
    expect((recs[i]!.body as { arcNextIndex: number }).arcNextIndex).toBe(aclAfter ? 13 : 12);
  });

  it("parses the lab's lines into the model's bodies and renders them back byte for byte", () => {
    const text = `Packet 1\n\n00:15:58:819583: l2-input-feat-arc\n${LAB_HEAD}\n00:15:58:819598: l2-input-feat-arc-end\n${LAB_END}\n`;
    const p = parseTrace(text);
    expect(p.diagnostics).toEqual([]);
    const [head, end] = p.captures[0]!.records;
    expect(head!.body).toEqual({ kind: 'l2-feat-arc', head: 1, featureBitmap: '20081', ethertype: '800', swIfIndex: 2, nextIndex: 15 });
    expect(end!.body).toEqual({ kind: 'l2-feat-arc', head: 0, featureBitmap: '81', ethertype: '0', swIfIndex: -1, nextIndex: 5 });
    expect(renderRecord(head!, 'vpp-current')[0]).toBe(LAB_HEAD);
  });

  it('18.01 has no arc: l2-input-classify before the ACL', async () => {
    const names = (await loop0Records('vpp-18.01-contiv')).map((r) => r.node);
    expect(names).not.toContain('l2-input-feat-arc');
    expect(names).toContain('l2-input-classify');
  });
});
