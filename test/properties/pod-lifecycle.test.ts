// Pods added and deleted mid-connection (CNI ADD/DEL): the reference adapter's updateTopology keeps the state of
// surviving interfaces and drops a deleted pod's, and the connection-lifecycle property both holds on the model
// and catches an adapter that does not really add or delete pods.
import { CLIENT_AND_WEB } from '../support/clusters.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, AdapterTopology } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { CHECK_CONTEXT, observedAdapter } from '../../src/cli/fuzz-runner.ts';
import { encodePacket } from '../../src/packet/index.ts';
import { connectionLifecycle, type LifecycleCase } from '../../src/properties/connection-lifecycle.ts';
import { adapterAcls } from '../../src/properties/harness.ts';
import { adapterTopology } from '../../src/properties/resolve.ts';
import { renderCluster } from '../../src/policy/contiv/render.ts';
import type { Cluster } from '../../src/policy/types.ts';
import { POD_MAC } from '../../src/reference/topology/topology.ts';
import type { LifecycleStep } from '../../src/generators/lifecycle.ts';

// Three pods on two nodes (test/support/clusters.ts).
const cluster: Cluster = CLIENT_AND_WEB;

async function verdict(c: LifecycleCase, adapter: Adapter) {
  return connectionLifecycle.check(c, adapter, CHECK_CONTEXT);
}

describe('reference adapter: pods added and deleted', () => {
  it('keeps the sessions of surviving interfaces and drops those of a deleted pod', async () => {
    // Arrange: client -> web-a:80 opened (sessions on both nodes), then web-c deleted (web-b keeps node 1's ACLs).
    const withC: Cluster = { ...cluster, pods: [...cluster.pods, { name: 'web-c', namespace: 'default', labels: { app: 'web' }, nodeName: 'node-1', containerPorts: [] }] };
    const r = renderCluster(withC);
    const adapter = new ReferenceAdapter();
    await adapter.setup(adapterTopology(r.topology));
    await adapter.apply(adapterAcls(r));
    const [client, webA] = [r.topology.podByName.get('default/client')!, r.topology.podByName.get('default/web-a')!];
    const syn = encodePacket([{ kind: 'ethernet', dst: client.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: client.ip, dst: webA.ip, ttl: 64 }, { kind: 'tcp', srcPort: 40000, dstPort: 80, flags: 0x02 }]);
    await adapter.inject([{ packet: 0, at: 0, from: { pod: 'default/client' }, frame: syn }]);
    const sessionsBefore = [...adapter.simulation.vpps.values()].map((v) => v.aclSessions.byKey.size);
    expect(sessionsBefore.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const pinned: Cluster = { ...withC, pods: withC.pods.filter((p) => p.name !== 'web-c').map((p) => { const m = r.topology.podByName.get(`default/${p.name}`)!; return { ...p, ip: `10.1.${m.nodeId}.${m.ip & 0xff}`, tap: { name: m.tap.name, swIfIndex: m.tap.swIfIndex } }; }) };
    const r2 = renderCluster(pinned);
    // Act
    await adapter.updateTopology(adapterTopology(r2.topology));
    await adapter.apply(adapterAcls(r2));
    // Assert: the same pods keep address and TAP; sessions survive; web-c and its TAP are gone.
    expect(r2.topology.podByName.get('default/web-a')!.ip).toBe(webA.ip);
    expect(r2.topology.podByName.get('default/web-a')!.tap.name).toBe(webA.tap.name);
    expect([...adapter.simulation.vpps.values()].map((v) => v.aclSessions.byKey.size)).toEqual(sessionsBefore);
    expect(adapter.simulation.topology.podByName.has('default/web-c')).toBe(false);
    expect([...adapter.simulation.vpps.get(1)!.ifByName.keys()]).not.toContain(r.topology.podByName.get('default/web-c')!.tap.name);
    const synAck = encodePacket([{ kind: 'ethernet', dst: webA.tap.mac!, src: POD_MAC }, { kind: 'ipv4', src: webA.ip, dst: client.ip, ttl: 64 }, { kind: 'tcp', srcPort: 80, dstPort: 40000, flags: 0x12 }]);
    const back = await adapter.inject([{ packet: 1, at: 0.01, from: { pod: 'default/web-a' }, frame: synAck }]);
    expect(back.captures.some((c) => c.point === 'pod:default/client:rx')).toBe(true);
  });

  it('refuses a topology change that is not pods coming and going', async () => {
    const r = renderCluster(cluster);
    const adapter = new ReferenceAdapter();
    await adapter.setup(adapterTopology(r.topology));
    const t = adapterTopology(r.topology);
    await expect(adapter.updateTopology({ ...t, nodes: t.nodes.map((n) => ({ ...n, nodeIp: '192.168.99.9/24' })) })).rejects.toThrow(/only pods may come and go/);
  });
});

describe('connection-lifecycle with pod steps', () => {
  const steps: LifecycleStep[] = [
    { kind: 'open-tcp', from: 0, to: 0, port: 80 },
    { kind: 'pod', add: true, pod: 1, node: 0 },
    { kind: 'data', conn: 0, fromServer: true },
    { kind: 'open-tcp', from: 0, to: 2, port: 80 },
    { kind: 'pod', add: false, pod: 2, node: 0 },
    { kind: 'data', conn: 0, fromServer: false },
    { kind: 'udp', from: 3, to: 0, port: 53 },
  ];

  it('holds on the model, adding and deleting pods for real', async () => {
    const v = await verdict({ cluster, steps }, new ReferenceAdapter());
    expect(v).toEqual({ status: 'valid' });
  });

  it('holds for generated step sequences with pod changes on both profiles', async () => {
    for (const profile of ['vpp-18.01-contiv', 'vpp-current'] as const) {
      const adapter = new ReferenceAdapter({ profile });
      await fc.assert(
        fc.asyncProperty(connectionLifecycle.arbitrary(), async (c) => {
          const v = await verdict(c, adapter);
          expect(v.status === 'invalid' ? v.details : 'valid').toBe('valid');
        }),
        { seed: 77, numRuns: 150 },
      );
    }
  });

  it('catches an adapter that never configures an added pod', async () => {
    // The broken adapter ignores topology updates: the added pod has no TAP, route or ACLs on it.
    const inner = new ReferenceAdapter({ name: 'ignores-cni-add' });
    let first: AdapterTopology | undefined;
    const broken: Adapter = {
      name: inner.name,
      capabilities: inner.capabilities,
      setup: async (t, o) => {
        first = t;
        await inner.setup(t, o);
      },
      // ACLs only on the interfaces that existed at setup (per node), as a data path without the new TAP would.
      apply: (a) => inner.apply(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { ...v, attach: v.attach.filter((x) => !/^tap\d+$/.test(x.interface) || first!.nodes.find((n) => String(n.id) === k)!.pods.some((p) => p.tap.name === x.interface)) }]))),
      inject: (f) => inner.inject(f),
      reset: () => inner.reset(),
      teardown: () => inner.teardown(),
      updateTopology: async () => {},
    };
    const v = await verdict({ cluster, steps: [{ kind: 'pod', add: true, pod: 1, node: 0 }, { kind: 'open-tcp', from: 0, to: 1, port: 80 }] }, broken);
    expect(v.status).toBe('invalid');
    expect(v.status === 'invalid' && v.details).toMatch(/add a pod like pod#1 on node#0 \(default\/added-0\).*the first packet was dropped, the policies allow it/);
  });

  it('says which pod steps an adapter without updateTopology skipped', async () => {
    const inner = new ReferenceAdapter();
    const noUpdates: Adapter = { name: 'no-updates', capabilities: inner.capabilities, setup: (t, o) => inner.setup(t, o), apply: (a) => inner.apply(a), inject: (f) => inner.inject(f), reset: () => inner.reset(), teardown: () => inner.teardown() };
    const v = await verdict({ cluster: { ...cluster, policies: [] }, steps: [{ kind: 'pod', add: false, pod: 0, node: 0 }, { kind: 'udp', from: 0, to: 0, port: 7 }, { kind: 'udp', from: 0, to: 0, port: 53 }] }, noUpdates);
    expect(v).toEqual({ status: 'valid' });
  });
});

