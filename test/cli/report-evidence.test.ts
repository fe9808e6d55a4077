// Reports are written from what the check observed, for every kind of case (not only generated cluster cases):
// the verdict's claim, the received pcaps and the trace diff tell the same story, and nothing is re-run.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Adapter } from '../../src/adapters/adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { createAdapter } from '../../src/cli/adapters.ts';
import { counterexampleFiles, runFuzz } from '../../src/cli/fuzz.ts';
import { decodePcap } from '../../src/packet/pcap.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-evidence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let k = 0;

async function counterexample(adapter: string, property: string, make: (s: string) => Adapter = createAdapter) {
  let injected = 0;
  const counting = (s: string): Adapter => {
    const a = make(s);
    const inject = a.inject.bind(a);
    a.inject = async (f) => {
      injected += f.length;
      return inject(f);
    };
    return a;
  };
  const r = await runFuzz({ adapter, property: [property], runs: '300', seed: '2', out: join(dir, `r${++k}`), corpus: false }, () => {}, counting);
  expect(r.code).toBe(1);
  const cx = r.result.properties[0]!.counterexamples[0]!;
  const folder = join(r.folder, 'counterexamples', cx.id);
  return { cx, folder, files: readdirSync(folder), injected, read: (f: string) => readFileSync(join(folder, f), 'utf8') };
}

describe('counterexample folders from the evidence', () => {
  test('session expiry: the verdict says packet 2 was dropped, and the trace diff shows it dropped (no "identical")', async () => {
    const { cx, files, read } = await counterexample('mutant:session-timeout-too-short', 'session-expiry-on-virtual-clock');
    expect(cx.claims[0]).toMatchObject({ code: 'expiry', packet: 2, exchange: 'reply', received: 'dropped', expected: 'delivered' });
    const diff = read('trace-diff.txt');
    expect(diff).toMatch(/=== response of .* \(expected packet 2, received packet 2\)\nfirst divergence: node \d+, record #\d+ acl-plugin-out-ip4-fa, field action/);
    expect(diff).toMatch(/received: dropped on node \d+ at acl-plugin-out-ip4-fa/);
    expect(files.filter((f) => /^received-pod-.*-rx\.pcap$/.test(f)).length).toBeGreaterThan(0);
    expect(JSON.parse(read('claims.json')).claims[0].point).toBe(cx.claims[0]!.point);
  });

  test('connection lifecycles get pcaps and evidence of every step', async () => {
    const { cx, files, read } = await counterexample('mutant:session-key-not-mirrored', 'connection-lifecycle');
    expect(cx.claims.length).toBeGreaterThan(0);
    expect(files).toEqual(expect.arrayContaining(['claims.json', 'evidence.json', 'scenario.json', 'policies.yaml']));
    const evidence = JSON.parse(read('evidence.json')) as { steps: { op: string }[] };
    expect(evidence.steps.filter((s) => s.op === 'inject').length).toBeGreaterThan(0);
    const point = cx.claims[0]!.point!;
    const pcap = files.find((f) => f === `expected-${point.replace(/[^A-Za-z0-9._-]+/g, '-')}.pcap`);
    expect(pcap, `expected pcap at ${point}`).toBeDefined();
  });

  test('odd packets (a fake data path that leaks raw frames onto the wire): the pcap holds exactly what was claimed', async () => {
    const leaky = (): Adapter => {
      const inner = new ReferenceAdapter();
      return {
        name: 'leaky',
        capabilities: { ...inner.capabilities },
        setup: (t, o) => inner.setup(t, o),
        apply: (a) => inner.apply(a),
        reset: () => inner.reset(),
        teardown: () => inner.teardown(),
        async inject(f) {
          const o = await inner.inject(f);
          for (const x of f) if ('pod' in x.from) o.captures.push({ point: 'node:1:wire', time: x.at, packet: x.packet, data: x.frame });
          return o;
        },
      };
    };
    const { cx, files, injected } = await counterexample('leaky', 'odd-packets-are-contained', leaky);
    const c = cx.claims[0]!;
    expect(c).toMatchObject({ code: 'non-vxlan-crossed-wire', point: 'node:1:wire' });
    expect(c.probe).toBeDefined();
    expect(files).toContain('received-node-1-wire.pcap');
    const frames = decodePcap(readFileSync(join(dir, `r${k}`, readdirSync(join(dir, `r${k}`)).find((n) => n.includes('-leaky-'))!, 'counterexamples', cx.id, 'received-node-1-wire.pcap')));
    expect(frames.ok && frames.records.length).toBeGreaterThan(0);
    expect(injected).toBeGreaterThan(0);
  });

  test('writing the files of a counterexample never calls the adapter (an adapter that refuses everything still gets its report)', async () => {
    const { cx } = await counterexample('mutant:session-timeout-too-short', 'session-expiry-on-virtual-clock');
    const no = async (): Promise<never> => {
      throw new Error('the adapter was called while writing the report');
    };
    const refusing: Adapter = { name: 'refusing', capabilities: new ReferenceAdapter().capabilities, setup: no, apply: no, inject: no, reset: no, teardown: no };
    const files = await counterexampleFiles(cx, refusing);
    expect([...files.received!.keys()].length).toBeGreaterThan(0);
    expect(files.packets!.some((p) => p.received?.packet === 2 && p.received.fates.some((f) => f.kind === 'dropped'))).toBe(true);
  });
});
