// `podflow fuzz --nemesis` and `podflow list faults`: the nemesis property runs with only the faults given, bad lists
// are usage errors, a fault's calls are in the counterexample's evidence, and the list says who performs what.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFuzz } from '../../src/cli/fuzz.ts';
import { listText } from '../../src/cli/list.ts';
import { UsageError } from '../../src/cli/io.ts';
import { FAULT_IDS } from '../../src/faults/index.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import type { FaultId } from '../../src/adapters/adapter.ts';

/** The model, performing only some faults (as a lab adapter would). */
const performing = (faults: readonly FaultId[]) => () => {
  const a = new ReferenceAdapter();
  Object.defineProperty(a, 'capabilities', { value: { ...a.capabilities, faults } });
  return a;
};

const dir = mkdtempSync(join(tmpdir(), 'podflow-nemesis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = (): void => {};

describe('podflow fuzz --nemesis', () => {
  it('runs the nemesis property alone with the faults given, recorded in run.json', async () => {
    const r = await runFuzz({ adapter: 'reference', nemesis: 'tap-flap,acl-resync', runs: '20', seed: '2', out: join(dir, 'a'), corpus: false }, quiet);
    expect(r.code).toBe(0);
    expect(r.result.properties.map((p) => [p.id, p.checked])).toEqual([['faults-keep-the-invariants', 20]]);
    const run = JSON.parse(readFileSync(join(r.folder, 'run.json'), 'utf8')) as { options: { nemesis?: string[]; properties: string[] } };
    expect(run.options.nemesis).toEqual(['acl-resync', 'tap-flap']);
  });

  it('without --nemesis, draws the faults the adapter performs (a lab run is not made inconclusive); none: unknown', async () => {
    const some = await runFuzz({ adapter: 'reference', property: ['faults-keep-the-invariants'], runs: '30', seed: '2', out: join(dir, 'd'), corpus: false }, quiet, performing(['acl-resync', 'tap-flap']));
    expect([some.code, some.result.properties[0]!.checked, some.result.properties[0]!.unknown]).toEqual([0, 30, 0]);
    expect(some.result.info.options.nemesis).toEqual(['acl-resync', 'tap-flap']);
    const none = await runFuzz({ adapter: 'reference', property: ['faults-keep-the-invariants'], runs: '5', seed: '2', out: join(dir, 'd'), corpus: false }, quiet, performing([]));
    expect([none.code, none.result.properties[0]!.verdict, none.result.properties[0]!.unknownReasons]).toEqual([3, 'unknown', expect.arrayContaining([expect.stringContaining('performs no fault')])]);
    // --nemesis all asks for every fault: cases with one the adapter lacks are unknown
    const all = await runFuzz({ adapter: 'reference', nemesis: 'all', runs: '30', seed: '2', out: join(dir, 'd'), corpus: false }, quiet, performing(['acl-resync', 'tap-flap']));
    expect(all.result.properties[0]!.unknown).toBeGreaterThan(0);
  });

  it('refuses an unknown fault and a --property list without the nemesis property', async () => {
    await expect(runFuzz({ adapter: 'reference', nemesis: 'tap-flap,bogus', runs: '1', out: join(dir, 'b'), corpus: false }, quiet)).rejects.toThrow(UsageError);
    await expect(runFuzz({ adapter: 'reference', nemesis: 'all', property: ['vxlan-wire-format'], runs: '1', out: join(dir, 'b'), corpus: false }, quiet)).rejects.toThrow(/does not name faults-keep-the-invariants/);
  });

  it('a counterexample of a fault-handling mutant has the fault calls in its evidence, replayed by the model', async () => {
    const r = await runFuzz({ adapter: 'mutant:session-clear-empties-acls', nemesis: 'acl-sessions-cleared', runs: '100', seed: '1', out: join(dir, 'c'), corpus: false }, quiet);
    expect(r.code).toBe(1);
    const cx = readdirSync(join(r.folder, 'counterexamples'))[0]!;
    const evidence = JSON.parse(readFileSync(join(r.folder, 'counterexamples', cx, 'evidence.json'), 'utf8')) as { steps: { op: string; fault?: { id: string } }[] };
    const faults = evidence.steps.filter((s) => s.op === 'fault');
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((s) => s.fault?.id === 'acl-sessions-cleared')).toBe(true);
    // the expected side (the model given the same calls) exists: the model performed the faults too
    expect(readdirSync(join(r.folder, 'counterexamples', cx)).some((f) => f.startsWith('expected-'))).toBe(true);
  });
});

describe('podflow list faults', () => {
  it('lists every fault with what the model expects and which adapters perform it', () => {
    const lines = listText('faults').trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual([...FAULT_IDS]);
    expect(lines.find((l) => l.startsWith('tap-flap'))).toMatch(/performed by reference, kernel, vpp$/);
    expect(lines.find((l) => l.startsWith('pod-replaced'))).toMatch(/performed by reference, kernel, vpp$/);
    expect(lines.find((l) => l.startsWith('nat-sessions-cleared'))).toMatch(/performed by reference, kernel, vpp$/);
    expect(lines.find((l) => l.startsWith('link-flap'))).toMatch(/performed by reference, kernel, vpp$/);
    expect(lines.find((l) => l.startsWith('node-restart'))).toMatch(/performed by reference, kernel, vpp$/);
    expect(lines.find((l) => l.startsWith('wire-impaired'))).toMatch(/performed by reference, kernel, vpp \(idle: any lab; wire: a local lab\)$/);
    expect(lines.find((l) => l.startsWith('idle-timeout'))).toMatch(/performed by reference, kernel, vpp \(idle: any lab; wire: a local lab\)$/);
    expect(lines.find((l) => l.startsWith('config-drift'))).toMatch(/performed by reference, kernel, vpp$/);
  });
});