it('the fuzz runner keeps pod changes available through its coverage-counting wrapper', () => {
  expect(typeof observedAdapter(new ReferenceAdapter(), {}).updateTopology).toBe('function');
  const inner = new ReferenceAdapter();
  const plain: Adapter = { name: 'plain', capabilities: inner.capabilities, setup: (t, o) => inner.setup(t, o), apply: (a) => inner.apply(a), inject: (f) => inner.inject(f), reset: () => inner.reset(), teardown: () => inner.teardown() };
  expect(observedAdapter(plain, {}).updateTopology).toBeUndefined();
});

describe('a mutant configured again for a topology change', () => {
  it('global-acl-without-final-permit strips the final permit once, however many times pods change', async () => {
    const { MutantAdapter } = await import('../../src/adapters/reference/mutant-adapter.ts');
    const { mutantById } = await import('../../src/reference/mutants/index.ts');
    const m = new MutantAdapter(mutantById('global-acl-without-final-permit')!);
    const r = renderCluster(cluster);
    const globalRules = (): number[] => [...m.simulation.vpps.values()].map((v) => [...v.acl.acls.values()].find((a) => a.tag?.includes('NODE-GLOBAL'))?.rules.length ?? -1);
    const rendered = r.nodes.map((n) => n.acls.find((a) => a.tag?.includes('NODE-GLOBAL'))?.rules.length ?? -1);
    await m.setup(adapterTopology(r.topology));
    await m.apply(adapterAcls(r));
    const once = globalRules();
    expect(once).toEqual(rendered.map((n) => (n > 0 ? n - 1 : n)));
    for (let i = 0; i < 3; i++) await m.updateTopology(adapterTopology(r.topology));
    expect(globalRules()).toEqual(once);
  });
});
