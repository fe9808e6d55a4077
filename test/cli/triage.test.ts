// Failure signatures and the corpus's smallest case per signature (triage.ts, corpus.ts), the git commit read
// from .git without git (history.ts), and the adapters' version() (issue 12, items 2 and 3).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { KernelAdapter } from '../../src/adapters/kernel/kernel-adapter.ts';
import { MutantAdapter } from '../../src/adapters/reference/mutant-adapter.ts';
import { ReferenceAdapter } from '../../src/adapters/reference/reference-adapter.ts';
import { readLabFile } from '../../src/adapters/vpp/lab-file.ts';
import { VppAdapter } from '../../src/adapters/vpp/vpp-adapter.ts';
import { saveCorpusEntry } from '../../src/cli/corpus.ts';
import { gitCommit, recordDataPath } from '../../src/cli/history.ts';
import type { Counterexample, RunInfo } from '../../src/cli/results.ts';
import { adapterWithoutSeed, failureSignature, signatureParts, triageRun } from '../../src/cli/triage.ts';
import { MUTANTS } from '../../src/reference/mutants/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-triage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cx(over: Partial<Counterexample> = {}): Counterexample {
  return {
    id: 'aaaa',
    property: 'vxlan-wire-format',
    adapter: 'mutant:wrong-vni',
    seed: 5,
    path: '0:1',
    details: 'd',
    claims: [{ code: 'vxlan-field', message: 'vni is 11', point: 'node:2:wire', layer: 'vxlan', field: 'vni', expected: '10', received: '11', packet: 0 }],
    seedSteps: [],
    case: { cluster: { nodes: 2 }, connections: [1, 2, 3] },
    ...over,
  };
}

describe('failure signature', () => {
  test('is stable: 12 hex digits, the same value release after release for the same parts', () => {
    expect(failureSignature(cx(), undefined)).toBe('cf24faf84a5e') // sha256 of ["vxlan-wire-format","vxlan-field","vxlan vni","","mutant:wrong-vni"];
    expect(signatureParts(cx(), undefined)).toEqual({ property: 'vxlan-wire-format', code: 'vxlan-field', place: 'vxlan vni', node: '', adapter: 'mutant:wrong-vni' });
  });

  test('ignores what varies between occurrences: the case, seed, path, message, point, values, later claims, a seed in the adapter name', () => {
    const base = failureSignature(cx(), undefined);
    const c0 = cx().claims[0]!;
    expect(failureSignature(cx({ id: 'b', seed: 9, path: '3', case: { other: true }, details: 'x' }), undefined)).toBe(base);
    expect(failureSignature(cx({ claims: [{ ...c0, message: 'vni is 12', point: 'node:1:wire', received: '12', packet: 4 }, { code: 'other', message: 'm' }] }), undefined)).toBe(base);
    expect(adapterWithoutSeed('kernel-seed7')).toBe('kernel');
    expect(adapterWithoutSeed('mutant:x@seed12')).toBe('mutant:x');
    expect(failureSignature(cx({ adapter: 'mutant:wrong-vni-seed3' }), undefined)).toBe(base);
  });

  test('tells apart what makes another failure: property, code, layer, field, adapter', () => {
    const base = failureSignature(cx(), undefined);
    const c0 = cx().claims[0]!;
    const others = [cx({ property: 'ttl-and-checksums' }), cx({ claims: [{ ...c0, code: 'other' }] }), cx({ claims: [{ ...c0, layer: 'outer udp' }] }), cx({ claims: [{ ...c0, field: 'flags' }] }), cx({ adapter: 'kernel' })];
    const sigs = others.map((o) => failureSignature(o, undefined));
    expect(new Set([base, ...sigs]).size).toBe(others.length + 1);
  });

  test('triageRun: new, known since a run, known from the corpus; never throws', () => {
    const a = cx();
    const b = cx({ id: 'b', property: 'ttl-and-checksums' });
    const c = cx({ id: 'c', adapter: 'kernel' });
    const sa = failureSignature(a, undefined);
    const sb = failureSignature(b, undefined);
    const result = { info: { runId: 'r' } as RunInfo, properties: [{ id: 'p', description: '', seedSteps: [], runs: 1, verdict: 'invalid' as const, timeMs: 0, unknownReasons: [], coverage: {}, counterexamples: [a, b, c] }] };
    triageRun(result, [], { runs: new Map([[sa, 'run-1']]), corpus: new Map([[sa, 'e1'], [sb, 'e2']]) });
    expect([a.triage, b.triage, c.triage]).toEqual([{ status: 'known', firstSeenRun: 'run-1' }, { status: 'known', corpusEntry: 'e2' }, { status: 'new' }]);
    expect(c.signature).toBe(failureSignature(c, undefined));
  });
});

