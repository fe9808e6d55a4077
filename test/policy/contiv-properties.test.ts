// Properties of Contiv's rendering on generated clusters (docs/datapath.md §5, §10, §12.2): the data path
// delivers a fresh connection's first packet iff the decision formula over the rendered tables says so,
// and every response of an allowed connection; verdicts do not depend on whether client and server share a
// node, nor on policy or pod order; identical tables share one ACL; output policy ACL ⇔ Reflective ACL on input.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { allConnections, clusterArb, connectionSpecArb, resolveConnection } from '../../src/generators/cluster.ts';
import { renderCluster, REFLECTION_TAG, type RenderedCluster } from '../../src/policy/contiv/render.ts';
import { compareRules } from '../../src/policy/contiv/rules.ts';
import { ContivDataPath, contivFormula, outcomeVerdict } from '../../src/policy/contiv/semantics.ts';
import type { Cluster, Connection } from '../../src/policy/types.ts';

const RUNS = 200;

function verdictMatrix(cluster: Cluster, r: RenderedCluster): string[] {
  return allConnections(cluster).map((c) => `${c.src && 'pod' in c.src ? c.src.pod : ''}>${'pod' in c.dst ? c.dst.pod : ''} ${c.protocol}/${c.port}: ${contivFormula(r, c)}`);
}

describe('the data path enforces what the rendered tables say', () => {
  test.prop([clusterArb(), fc.array(connectionSpecArb, { minLength: 1, maxLength: 6 })], { seed: 4101, numRuns: RUNS })(
    'first packet delivered iff the formula allows; responses of allowed connections delivered (TCP, UDP, SCTP; 18.01)',
    (cluster, specs) => {
      const r = renderCluster(cluster);
      const dp = new ContivDataPath(cluster, r, 'vpp-18.01-contiv');
      for (const spec of specs) {
        const conn = resolveConnection(cluster, spec);
        if (!conn) continue;
        dp.reset();
        const { request, reply } = dp.connect(conn);
        expect(outcomeVerdict(request), JSON.stringify(conn)).toBe(contivFormula(r, conn));
        // ICMP replies are judged by rules in 18.01 (D8): checked in the vpp-current property below.
        if (reply && conn.protocol !== 'ICMP') expect(reply, `reply of ${JSON.stringify(conn)}`).toMatchObject({ kind: 'delivered' });
      }
    },
  );

  test.prop([clusterArb(), fc.array(connectionSpecArb, { minLength: 1, maxLength: 6 })], { seed: 4102, numRuns: RUNS })(
    'vpp-current: the same first-packet verdicts, and every reply of an allowed connection, ICMP included, is delivered',
    (cluster, specs) => {
      const r = renderCluster(cluster);
      const dp = new ContivDataPath(cluster, r, 'vpp-current');
      for (const spec of specs) {
        const conn = resolveConnection(cluster, spec);
        if (!conn) continue;
        dp.reset();
        const { request, reply } = dp.connect(conn);
        expect(outcomeVerdict(request)).toBe(contivFormula(r, conn));
        if (reply) expect(reply, `reply of ${JSON.stringify(conn)}`).toMatchObject({ kind: 'delivered' });
      }
    },
  );
});

describe('metamorphic and structural properties of the rendering', () => {
  test.prop([clusterArb({ ipBlocks: 'node-independent' }), connectionSpecArb], { seed: 4103, numRuns: RUNS })(
    'the verdict is the same whether client and server share a node or not (local vs global tables)',
    (cluster, spec) => {
      const conn = resolveConnection(cluster, spec);
      if (!conn) return;
      const name = (c: Connection['src']): string => ('pod' in c ? c.pod : '');
      const place = (sameNode: boolean): Cluster => {
        const client = cluster.pods.find((p) => `${p.namespace}/${p.name}` === name(conn.src))!;
        return { ...cluster, pods: cluster.pods.map((p) => (`${p.namespace}/${p.name}` === name(conn.dst) ? { ...p, nodeName: sameNode ? client.nodeName : client.nodeName === 'node-1' ? 'node-2' : 'node-1' } : p)) };
      };
      const same = place(true);
      const cross = place(false);
      expect(contivFormula(renderCluster(same), conn)).toBe(contivFormula(renderCluster(cross), conn));
    },
  );

  test.prop([clusterArb(), fc.nat(), fc.nat()], { seed: 4104, numRuns: RUNS })('tables and verdicts do not depend on the order of policies or pods', (cluster, a, b) => {
    // Pin the IPs first: allocation order is pod order, and ipBlocks see addresses.
    const r0 = renderCluster(cluster);
    const pinned: Cluster = { ...cluster, pods: cluster.pods.map((p) => ({ ...p, ip: numToIp(r0.podByKey.get(`${p.namespace}/${p.name}`)!.ip) })) };
    const r1 = renderCluster(pinned);
    const rotate = <T,>(xs: T[], k: number): T[] => (xs.length === 0 ? xs : [...xs.slice(k % xs.length), ...xs.slice(0, k % xs.length)].reverse());
    const shuffled: Cluster = { ...pinned, pods: rotate(pinned.pods, a), policies: rotate(pinned.policies, b) };
    const r2 = renderCluster(shuffled);
    for (const [key, p] of r1.podByKey) {
      const q = r2.podByKey.get(key)!;
      expect(q.local.length, key).toBe(p.local.length);
      q.local.forEach((rule, i) => expect(compareRules(rule, p.local[i]!), key).toBe(0));
    }
    for (const n of r1.nodes) expect(r2.nodes.find((m) => m.id === n.id)!.global.map((x) => JSON.stringify(x))).toEqual(n.global.map((x) => JSON.stringify(x)));
    expect(verdictMatrix(shuffled, r2).sort()).toEqual(verdictMatrix(pinned, r1).sort());
  });

  test.prop([clusterArb({ maxPods: 8 })], { seed: 4105, numRuns: RUNS })('pods of a node with identical tables share one ACL; different tables never share', (cluster) => {
    const r = renderCluster(cluster);
    for (const n of r.nodes) {
      const isolated = n.pods.filter((p) => p.local.length > 0);
      for (const p of isolated)
        for (const q of isolated) {
          const same = p.local.length === q.local.length && p.local.every((x, i) => compareRules(x, q.local[i]!) === 0);
          expect(p.aclIndex === q.aclIndex, `${p.key} / ${q.key}`).toBe(same);
        }
      expect(n.pods.filter((p) => p.local.length === 0).every((p) => p.aclIndex === undefined)).toBe(true);
    }
  });

  test.prop([clusterArb()], { seed: 4106, numRuns: RUNS })('an interface has an output policy ACL iff it has the Reflective ACL on input (pairing, P1)', (cluster) => {
    const r = renderCluster(cluster);
    for (const n of r.nodes) {
      const reflection = n.acls.find((a) => a.tag === REFLECTION_TAG)?.index;
      for (const a of n.attach) expect(a.output.length > 0, a.interface).toBe(reflection !== undefined && a.input.includes(reflection));
      for (const [sw, out] of n.config.output) expect(n.config.input.get(sw)?.includes(reflection!), `sw_if_index ${sw}`).toBe(out.length > 0);
    }
  });
});

function numToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}
