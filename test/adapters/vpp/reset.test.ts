// reset() forgets what frames and faults left (sessions, NAT, drift) and does nothing on a configuration nothing
// touched since setup or the last reset; every lab node gets its configuration, and its commands stay in order.
import { describe, expect, it } from 'vitest';
import { VppAdapter } from '../../../src/adapters/vpp/vpp-adapter.ts';
import { parseLabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { adapterAcls } from '../../../src/properties/harness.ts';
import { adapterTopology } from '../../../src/properties/resolve.ts';
import { renderCluster } from '../../../src/policy/contiv/render.ts';
import { renderNodeConfig } from '../../../src/adapters/vpp/render-vppctl.ts';
import { CLIENT_AND_WEB } from '../../support/clusters.ts';
import { fakeNode } from '../../support/fake-vpp-node.ts';

describe('VPP lab adapter: reset and setup', () => {
  const lab = parseLabFile(['version: 1', 'nodes:', ...[1, 2].flatMap((id) => [`  - id: ${id}`, '    vppctl: [vppctl, -s, /run/vpp/cli.sock]', `    files: /tmp/lab${id}`, '    gbe: host-gbe'])].join('\n'), 'lab.yaml');
  const r = renderCluster(CLIENT_AND_WEB);
  const topology = adapterTopology(r.topology);

  it('configures every node with its own steps in order', async () => {
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    await vpp.setup(topology);
    const nodes = [...topology.nodes].sort((a, b) => a.id - b.id);
    for (const [i, n] of nodes.entries()) expect(sent.get(i + 1)).toEqual(renderNodeConfig(n, topology, { gbe: 'host-gbe' }).map((s) => s.do));
  });

  it('does nothing on a fresh configuration, and forgets sessions once a fault touched the data path', async () => {
    // Arrange
    const sent = new Map<number, string[]>([[1, []], [2, []]]);
    const vpp = new VppAdapter(lab, { transports: new Map([...sent].map(([id, s]) => [id, fakeNode(id, s)])), settleMs: 0, quietMs: 0 });
    await vpp.setup(topology);
    await vpp.apply(adapterAcls(r));
    for (const s of sent.values()) s.length = 0;
    // Act + Assert: nothing touched it since setup
    await vpp.reset();
    expect([...sent.values()].flat()).toEqual([]);
    // a fault on node 2: both nodes forget their sessions, NAT included, then a second reset has nothing to do
    await vpp.fault({ id: 'acl-sessions-cleared', node: 2 });
    for (const s of sent.values()) s.length = 0;
    await vpp.reset();
    for (const s of sent.values()) {
      expect(s[0]).toBe('clear acl-plugin sessions');
      expect(s).toContain('nat44 plugin disable');
      expect(s.slice(-3)).toEqual(['clear trace', 'clear errors', 'clear interfaces']);
    }
    for (const s of sent.values()) s.length = 0;
    await vpp.reset();
    expect([...sent.values()].flat()).toEqual([]);
    // the same topology again: a reset, nothing configured anew
    await vpp.fault({ id: 'acl-sessions-cleared', node: 1 });
    for (const s of sent.values()) s.length = 0;
    await vpp.setup(topology);
    expect(sent.get(1)![0]).toBe('clear acl-plugin sessions');
    expect(sent.get(1)).not.toContain('create loopback interface instance 1');
  });
});
