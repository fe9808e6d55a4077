// Coverage that steers (issue 12, item 4): what there is to cover per profile, that a modest seeded run of the
// catalogue covers all of it, that steering leans generation toward rare features without changing what a
// counterexample is (seed, path and bias replay it; shrinking is the plain one), and that reports and the history
// page say what was hit and what was not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { addCoverage, coverageUniverse, runCoverage, summarizeCoverage } from '../../src/cli/coverage.ts';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { runProperty } from '../../src/cli/fuzz-runner.ts';
import { caseScore, featuresOf, parseBias, steeredArbitrary, Steering } from '../../src/cli/steering.ts';
import { caseFeatures, POLICY_FEATURES, policyFeatures } from '../../src/generators/features.ts';
import { ODD_KINDS } from '../../src/generators/odd-packets.ts';
import { PROPERTIES, propertyById } from '../../src/properties/index.ts';
import { NODES } from '../../src/reference/graph.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { corpusEntryProblem } from '../../src/cli/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-coverage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the universe', () => {
  test('graph nodes per profile, in the spelling of its traces', () => {
    const old = coverageUniverse({ profile: 'vpp-18.01-contiv', traces: true }).keys['graph nodes'];
    const cur = coverageUniverse({ profile: 'vpp-current', traces: true }).keys['graph nodes'];
    expect(old).toContain('nat44-out2in');
    expect(old).toContain('l2-input-classify');
    expect(cur).toContain('nat44-ed-out2in');
    expect(cur).not.toContain('nat44-out2in');
    expect(cur).not.toContain('l2-input-classify');
    // current VPP's own nodes (NAT44-ED, shallow reassembly, the drop record) are walked by vpp-current only
    for (const n of ['nat-pre-out2in', 'nat-pre-in2out-output', 'ip4-sv-reassembly-feature', 'ip4-sv-reassembly-output-feature', 'nat44-out2in-slowpath', 'nat44-classify', 'drop', 'l2-input-feat-arc', 'l2-input-feat-arc-end']) expect(old).not.toContain(n);
    expect(cur).toEqual(expect.arrayContaining(['nat-pre-out2in', 'nat44-ed-out2in-slowpath', 'nat44-ed-classify', 'ip4-sv-reassembly-feature', 'drop']));
    expect(old.length).toBe(Object.keys(NODES).length - 9);
  });

  test('drop reasons are the nodes’ own error strings; an adapter without traces has none to cover', () => {
    const u = coverageUniverse({ traces: true });
    expect(u.keys['drop reasons']).toContain(`drop ip4-input: ${NODES['ip4-input'].errors.badChecksum}`);
    expect(u.keys['drop reasons']).toContain(`drop l2-output: ${NODES['l2-output'].errors.shg}`);
    for (const k of Object.keys(u.unreachable)) expect([...u.keys['graph nodes'], ...u.keys['drop reasons'], ...u.keys['ACL rules']]).toContain(k);
    const none = coverageUniverse({ traces: false, divergences: ['d1'] });
    expect(none.keys['graph nodes']).toEqual([]);
    expect(none.keys['drop reasons']).toEqual([]);
    expect(none.keys['policy features']).toEqual(POLICY_FEATURES);
    expect(none.keys.divergences).toEqual(['divergence d1']);
  });

  test('unhit lists what is reachable and not hit; unreachable entries are not counted unless hit', () => {
    const u = coverageUniverse({ traces: true });
    const nodes = summarizeCoverage({ 'ip4-input': 3, 'some-vpp-node': 1 }, u).find((c) => c.category === 'graph nodes')!;
    expect(nodes.hit).toBe(1);
    expect(nodes.unhit).toContain('ip4-lookup');
    expect(nodes.unhit).not.toContain('ip4-arp'); // unreachable: not counted
    expect(nodes.total).toBe(u.keys['graph nodes'].length - 3); // ip4-arp, and the lab drivers' pg-input, af-packet-input
    expect(nodes.extra).toEqual(['some-vpp-node']);
    const withArp = summarizeCoverage({ 'ip4-arp': 1 }, u).find((c) => c.category === 'graph nodes')!;
    expect(withArp.hit).toBe(1);
    expect(withArp.total).toBe(u.keys['graph nodes'].length - 2);
  });
});

