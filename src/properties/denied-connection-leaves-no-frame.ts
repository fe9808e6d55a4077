// Policies are enforced where the design puts them: the client's egress policy on the client's node before
// encapsulation, the server's ingress policy at the server's TAP; a denied connection leaves no frame at the
// server, and one denied by the client's egress policy leaves no frame on the wire (seed q3, q18; I6, I13). An
// adapter that knows where it dropped a packet must name the output ACL of the table that denied it: the client
// node's for the global table, the server node's for the server's local table (docs/datapath.md §4.8: `error-drop` with
// `acl-plugin-out-ip4-fa: ACL deny packets`).
import { clusterCaseArb, exchangeFacts, runClusterCase, type ClusterCase } from './harness.ts';
import { delivered, wireCaptures } from './common.ts';
import { firstMatchContiv } from '../policy/contiv/rules.ts';
import { claim, verdictOf, type Claim, type ClaimMessages, type PropertyDef } from './types.ts';

const CLAIMS: ClaimMessages = {
  'denied-delivered': (c) => `${c.connection}: denied by policy but delivered`,
  'egress-denied-crossed-wire': (c) => `${c.connection}: denied by the client's egress policy, yet a frame crossed the wire (${c.point})`,
  'denied-elsewhere': (c) => `${c.connection}: denied by policy, dropped ${c.received}, expected ${c.expected}`,
};

/** Where the design drops a denied request (§4.8): the output ACL node, with its deny counter. */
const ACL_DROP = { node: 'acl-plugin-out-ip4-fa', error: 'ACL deny packets' };

export const deniedConnectionLeavesNoFrame: PropertyDef<ClusterCase> = {
  id: 'denied-connection-leaves-no-frame',
  description: "a connection denied by the client's egress policy never reaches the wire; a denied one never reaches the server",
  seedSteps: ['q3', 'q18', 'I6', 'I13'],
  claims: CLAIMS,
  arbitrary: () => clusterCaseArb(),
  async check(c, adapter) {
    const run = await runClusterCase(c, adapter);
    const claims: Claim[] = [];
    for (const s of run.sent) {
      if (s.expected !== 'deny' || !('pod' in s.connection.src) || !('pod' in s.connection.dst)) continue;
      if (delivered(s.request, s.connection.dst.pod)) claims.push(claim(CLAIMS, { code: 'denied-delivered', ...exchangeFacts(s, 'request'), point: `pod:${s.connection.dst.pod}:rx`, layer: 'delivery', expected: 'dropped', received: 'delivered' }));
      const cl = run.rendered.podByKey.get(s.connection.src.pod)!;
      const sv = run.rendered.podByKey.get(s.connection.dst.pod)!;
      const global = run.rendered.nodes.find((n) => n.id === cl.nodeId)!.global;
      const proto = s.connection.protocol === 'TCP' || s.connection.protocol === 'UDP' ? s.connection.protocol : 'OTHER';
      const egressDenies = cl.nodeId !== sv.nodeId && global.length > 0 && firstMatchContiv(global, cl.ip, sv.ip, proto, proto === 'OTHER' ? 0 : s.connection.port).action === 'DENY';
      if (adapter.capabilities.dropReasons) {
        const at = egressDenies ? cl.nodeId : sv.nodeId;
        const fates = s.request.outcomes?.get(s.requestPacket) ?? [];
        const drop = fates.find((f) => f.kind === 'dropped');
        if (fates.length > 0 && !(drop && drop.nodeId === at && drop.node === ACL_DROP.node && drop.error === ACL_DROP.error)) {
          const where = drop ? `on node ${drop.nodeId} by ${drop.node}: ${drop.error}` : `nowhere (${fates.map((f) => f.kind).join(', ')})`;
          claims.push(claim(CLAIMS, { code: 'denied-elsewhere', ...exchangeFacts(s, 'request'), point: `node:${at}`, layer: 'acl', field: 'drop', expected: `on node ${at} by ${ACL_DROP.node}: ${ACL_DROP.error}`, received: where }));
        }
      }
      if (cl.nodeId === sv.nodeId) continue;
      const wire = wireCaptures(s.request);
      if (egressDenies && wire.length > 0) claims.push(claim(CLAIMS, { code: 'egress-denied-crossed-wire', ...exchangeFacts(s, 'request'), point: wire[0]!.point, layer: 'delivery', expected: 'no frame on the wire', received: 'a frame on the wire' }));
    }
    return verdictOf(claims);
  },
};
