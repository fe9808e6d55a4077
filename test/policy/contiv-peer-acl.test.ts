// Reproduces contiv/vpp's ACL-renderer expectations (acl_renderer_test.go through mock/aclengine; their facts,
// our code): fixture test/fixtures/contiv-peer/acl_renderer_test.json, checked against our tables and toAclRule.
import { join } from 'node:path';
import { cidr, fx, readFixture, sorted, toRule, type FxRule } from './contiv-peer-support.ts';
import { describe, expect, test } from 'vitest';
import { ip4, ip4ToString } from '../../src/packet/index.ts';
import { toAclRule } from '../../src/policy/contiv/render.ts';
import { net, netContains, rulesEqual, type ContivRule, type Net } from '../../src/policy/contiv/rules.ts';
import type { PolicyVerdict } from '../../src/policy/contiv/semantics.ts';
import { globalTable, localTable, type LocalPod } from '../../src/policy/contiv/tables.ts';
import type { AclRule } from '../../src/reference/state/acl.ts';

// ---------------------------------------------------------------------------------------------------
// Fixture shape and adapters

interface FxRender {
  pod: string;
  ip: string;
  ingress: FxRule[];
  egress: FxRule[];
  removed: boolean;
}
type MockVerdict = 'Allow' | 'DenySyn' | 'DenySynAck';
interface FxTraffic {
  src: string;
  srcPod: string | null;
  srcLocation: 'local' | 'remote' | 'external';
  dst: string;
  dstPod: string | null;
  dstLocation: 'local' | 'remote' | 'external';
  protocol: 'TCP' | 'UDP' | 'OTHER';
  srcPort: number;
  dstPort: number;
  expected: MockVerdict;
  changedFromPreviousPhase?: boolean;
}
interface FxPhaseExpected {
  committedTxns?: number;
  pendingTxns?: number;
  noChange?: boolean;
  numACLs?: number;
  numACLChanges?: number;
  sharedLocalACL?: string[];
  reflectiveACL?: { present?: false; attachedInboundTo?: string[]; onNodeOutputInterfaces?: boolean; notOnPodInterfaces?: string[] };
  globalACL?: { present: boolean; attachedOutboundTo?: string[]; attachedInboundTo?: string[] };
  traffic?: FxTraffic[];
  derivedTables?: { local: Record<string, FxRule[]>; global: FxRule[] };
}
interface FxTest {
  name: string;
  input: {
    pods: { name: string; namespace: string; ip: string; node: string; interface: string | null }[];
    phases: { resync: boolean; restartRenderer?: boolean; runtimeResync?: boolean; renders: FxRender[] }[];
  };
  expected: { phases: FxPhaseExpected[] };
}

const FIXTURE = readFixture<{ tests: FxTest[] }>('acl_renderer_test.json');


// ---------------------------------------------------------------------------------------------------
// Node 1's ACL configuration. The tables come from our localTable/globalTable and every rule from our
// toAclRule; the sharing and attachment rule mirrors renderCluster (src/policy/contiv/render.ts), which needs a
// whole Kubernetes cluster and so cannot take the fixture's rule lists: identical local tables are one ACL on
// the output of their pods' TAPs; the Global ACL (when the global table is non-empty) on the output of the
// node's uplinks; the Reflective ACL on the input of isolated pods' TAPs and, when the global table is
// non-empty, of the uplinks. The mock's uplink names map to ours: VPP-Host = tap0, GbE = the main NIC,
// VXLAN-BVI = loop0 (the BVI of the VXLAN bridge domain).

const UPLINKS = ['VPP-Host', 'GbE', 'VXLAN-BVI'];
const REFLECTIVE_RULE: AclRule = { action: 2, proto: 0, sport: [0, 65535], dport: [0, 65535] };

interface NodeAcl {
  kind: 'local' | 'global' | 'reflective';
  rules: AclRule[];
  /** interfaces with this ACL on input / output */
  input: string[];
  output: string[];
}
interface NodeConfig {
  local: Map<string, ContivRule[]>;
  global: ContivRule[];
  acls: NodeAcl[];
  inputOf: Map<string, NodeAcl>;
  outputOf: Map<string, NodeAcl>;
}

