// Against real VPP 26.06: the session tables the vpp adapter reads (Adapter.sessionState) after each exchange of a
// cross-node and a same-node TCP connection. The ACL tables equal the model's (vpp-current) key for key; the NAT44-ED
// tables hold the forwarding-bypass sessions VPP creates when a pod's first packet enters an outside interface. Needs
// a lab: PODFLOW_VPP_LAB=lab.yaml, or PODFLOW_VPP_BIN=/path/to/bin/vpp (a local 2-node lab started for this file);
// without either the tests skip and say why — except under CI, where they fail instead (test/support/vpp-lab.ts).
import { describe, expect, it } from 'vitest';
import { sessionStateDiff, SESSION_FORMS, type SessionState } from '../../../src/adapters/adapter.ts';
import type { LabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../../../src/adapters/vpp/vpp-adapter.ts';
import { ReferenceAdapter } from '../../../src/adapters/reference/reference-adapter.ts';
import { encodePacket } from '../../../src/packet/index.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { firstPacket, replyPacket } from '../../../src/policy/contiv/semantics.ts';
import type { Connection } from '../../../src/policy/types.ts';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { POD_MAC, type Pod } from '../../../src/reference/topology/topology.ts';
import { CLIENT_AND_WEB } from '../../support/clusters.ts';
import { VPP_LAB_SKIP, vppLabHooks, vppLabTitle } from '../../support/vpp-lab.ts';

const only = (s: SessionState, table: 'acl' | 'nat44'): SessionState => Object.fromEntries(Object.entries(s).filter(([k]) => k.endsWith(` ${table}`)));

describe.skipIf(VPP_LAB_SKIP)(vppLabTitle('VPP lab session tables'), () => {
  let lab: LabFile;
  const adapters: VppAdapter[] = [];
  vppLabHooks({ nodes: 2, tag: 's', onUp: (l: LabFile) => { lab = l; }, adapters });

  it('after each exchange the ACL sessions equal the model\'s; NAT44-ED keeps a forwarding-bypass session per flow', async () => {
    // Arrange
    const vpp = new VppAdapter(lab);
    adapters.push(vpp);
    const model = new ReferenceAdapter({ profile: 'vpp-current' });
    const r = renderCluster(CLIENT_AND_WEB);
    for (const a of [vpp, model]) {
      await a.setup(adapterTopology(r.topology));
      await a.apply(adapterAcls(r));
      await a.reset();
    }
    const pod = (name: string): Pod => r.topology.podByName.get(`default/${name}`)!;
    const frame = (p: Pod, layers: Parameters<typeof encodePacket>[0]): Uint8Array => encodePacket([{ kind: 'ethernet', dst: p.tap.mac!, src: POD_MAC }, ...layers]);
    let packet = 0;
    let aclSessions = 0;
    let last: SessionState = {};
    for (const server of ['web-a', 'web-b']) {
      const conn: Connection = { src: { pod: 'default/client' }, dst: { pod: `default/${server}` }, protocol: 'TCP', port: 80 };
      const [c, s] = [pod('client'), pod(server)];
      for (const [from, layers] of [[c, firstPacket(conn, c.ip, s.ip)], [s, replyPacket(conn, c.ip, s.ip)]] as const) {
        // Act
        const inj = { packet, at: packet++ * 0.001, from: { pod: from.name }, frame: frame(from, layers) };
        await vpp.inject([inj]);
        await model.inject([{ ...inj, frame: Uint8Array.from(inj.frame) }]);
        last = await vpp.sessionState();
        // Assert
        expect(sessionStateDiff(only(await model.sessionState(), 'acl'), only(last, 'acl'))).toEqual([]);
        aclSessions = Object.values(only(last, 'acl')).reduce((n, t) => n + Object.keys(t).length, 0);
      }
    }
    expect(aclSessions).toBeGreaterThanOrEqual(6);
    for (const t of Object.values(last)) for (const [k, v] of Object.entries(t)) expect(`${k} ${v}`).toMatch(/ (-|tcp flags .*|(static|dynamic) translation.*)$/);
    for (const k of Object.keys(last['node 1 nat44'] ?? {})) expect(k).toMatch(SESSION_FORMS.natKey);
    // the client's SYN entered its TAP (NAT outside) on node 1: VPP keeps a bypass session for the reply (in = the server)
    expect(last['node 1 nat44']).toMatchObject({
      [`TCP in ${ipOf(pod('web-a'))}:80 out ${ipOf(pod('web-a'))}:80 ext ${ipOf(pod('client'))}:40000`]: 'dynamic translation, forwarding-bypass',
      [`TCP in ${ipOf(pod('web-b'))}:80 out ${ipOf(pod('web-b'))}:80 ext ${ipOf(pod('client'))}:40000`]: 'dynamic translation, forwarding-bypass',
    });
  }, 120_000);
});

function ipOf(p: Pod): string {
  const ip = p.ip;
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.');
}