describe('static features of a case', () => {
  test('a policy’s API features', () => {
    const f = policyFeatures({
      name: 'p',
      namespace: 'default',
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 50, endPort: 60 }] }],
      egress: [],
    });
    expect([...f].sort()).toEqual(
      [
        'policy policyTypes Ingress+Egress',
        'policy podSelector NotIn',
        'policy ingress peer ipBlock except',
        'policy ingress port named',
        'policy ingress port protocol omitted',
        'policy ingress port range',
        'policy ingress port UDP',
        'policy egress rules empty',
      ].sort(),
    );
    for (const k of f) expect(POLICY_FEATURES).toContain(k);
  });

  test('cases of every property have features; odd packets by kind', () => {
    for (const p of PROPERTIES) {
      const [c] = fc.sample(p.arbitrary(), { seed: 3, numRuns: 1 });
      expect(caseFeatures(c).length, p.id).toBeGreaterThan(0);
    }
    const odd = fc.sample(propertyById('odd-packets-are-contained')!.arbitrary(), { seed: 3, numRuns: 50 });
    const kinds = new Set(odd.flatMap((c) => caseFeatures(c).filter((f) => f.startsWith('case odd '))));
    expect(kinds.size).toBeGreaterThan(ODD_KINDS.length / 2);
    expect(caseFeatures({ steps: [{ kind: 'fault', fault: 'tap-flap', target: 0, policy: 0 }, { kind: 'data', conn: 0, fromServer: false }] }).sort()).toEqual(['case fault tap-flap', 'case step data', 'case step fault']);
  });
});

describe('steering', () => {
  test('rare and productive features weigh more; the first chunk is plain; once all is seen every other chunk is', () => {
    const s = new Steering(['a', 'b', 'c']);
    expect(s.bias(0)).toBeUndefined();
    for (let i = 0; i < 9; i++) s.record(['a'], 0);
    s.record(['b'], 0);
    s.record(['b'], 3);
    const b = s.bias(1)!;
    expect(b.k).toBe(2);
    expect(b.weights.a).toBeCloseTo(1 / 10, 4);
    expect(b.weights.b).toBe(1); // (1 + 3 new keys) / (1 + 2 cases), capped at 1
    expect(b.weights.c).toBeUndefined(); // never seen: weighs 1
    expect(s.bias(2)).toBeDefined(); // 'c' unhit: every chunk steered
    s.record(['c'], 0);
    expect(s.bias(2)).toBeUndefined();
    expect(s.bias(3)).toBeDefined();
    expect(caseScore({ packets: [{ kind: 'ttl' }] }, { k: 2, weights: { 'case odd ttl': 0.5 } })).toBeCloseTo(0.5 + 0.5 / 20, 6);
  });

  test('a steered arbitrary keeps the most wanted of k candidates and shrinks as the plain one', () => {
    const arb = fc.integer({ min: 0, max: 1000 }).map((n) => ({ packets: [{ kind: n % 2 ? 'odd' : 'even' }], n }));
    const bias = { k: 4, weights: { 'case odd even': 0.01 } };
    const picked = fc.sample(steeredArbitrary(arb, bias), { seed: 5, numRuns: 200 });
    const plain = fc.sample(arb, { seed: 5, numRuns: 200 });
    const odd = (xs: { n: number }[]): number => xs.filter((x) => x.n % 2).length;
    expect(odd(picked)).toBeGreaterThan(odd(plain));
    // the same shrinking: a failure on n ≥ 500 shrinks to the smallest odd or even n ≥ 500
    const out = fc.check(fc.property(steeredArbitrary(arb, bias), (c) => c.n < 500), { seed: 5 });
    expect(out.failed).toBe(true);
    expect(out.counterexample![0].n).toBe(500);
    expect(steeredArbitrary(arb, undefined)).toBe(arb);
  });

  test('a steered counterexample replays from its fast-check seed, path and recorded bias', async () => {
    const p = propertyById('session-expiry-on-virtual-clock')!;
    const r = await runProperty(p, createAdapter('mutant:session-timeout-too-short'), { seed: 2, runs: 300, chunk: 25, interrupted: () => false });
    const cx = r.counterexamples[0]!;
    expect(cx.steer).toBeDefined();
    const bias = parseBias(JSON.parse(JSON.stringify(cx.steer)));
    const again = fc.sample(steeredArbitrary(p.arbitrary(), bias), { seed: cx.seed, path: cx.path, numRuns: 1 })[0];
    expect(again).toEqual(cx.case);
    expect(parseBias({ k: 2, weights: { a: 'x' } })).toBeUndefined();
    // a corpus entry's bias is checked like the rest of case.json
    const entry = { id: 'x1', property: p.id, adapter: 'reference', case: {} };
    expect(corpusEntryProblem({ ...entry, steer: cx.steer })).toBeUndefined();
    expect(corpusEntryProblem({ ...entry, steer: { k: 2, weights: { a: 'x' } } })).toMatch(/^steer: expected/);
    expect(parseBias({ k: 99, weights: {} })).toBeUndefined();
  });

  test('steering raises the count of the rarest policy features (fixed seed and budget)', async () => {
    const p = propertyById('connection-verdict-equals-policy')!;
    const rarest = async (steer: boolean): Promise<number> => {
      const r = await runProperty(p, new ReferenceAdapter(), { seed: 11, runs: 600, chunk: 25, interrupted: () => false, steer });
      const counts = POLICY_FEATURES.map((k) => r.coverage[k] ?? 0).sort((a, b) => a - b);
      return counts[0]! + counts[1]! + counts[2]!;
    };
    const [steered, plain] = [await rarest(true), await rarest(false)];
    expect(steered).toBeGreaterThan(plain * 1.2);
  });

  test('features are computed once per case object', () => {
    const c = { packets: [{ kind: 'ttl' }] };
    expect(featuresOf(c)).toBe(featuresOf(c));
  });
});