type PodState = Map<string, { ip: number; rules: LocalPod['rules'] }>;

function render(pods: PodState, tapOf: (pod: string) => string): NodeConfig {
  const all = [...pods.values()].map((p): LocalPod => ({ ip: p.ip, rules: p.rules }));
  const local = new Map([...pods].map(([k, p]) => [k, localTable({ ip: p.ip, rules: p.rules }, all)] as const));
  const global = globalTable(all);
  const isolated = [...local].filter(([, t]) => t.length > 0);
  const acls: NodeAcl[] = [];
  const shared: { table: ContivRule[]; acl: NodeAcl }[] = [];
  for (const [pod, t] of isolated) {
    let s = shared.find((x) => rulesEqual(x.table, t));
    if (!s) {
      s = { table: t, acl: { kind: 'local', rules: t.map(toAclRule), input: [], output: [] } };
      shared.push(s);
      acls.push(s.acl);
    }
    s.acl.output.push(tapOf(pod));
  }
  if (global.length > 0) acls.push({ kind: 'global', rules: global.map(toAclRule), input: [], output: [...UPLINKS] });
  const reflectIn = [...isolated.map(([pod]) => tapOf(pod)), ...(global.length > 0 ? UPLINKS : [])];
  if (reflectIn.length > 0) acls.push({ kind: 'reflective', rules: [REFLECTIVE_RULE], input: reflectIn, output: [] });
  const inputOf = new Map<string, NodeAcl>();
  const outputOf = new Map<string, NodeAcl>();
  for (const a of acls) {
    for (const i of a.input) {
      expect(inputOf.has(i), `one input ACL per interface (${i})`).toBe(false);
      inputOf.set(i, a);
    }
    for (const o of a.output) {
      expect(outputOf.has(o), `one output ACL per interface (${o})`).toBe(false);
      outputOf.set(o, a);
    }
  }
  return { local, global, acls, inputOf, outputOf };
}

/** ACL identity for the change count: a local ACL is its table; the other two are one per node. */
function aclSnapshot(c: NodeConfig): Map<string, string> {
  return new Map(c.acls.map((a) => [a.kind === 'local' ? `local ${JSON.stringify(a.rules)}` : a.kind, JSON.stringify({ rules: a.rules, input: sorted(a.input), output: sorted(a.output) })]));
}

// ---------------------------------------------------------------------------------------------------
// mock/aclengine's connection test, as the fixture notes (4) describe it (and as aclengine_mock.go does it):
// SYN through the source interface's input ACL and the destination interface's output ACL, SYN-ACK (addresses
// and ports swapped) through the destination's input ACL and the source's output ACL; no ACL = permit; no
// matching rule = deny; a reflect match on the SYN path exempts that interface from the return-direction check
// (when source and destination interface are the same, from the SYN's output check too). That last case is
// what makes the fixture's pod-to-itself checks Allow even where the pod's own local table denies its own
// address (e.g. pod3 -> pod3 UDP:161 against DENY 10.10.2.1/32); real pod-to-itself traffic never reaches the
// vswitch, and podflow's connection generators leave it out.

type AclAction = 'deny' | 'permit' | 'reflect';

function evalAcl(acl: NodeAcl | undefined, src: number, dst: number, protocol: FxTraffic['protocol'], dstPort: number): AclAction {
  if (!acl) return 'permit';
  for (const r of acl.rules) {
    if (!netContains(r.src, src) || !netContains(r.dst, dst)) continue;
    if (r.proto !== 0) {
      // A TCP (6) or UDP (17) section; the mock refuses rules whose source-port range is not all ports.
      if (r.proto !== 6 && r.proto !== 17) throw new Error(`rule with protocol ${r.proto}: neither ANY, TCP nor UDP`);
      if (r.sport[0] !== 0 || r.sport[1] !== 65535) throw new Error('rule with a restricted source-port range');
      if (protocol !== (r.proto === 6 ? 'TCP' : 'UDP')) continue;
      if (dstPort < r.dport[0] || dstPort > r.dport[1]) continue;
    }
    return r.action === 0 ? 'deny' : r.action === 1 ? 'permit' : 'reflect';
  }
  return 'deny';
}

