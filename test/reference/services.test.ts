// Contiv's rendering of Services into NAT44 mappings (src/reference/services.ts, docs/datapath.md §16).
import { describe, expect, it } from 'vitest';
import { ip4ToString } from '../../src/packet/index.ts';
import { parseScenario, ScenarioError, type ServiceSchemaOutput } from '../../src/reference/scenario.ts';
import { describeMapping, renderServices, type ServiceSpec } from '../../src/reference/services.ts';
import { buildTopology } from '../../src/reference/topology/topology.ts';

const nodes = [
  { id: 1, pods: [{ name: 'client' }, { name: 'web-1' }] },
  { id: 2, pods: [{ name: 'web-2' }] },
];

function scenario(services: unknown[]): ReturnType<typeof parseScenario> {
  return parseScenario({ version: 1, topology: { nodes }, services }, 'test.json');
}

describe('renderServices', () => {
  const sc = scenario([
    {
      name: 'web',
      type: 'NodePort',
      clusterIP: '10.96.0.20',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
      endpoints: [
        { ip: '10.1.1.3', nodeId: 1, pod: 'default/web-1', ports: [{ name: 'http', port: 8080 }] },
        { ip: '10.1.2.2', nodeId: 2, pod: 'default/web-2', ports: [{ name: 'http', port: 8080 }] },
      ],
    },
  ]);
  const topo = buildTopology(sc.topology.nodes, sc.ipamOverrides);
  const spec: ServiceSpec[] = sc.services!;
  const r = renderServices(topo, spec);

  it('gives every node the same mappings: each node IP with the node port, then the cluster IP', () => {
    for (const id of [1, 2]) {
      const ms = r.get(id)!.mappings;
      expect(ms.map((m) => `${m.kind} ${ip4ToString(m.external)}:${m.externalPort}`)).toEqual(['node-port 192.168.16.1:30080', 'node-port 192.168.16.2:30080', 'cluster-ip 10.96.0.20:80']);
      for (const m of ms) expect(m.locals.map((l) => `${ip4ToString(l.addr)}:${l.port}/${l.probability}`)).toEqual(['10.1.1.3:8080/1', '10.1.2.2:8080/1']);
    }
  });

  it('marks only the local endpoint pods as backends and takes the NAT loopback as twice-NAT pool', () => {
    expect(r.get(1)!.backendPods).toEqual(['web-1']);
    expect(r.get(2)!.backendPods).toEqual(['web-2']);
    expect(ip4ToString(r.get(1)!.twiceNatPool)).toBe('10.1.1.254');
  });

  it('with externalTrafficPolicy Local balances over local endpoints only; a sole local gets probability 0', () => {
    const local = renderServices(topo, [{ ...spec[0]!, externalTrafficPolicy: 'Local' }]);
    const m = local.get(2)!.mappings.find((x) => x.kind === 'cluster-ip')!;
    expect(m.locals).toEqual([{ addr: m.locals[0]!.addr, port: 8080, probability: 0 }]);
    expect(ip4ToString(m.locals[0]!.addr)).toBe('10.1.2.2');
    expect(describeMapping(m)).toBe('tcp 10.96.0.20:80 → 10.1.2.2:8080  [default/web, cluster-ip]');
  });

  it('leaves out a headless service and a port no endpoint gives', () => {
    const none = renderServices(topo, [{ ...spec[0]!, type: 'ClusterIP', clusterIP: 'None' }]);
    expect(none.get(1)!.mappings).toEqual([]);
    const unused = renderServices(topo, [{ ...spec[0]!, type: 'ClusterIP', ports: [{ name: 'dns', protocol: 'UDP', port: 53 }] }]);
    expect(unused.get(1)!.mappings).toEqual([]);
  });

  it('the schema output is a ServiceSpec', () => {
    const s: ServiceSchemaOutput = sc.services![0]!;
    const t: ServiceSpec = s;
    expect(t.namespace).toBe('default');
  });
});

describe('the services of a scenario are validated', () => {
  it('names the field of an endpoint port the service does not have', () => {
    expect(() => scenario([{ name: 'a', clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80 }], endpoints: [{ ip: '10.1.1.2', ports: [{ name: 'web', port: 80 }] }] }])).toThrow(
      /services\[0\]\.endpoints\[0\]\.ports\[0\]\.name: the service has no port named 'web'/,
    );
  });
  it('refuses a nodePort on a ClusterIP service and an unknown node', () => {
    let err: unknown;
    try {
      scenario([{ name: 'a', clusterIP: '10.96.0.1', ports: [{ port: 80, nodePort: 30000 }], endpoints: [{ ip: '10.1.1.2', nodeId: 9, ports: [{ port: 80 }] }] }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toContain("services[0].ports[0].nodePort: a nodePort needs type 'NodePort'");
    expect((err as Error).message).toContain('services[0].endpoints[0].nodeId: no node with ID 9');
  });
});