describe('corpus: the smallest case per signature', () => {
  const corpus = join(dir, 'corpus');
  const entries = (): string[] => readdirSync(corpus).filter((n) => !n.startsWith('.')).sort();
  const big = cx({ id: 'big', case: { pad: 'x'.repeat(200) } });
  const small = cx({ id: 'small', case: { pad: 'x' } });
  const mid = cx({ id: 'mid', case: { pad: 'x'.repeat(50) } });

  test('a smaller case replaces a larger entry of its signature; a larger one is not saved', () => {
    mkdirSync(corpus);
    expect(saveCorpusEntry(corpus, big, undefined)).toBe(join(corpus, 'big'));
    expect(JSON.parse(readFileSync(join(corpus, 'big', 'case.json'), 'utf8')).signature).toBe(failureSignature(big, undefined));
    // folders that are not entries of that signature are never removed: no case.json, an id that is not the folder's, another signature
    mkdirSync(join(corpus, 'mine'));
    writeFileSync(join(corpus, 'mine', 'notes.txt'), 'keep');
    mkdirSync(join(corpus, 'renamed'));
    writeFileSync(join(corpus, 'renamed', 'case.json'), JSON.stringify({ ...big, id: 'elsewhere', signature: failureSignature(big, undefined), case: { pad: 'x'.repeat(300) } }));
    const other = cx({ id: 'other', property: 'ttl-and-checksums', case: { pad: 'x'.repeat(300) } });
    saveCorpusEntry(corpus, other, undefined);
    expect(saveCorpusEntry(corpus, mid, undefined)).toBe(join(corpus, 'mid'));
    expect(entries()).toEqual(['mid', 'mine', 'other', 'renamed']);
    expect(saveCorpusEntry(corpus, big, undefined)).toBe(join(corpus, 'mid'));
    expect(entries()).toEqual(['mid', 'mine', 'other', 'renamed']);
    expect(saveCorpusEntry(corpus, small, undefined)).toBe(join(corpus, 'small'));
    expect(entries()).toEqual(['mine', 'other', 'renamed', 'small']);
  });

  test('triageRun names the entry that keeps a failure whose own case was not added', () => {
    const again = cx({ id: 'big', case: { pad: 'x'.repeat(200) } });
    const result = { info: { runId: 'r' } as RunInfo, properties: [{ id: 'p', description: '', seedSteps: [], runs: 1, verdict: 'invalid' as const, timeMs: 0, unknownReasons: [], coverage: {}, counterexamples: [again, cx({ id: 'small', case: { pad: 'x' } })] }] };
    triageRun(result, [], { runs: new Map(), corpus: new Map(), corpusDir: corpus });
    expect(result.properties[0]!.counterexamples.map((c) => c.triage)).toEqual([{ status: 'new', keptAs: 'small' }, { status: 'new' }]);
  });
});

describe('provenance', () => {
  test('gitCommit reads HEAD, a loose ref, packed-refs and a worktree .git file; undefined otherwise', () => {
    const h1 = 'a'.repeat(40);
    const h2 = 'b'.repeat(40);
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled\n${h2} refs/heads/main\n`);
    expect(gitCommit(repo)).toBe(h2);
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), `${h1}\n`);
    expect(gitCommit(repo)).toBe(h1);
    // a worktree: .git is a file naming its git dir, whose commondir holds the refs
    const wt = join(dir, 'wt');
    mkdirSync(join(repo, '.git', 'worktrees', 'wt'), { recursive: true });
    mkdirSync(wt);
    writeFileSync(join(wt, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`);
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    expect(gitCommit(wt)).toBe(h1);
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'HEAD'), `${h2}\n`);
    expect(gitCommit(wt)).toBe(h2);
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: ../../etc/passwd\n');
    expect(gitCommit(repo)).toBeUndefined();
    expect(gitCommit(join(dir, 'no-repo'))).toBeUndefined();
  });

  test('the data path version of the reference model, a mutant, the kernel (no root needed) and VPP nodes', async () => {
    expect(await new ReferenceAdapter({ profile: 'vpp-current' }).version()).toBe('podflow model vpp-current');
    expect(await new MutantAdapter(MUTANTS[0]!).version()).toBe('podflow model vpp-18.01-contiv');
    expect(await new KernelAdapter().version()).toMatch(new RegExp(`^linux ${release().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(; nftables v\\S+.*)?$`));
    const ok = join(dir, 'vppctl-ok');
    writeFileSync(ok, '#!/bin/sh\necho "vpp v26.06-rc0~fake built by podflow"\necho "second line"\n');
    chmodSync(ok, 0o755);
    const lab = join(dir, 'lab.yaml');
    writeFileSync(lab, stringify({ version: 1, nodes: [{ id: 1, name: 'vpp1', vppctl: [ok], files: join(dir, 'n1'), gbe: 'host-gbe' }, { id: 2, name: 'vpp2', vppctl: [join(dir, 'no-such-vppctl')], files: join(dir, 'n2'), gbe: 'host-gbe', timeoutMs: 300 }] }));
    const vpp = new VppAdapter(readLabFile(lab));
    expect(await vpp.version()).toBe('node 1: vpp v26.06-rc0~fake built by podflow');
    const info = { unavailable: undefined } as unknown as RunInfo;
    await recordDataPath(vpp, info);
    expect(info.dataPath).toBe('node 1: vpp v26.06-rc0~fake built by podflow');
    await vpp.teardown();
    // an adapter that throws, or is unavailable: no field, no throw
    const thrower = { version: () => Promise.reject(new Error('boom')) } as unknown as VppAdapter;
    const info2 = {} as RunInfo;
    await recordDataPath(thrower, info2);
    expect(info2.dataPath).toBeUndefined();
    expect(existsSync(join(dir, 'n2'))).toBe(false);
  });
});