function connect(c: NodeConfig, srcIf: string, dstIf: string, t: FxTraffic): MockVerdict {
  const src = ip4(t.src);
  const dst = ip4(t.dst);
  let srcReflected = false;
  let dstReflected = false;
  const a = evalAcl(c.inputOf.get(srcIf), src, dst, t.protocol, t.dstPort);
  if (a === 'deny') return 'DenySyn';
  if (a === 'reflect') {
    srcReflected = true;
    if (srcIf === dstIf) dstReflected = true;
  }
  if (!dstReflected) {
    const b = evalAcl(c.outputOf.get(dstIf), src, dst, t.protocol, t.dstPort);
    if (b === 'deny') return 'DenySyn';
    if (b === 'reflect') {
      dstReflected = true;
      if (srcIf === dstIf) srcReflected = true;
    }
  }
  if (!dstReflected && evalAcl(c.inputOf.get(dstIf), dst, src, t.protocol, t.srcPort) === 'deny') return 'DenySynAck';
  if (!srcReflected && evalAcl(c.outputOf.get(srcIf), dst, src, t.protocol, t.srcPort) === 'deny') return 'DenySynAck';
  return 'Allow';
}

/** The mock's vocabulary in ours: the first packet's verdict, and the reply's when the first got through. */
function ourVerdicts(v: MockVerdict): { request: PolicyVerdict; reply?: PolicyVerdict } {
  return v === 'DenySyn' ? { request: 'deny' } : { request: 'allow', reply: v === 'Allow' ? 'allow' : 'deny' };
}

// ---------------------------------------------------------------------------------------------------

