// Reproduces contiv/vpp's policy-configurator expectations (configurator_test.go via the mock renderer; their
// facts, our code): fixture test/fixtures/contiv-peer/configurator_test.json, checked against podRules().
import { cidr, cidrString, fx, readFixture, toRule, type FxRule } from './contiv-peer-support.ts';
import { describe, expect, test } from 'vitest';
import { ip4, ip4ToString } from '../../src/packet/index.ts';
import { podRules, type PodRules } from '../../src/policy/contiv/configurator.ts';
import type { ContivMatch, ContivPolicy } from '../../src/policy/contiv/processor.ts';
import { firstMatchContiv, hostNet, net, sortedTable, subtractSubnet, type ContivRule, type Net } from '../../src/policy/contiv/rules.ts';

// ---------------------------------------------------------------------------------------------------
// Fixture shape and adapters

interface FxMatch {
  type: 'INGRESS' | 'EGRESS';
  pods: string[] | null;
  ipBlocks: { cidr: string; except: string[] }[] | null;
  ports: { protocol: 'TCP' | 'UDP'; port: number }[];
}
interface FxTraffic {
  pod: string;
  direction: 'INGRESS' | 'EGRESS';
  src: string;
  dst: string;
  protocol: 'TCP' | 'UDP' | 'OTHER';
  srcPort: number;
  dstPort: number;
  expected: 'Allowed' | 'Denied' | 'Unmatched';
  renderer?: string;
}
interface FxTest {
  name: string;
  input: {
    natLoopbackIP: string;
    pods: { name: string; namespace: string; ip: string }[];
    policies: { id: string; type: ContivPolicy['type']; matches: FxMatch[] }[];
    configure: Record<string, string[]>;
    renderers?: string[];
  };
  expected: {
    podIPsGivenToRenderer: Record<string, string>;
    traffic: FxTraffic[];
    derivedRules: Record<string, { egress: FxRule[]; ingress: FxRule[] }>;
  };
}

const FIXTURE = readFixture<{ tests: FxTest[] }>('configurator_test.json');


/**
 * The processed policies of the fixture as our ContivPolicy: pod IDs → IPs (unknown or IP-less pods contribute
 * nothing, so a non-null list may become empty), each ipBlock with its excepts subtracted in order (§10.3).
 */
function contivPolicy(t: FxTest, p: FxTest['input']['policies'][number]): ContivPolicy {
  const ipOf = new Map(t.input.pods.filter((x) => x.ip !== '').map((x) => [`${x.namespace}/${x.name}`, ip4(x.ip)]));
  const matches = p.matches.map((m): ContivMatch => ({
    type: m.type === 'INGRESS' ? 'Ingress' : 'Egress',
    pods: m.pods === null ? null : m.pods.flatMap((id) => (ipOf.has(id) ? [ipOf.get(id)!] : [])),
    ipBlocks:
      m.ipBlocks === null
        ? null
        : m.ipBlocks.flatMap((b) => {
            let subnets = [cidr(b.cidr)!];
            for (const ex of b.except) subnets = subnets.flatMap((s) => subtractSubnet(s, cidr(ex)!));
            return subnets;
          }),
    ports: m.ports.map((x) => ({ protocol: x.protocol, port: x.port })),
  }));
  return { id: p.id, type: p.type, matches };
}

/** The mock renderer's TestTraffic over one list: first match decides; no match = Unmatched. */
function testTraffic(list: readonly ContivRule[], c: FxTraffic): FxTraffic['expected'] {
  const m = firstMatchContiv(list, ip4(c.src), ip4(c.dst), c.protocol, c.dstPort);
  if (m.rule === -1) return 'Unmatched';
  return m.action === 'PERMIT' ? 'Allowed' : 'Denied';
}

function configure(t: FxTest): Map<string, PodRules> {
  const policies = new Map(t.input.policies.map((p) => [p.id, contivPolicy(t, p)]));
  const natLoopback = ip4(t.input.natLoopbackIP);
  const out = new Map<string, PodRules>();
  for (const [pod, ids] of Object.entries(t.input.configure)) {
    out.set(pod, podRules(ids.map((id) => policies.get(id)!), natLoopback));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

describe('contiv configurator_test.json', () => {
  test('the fixture holds 10 tests and 174 traffic checks', () => {
    expect(FIXTURE.tests).toHaveLength(10);
    expect(FIXTURE.tests.reduce((n, t) => n + t.expected.traffic.length, 0)).toBe(174);
  });

  describe.each(FIXTURE.tests.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    const rules = configure(t);

    test('TestTraffic verdicts (upstream-asserted)', () => {
      for (const [i, c] of t.expected.traffic.entries()) {
        const pr = rules.get(c.pod);
        // A pod the test never configured has no lists at all in the mock renderer.
        const list = pr ? (c.direction === 'EGRESS' ? pr.egress : pr.ingress) : [];
        const where = `traffic[${i}]${c.renderer ? ` (${c.renderer})` : ''}: ${c.pod} ${c.direction} ${c.src}->${c.dst} ${c.protocol}:${c.dstPort}`;
        expect.soft(testTraffic(list, c), where).toBe(c.expected);
      }
    });

    test('the pod IP handed to the renderer is the pod /32 (upstream-asserted)', () => {
      const ips = new Map(t.input.pods.filter((x) => x.ip !== '').map((x) => [`${x.namespace}/${x.name}`, ip4(x.ip)]));
      const given = Object.fromEntries([...rules.keys()].filter((k) => ips.has(k)).map((k) => [k, cidrString(hostNet(ips.get(k)!))]));
      expect(given).toEqual(t.expected.podIPsGivenToRenderer);
    });

    test('rule lists equal the fixture\'s derivedRules in generation order (derived, not asserted upstream)', () => {
      // Both keep §10.5's order: appended as generated, an equal rule not added twice.
      expect(Object.keys(t.expected.derivedRules).sort()).toEqual([...rules.keys()].sort());
      for (const [pod, d] of Object.entries(t.expected.derivedRules)) {
        const ours = rules.get(pod)!;
        expect(ours.egress.map(fx), `${pod} egress`).toEqual(d.egress.map(toRule).map(fx));
        expect(ours.ingress.map(fx), `${pod} ingress`).toEqual(d.ingress.map(toRule).map(fx));
        // The mock renderer's match compares srcPort too; ignoring it (firstMatchContiv) is sound because no
        // generated rule restricts the source port.
        for (const r of [...ours.egress, ...ours.ingress]) expect(r.srcPort).toBe(0);
      }
    });
  });
});
