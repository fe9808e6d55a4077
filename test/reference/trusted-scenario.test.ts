// trustedScenario fills the schema's defaults without validating (the fuzzer's fast path): it must give exactly
// what parseScenario gives for every input podflow generates itself.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { clusterArb } from '../../src/generators/cluster.ts';
import { clusterTopologyInput, renderCluster } from '../../src/policy/contiv/render.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { parseScenario, trustedScenario } from '../../src/reference/scenario.ts';
import { buildTopology } from '../../src/reference/topology/topology.ts';

test.prop([clusterArb({ topology: 'varied' })], { seed: 77, numRuns: 200 })('equals parseScenario on generated cluster topologies with rendered ACLs', (cluster) => {
  const input = { ...clusterTopologyInput(cluster), acls: adapterAcls(renderCluster(cluster)), sessions: { tcpTransient: 30 }, nat: { vxlanIdentity: false } };
  expect(trustedScenario(input)).toEqual(parseScenario(input));
});

test.prop([clusterArb({ topology: 'varied' })], { seed: 78, numRuns: 200 })('renderCluster builds the topology trustedScenario(clusterTopologyInput) gives', (cluster) => {
  // renderCluster skips trustedScenario: its node specs already have every default filled in.
  const s = trustedScenario(clusterTopologyInput(cluster));
  expect(renderCluster(cluster).topology).toStrictEqual(buildTopology(s.topology.nodes, s.ipamOverrides));
});

test('equals parseScenario on a scenario with Services (defaults filled in the same way)', () => {
  const input = {
    version: 1 as const,
    topology: { nodes: [{ id: 1, pods: [{ name: 'a' }] }, { id: 2 }] },
    services: [
      { name: 'web', type: 'NodePort' as const, clusterIP: '10.96.0.1', ports: [{ port: 80, nodePort: 30080 }, { name: 'dns', protocol: 'UDP' as const, port: 53 }], endpoints: [{ ip: '10.1.1.2', nodeId: 1, ports: [{ port: 8080 }, { name: 'dns', port: 5353 }] }] },
      { namespace: 'kube-system', name: 'empty', clusterIP: 'None', ports: [{ name: 'x', port: 1 }] },
    ],
  };
  expect(trustedScenario(input)).toEqual(parseScenario(input));
});