describe('contiv acl_renderer_test.json', () => {
  test('the fixture holds 7 tests and 284 connection checks', () => {
    expect(FIXTURE.tests).toHaveLength(7);
    expect(FIXTURE.tests.reduce((n, t) => n + t.expected.phases.reduce((m, p) => m + (p.traffic?.length ?? 0), 0), 0)).toBe(284);
  });

  test.each(FIXTURE.tests.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    const tapByPod = new Map(t.input.pods.filter((p) => p.interface).map((p) => [`${p.namespace}/${p.name}`, p.interface!]));
    const tapOf = (pod: string): string => tapByPod.get(pod) ?? expect.fail(`no TAP for ${pod}`);
    const ifaceOf = (pod: string | null, loc: FxTraffic['srcLocation']): string => (loc === 'local' ? tapOf(pod!) : 'VXLAN-BVI');
    expect(t.input.phases.length).toBe(t.expected.phases.length);

    let pods: PodState = new Map();
    let prev: NodeConfig | undefined;
    let aclChanges = 0;
    t.input.phases.forEach((ph, i) => {
      const label = `${t.name} phase ${i + 1}`;
      const exp = t.expected.phases[i]!;
      // A resync transaction (also the first one of a restarted renderer) replaces the whole configuration:
      // pods it does not mention are removed. Otherwise renders update or remove single pods.
      pods = ph.resync ? new Map() : new Map(pods);
      for (const r of ph.renders) {
        if (r.removed) pods.delete(r.pod);
        else pods.set(r.pod, { ip: cidr(r.ip)!.network, rules: { egress: r.egress.map(toRule), ingress: r.ingress.map(toRule) } });
      }
      const c = render(pods, tapOf);

      // committedTxns / pendingTxns count the ACL renderer's transactions (and restart the count with a new
      // renderer instance): renderer-implementation plumbing, not asserted here.

      if (exp.noChange) {
        // The repeated identical Render produced no transaction: nothing to change in the configuration.
        expect(prev, label).toBeDefined();
        expect(aclSnapshot(c), `${label}: configuration unchanged`).toEqual(aclSnapshot(prev!));
      }

      // Cumulative ACL Put/Delete count in the mock: a resync transaction puts every ACL; an incremental one
      // puts each new or changed ACL (rules or interfaces) and deletes each one that went away.
      const now = aclSnapshot(c);
      if (ph.resync) aclChanges += now.size;
      else {
        const before = prev ? aclSnapshot(prev) : new Map<string, string>();
        for (const k of new Set([...before.keys(), ...now.keys()])) if (before.get(k) !== now.get(k)) aclChanges++;
      }
      if (exp.numACLChanges !== undefined) expect(aclChanges, `${label}: ACL changes`).toBe(exp.numACLChanges);

      if (exp.numACLs !== undefined) expect(c.acls.length, `${label}: number of ACLs`).toBe(exp.numACLs);

      if (exp.sharedLocalACL) {
        const acls = new Set(exp.sharedLocalACL.map((p) => c.outputOf.get(tapOf(p))));
        expect(acls.size, `${label}: ${exp.sharedLocalACL.join(', ')} share one local ACL`).toBe(1);
        expect([...acls][0]?.kind, label).toBe('local');
      }

      // Local-table ACLs sit on the output of exactly their pods' TAPs.
      for (const [pod, table] of c.local) {
        const out = c.outputOf.get(tapOf(pod));
        if (table.length === 0) expect(out, `${label}: ${pod} has no local ACL`).toBeUndefined();
        else expect(out?.rules, `${label}: ${pod}'s TAP output ACL`).toEqual(table.map(toAclRule));
      }

      if (exp.globalACL) {
        const g = c.acls.filter((a) => a.kind === 'global');
        expect(g.length, `${label}: Global ACL present`).toBe(exp.globalACL.present ? 1 : 0);
        if (exp.globalACL.present) {
          expect(sorted(g[0]!.output), `${label}: Global ACL outbound`).toEqual(sorted(exp.globalACL.attachedOutboundTo!));
          expect(sorted(g[0]!.input), `${label}: Global ACL inbound`).toEqual(sorted(exp.globalACL.attachedInboundTo!));
        }
      }

      if (exp.reflectiveACL) {
        const r = c.acls.filter((a) => a.kind === 'reflective');
        if (exp.reflectiveACL.present === false) expect(r, `${label}: no Reflective ACL`).toHaveLength(0);
        else {
          expect(r, `${label}: one Reflective ACL`).toHaveLength(1);
          const acl = r[0]!;
          expect(acl.rules, `${label}: Reflective ACL shape`).toEqual([{ action: 2, proto: 0, sport: [0, 65535], dport: [0, 65535] }]);
          expect(acl.output, `${label}: Reflective ACL has no output attachment`).toEqual([]);
          expect(sorted(acl.input), `${label}: Reflective ACL inbound`).toEqual(sorted(exp.reflectiveACL.attachedInboundTo!));
          expect(UPLINKS.every((u) => acl.input.includes(u)), `${label}: Reflective ACL on the uplinks`).toBe(exp.reflectiveACL.onNodeOutputInterfaces);
          for (const tap of exp.reflectiveACL.notOnPodInterfaces ?? []) expect(c.inputOf.get(tap), `${label}: no input ACL on ${tap}`).toBeUndefined();
        }
      }

      if (exp.derivedTables) {
        // Not asserted upstream: the fixture's §10.7/§10.8 prediction of the tables behind the ACLs.
        const localDerived = Object.fromEntries([...c.local].filter(([, tb]) => tb.length > 0).map(([k, tb]) => [k, tb.map(fx)]));
        expect(localDerived, `${label}: local tables (derived)`).toEqual(exp.derivedTables.local);
        expect(c.global.map(fx), `${label}: global table (derived)`).toEqual(exp.derivedTables.global);
      }

      for (const [j, tr] of (exp.traffic ?? []).entries()) {
        const srcIf = ifaceOf(tr.srcPod, tr.srcLocation);
        const dstIf = ifaceOf(tr.dstPod, tr.dstLocation);
        const where = `${label} traffic[${j}]: ${tr.srcPod ?? tr.src} -> ${tr.dstPod ?? tr.dst} ${tr.protocol}:${tr.dstPort} (expected ${tr.expected})`;
        expect.soft(ourVerdicts(connect(c, srcIf, dstIf, tr)), where).toEqual(ourVerdicts(tr.expected));
        // Upstream's "changed" markers: the same check under the previous phase's configuration.
        if (tr.changedFromPreviousPhase !== undefined && prev) {
          expect.soft(connect(prev, srcIf, dstIf, tr) !== connect(c, srcIf, dstIf, tr), `${where}: changed from the previous phase`).toBe(tr.changedFromPreviousPhase);
        }
      }
      prev = c;
    });
  });
});
