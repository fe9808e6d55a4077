// sessions-equal-model (issue 14 item 3): valid on the model itself (both profiles), invalid on a model that forgets
// the NAT sessions it should keep or keeps an ACL session too many (claims naming node, table, key, both sides),
// unknown on an adapter that cannot report its sessions; the model's tables in the text forms adapters share.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SESSION_FORMS, sessionStateDiff, type Adapter } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { MutantAdapter } from '../../src/adapters/reference/mutant-adapter.ts';
import { CHECK_CONTEXT } from '../../src/cli/fuzz-runner.ts';
import { mutantById } from '../../src/reference/mutants/index.ts';
import { sessionsEqualModel } from '../../src/properties/sessions-equal-model.ts';
import type { Verdict } from '../../src/properties/types.ts';
import type { ClusterCase } from '../../src/properties/harness.ts';
import { CLIENT_AND_WEB } from '../support/clusters.ts';

const SEED = 1414;

/** The verdicts of `runs` generated cases on the adapter (pinned seed). */
async function verdicts(adapter: Adapter, runs: number): Promise<Verdict[]> {
  const cases = fc.sample(sessionsEqualModel.arbitrary(), { numRuns: runs, seed: SEED });
  const out: Verdict[] = [];
  for (const c of cases) out.push(await sessionsEqualModel.check(c, adapter, CHECK_CONTEXT));
  return out;
}

/** client -> web-a TCP/80 across nodes, then client -> web-b on the same node. */
const CASE: ClusterCase = {
  cluster: CLIENT_AND_WEB,
  connections: [
    { from: 0, to: 1, protocol: 'TCP', port: 80 },
    { from: 0, to: 2, protocol: 'TCP', port: 80 },
  ],
};

describe('sessions-equal-model', () => {
  test.each(['vpp-18.01-contiv', 'vpp-current'] as const)('valid on the reference model itself (%s), and never unknown there', async (profile) => {
    const v = await verdicts(new ReferenceAdapter({ profile }), 30);
    expect(v.filter((x) => x.status !== 'valid')).toEqual([]);
  });

  test('the model reports sessions in the shared text forms, and a connection leaves sessions on both nodes', async () => {
    const a = new ReferenceAdapter({ profile: 'vpp-current' });
    const cases = fc.sample(sessionsEqualModel.arbitrary(), { numRuns: 10, seed: SEED });
    let seen = 0;
    for (const c of cases) {
      await sessionsEqualModel.check(c, a, CHECK_CONTEXT);
      const s = await a.sessionState();
      for (const [table, entries] of Object.entries(s)) {
        expect(table).toMatch(/^node \d+ (acl|nat44)$/);
        for (const [k, v] of Object.entries(entries)) {
          seen++;
          if (table.endsWith(' acl')) {
            expect(k).toMatch(SESSION_FORMS.aclKey);
            expect(v).toMatch(SESSION_FORMS.aclValue);
          } else {
            expect(k).toMatch(SESSION_FORMS.natKey);
            expect(v).toMatch(SESSION_FORMS.natValue);
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  test.each(['nat-session-not-recorded', 'acl-session-extra'])('invalid on the mutant %s, each claim naming node, table, key and both sides', async (id) => {
    const v = await verdicts(new MutantAdapter(mutantById(id)!), 30);
    const invalid = v.filter((x): x is Extract<Verdict, { status: 'invalid' }> => x.status === 'invalid');
    expect(invalid.length).toBeGreaterThan(0);
    expect(v.filter((x) => x.status === 'unknown')).toEqual([]);
    for (const x of invalid) {
      for (const c of x.claims) {
        expect(c.code).toBe('session-differs');
        expect(c.point).toMatch(/^node \d+$/);
        expect(c.layer).toBe(id.startsWith('nat') ? 'nat44' : 'acl');
        expect(c.field).toMatch(id.startsWith('nat') ? SESSION_FORMS.natKey : SESSION_FORMS.aclKey);
        // the NAT mutant forgets (only the model holds it); the ACL one adds (only the mutant holds it)
        expect(id.startsWith('nat') ? c.received : c.expected).toBe('(none)');
        expect(c.message).toContain(c.field!);
        expect(c.exchange).toMatch(/^(request|reply)$/);
      }
    }
  });

  test('a claim of the extra ACL session reads as the data path holding it and the model not', async () => {
    const v = await sessionsEqualModel.check(CASE, new MutantAdapter(mutantById('acl-session-extra')!), CHECK_CONTEXT);
    expect(v.status).toBe('invalid');
    if (v.status !== 'invalid') return;
    // the client's SYN: its session on the client's TAP gets a mirror image
    expect(v.claims[0]!.message).toMatch(/^default\/client -> default\/web-[ab] TCP\/80: after the request, node 1's acl sessions hold tap\d+ 6 10\.1\.\d\.\d:80 -> 10\.1\.1\.2:40000 \(tcp flags out 0x2 in 0x0\), the model's do not$/);
  });

  test('unknown (never valid) on an adapter that cannot report its sessions', async () => {
    const r = new ReferenceAdapter();
    const blind: Adapter = { name: 'blind', capabilities: r.capabilities, setup: (t, o) => r.setup(t, o), apply: (a) => r.apply(a), inject: (f) => r.inject(f), reset: () => r.reset(), teardown: () => r.teardown() };
    const v = await sessionsEqualModel.check(CASE, blind, CHECK_CONTEXT);
    expect(v).toEqual({ status: 'unknown', reason: 'blind cannot report its session tables' });
  });

  test('unknown (never valid) when the case has no connection to send: no table was compared', async () => {
    const v = await sessionsEqualModel.check({ cluster: CLIENT_AND_WEB, connections: [] }, new ReferenceAdapter(), CHECK_CONTEXT);
    expect(v).toEqual({ status: 'unknown', reason: 'the case has no connection between pods: no session table was compared' });
  });

  test('sessionStateDiff names the table and key, and the side a session is missing from', () => {
    const a = { 'node 1 acl': { k1: '-', k2: 'tcp flags out 0x12 in 0x2' }, 'node 1 nat44': {} };
    const b = { 'node 1 acl': { k2: 'tcp flags out 0x10 in 0x2', k3: '-' } };
    expect(sessionStateDiff(a, b)).toEqual([
      { table: 'node 1 acl', key: 'k1', expected: '-' },
      { table: 'node 1 acl', key: 'k2', expected: 'tcp flags out 0x12 in 0x2', received: 'tcp flags out 0x10 in 0x2' },
      { table: 'node 1 acl', key: 'k3', received: '-' },
    ]);
    expect(sessionStateDiff(a, a)).toEqual([]);
  });
});