describe('a seeded run of the whole catalogue covers the model', () => {
  test.each(['vpp-18.01-contiv', 'vpp-current'] as const)('%s: every reachable graph node, drop reason, ACL rule kind and policy feature', async (profile) => {
    const adapter = new ReferenceAdapter({ profile });
    const total: Record<string, number> = {};
    for (const p of PROPERTIES) addCoverage(total, (await runProperty(p, adapter, { seed: 7, runs: 250, chunk: 25, interrupted: () => false })).coverage);
    const summary = summarizeCoverage(total, coverageUniverse({ profile, traces: true }));
    for (const c of summary) if (c.total > 0) expect(c.unhit, c.category).toEqual([]);
    expect(summary.find((c) => c.category === 'drop reasons')!.hit).toBeGreaterThan(20);
  }, 120_000);
});

describe('reports say what was covered', () => {
  test('console, summary.md, report.html and the history page list unhit entries; --no-steer is recorded', async () => {
    const out = join(dir, 'reports');
    const lines: string[] = [];
    const r = await runFuzz({ adapter: 'reference', runs: '30', seed: '4', out, corpus: false, property: ['vxlan-wire-format'] }, (l) => lines.push(l));
    const cov = runCoverage(r.result);
    const drops = cov.summary.find((c) => c.category === 'drop reasons')!;
    expect(drops.unhit.length).toBeGreaterThan(0); // one property does not reach the odd drops
    expect(r.result.info.coverageScope).toEqual({ profile: 'vpp-18.01-contiv', traces: true, divergences: [] });
    const md = readFileSync(join(r.folder, 'summary.md'), 'utf8');
    expect(md).toContain('## Coverage');
    expect(md).toContain(`| drop reasons | ${drops.hit}/${drops.total} |`);
    expect(md).toContain(`\`${drops.unhit[0]}\``);
    const html = readFileSync(join(r.folder, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Coverage</h2>');
    expect(html).toContain(drops.unhit[0]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const plain = await runFuzz({ adapter: 'reference', runs: '30', seed: '4', out, corpus: false, property: ['vxlan-wire-format'], steer: false }, () => {});
    expect(plain.result.info.steer).toBe(false);
    const history = readFileSync(join(out, 'index.html'), 'utf8');
    expect(history).toContain('Coverage across runs');
    expect(history).toMatch(/<td><code>reference\(vpp-18\.01-contiv\)<\/code><\/td><td class="n">2<\/td>/);
  });
});
