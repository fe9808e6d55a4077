// `podflow explain` and `podflow trace` end to end through the real bin: output, exit codes, one-line errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { pcapRecordsByPoint } from '../../src/packet/pcap.ts';
import { pcapName } from '../../src/cli/report/write.ts';
import { simulate } from '../../src/reference/simulate.ts';
import { loadExample } from '../support/scenarios.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const dir = mkdtempSync(join(tmpdir(), 'podflow-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function podflow(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('podflow explain', () => {
  test('prints both nodes\' traces of the seed and where each packet ended; the output diffs clean against the real trace', () => {
    const r = podflow('explain', 'examples/seed-pod-to-pod-different-nodes.json');
    expect(r.code).toBe(0);
    expect(r.out).toContain('packet 0 on node 1 (k8s-master, 192.168.16.1):');
    expect(r.out).toContain('packet 0 on node 2 (k8s-worker1, 192.168.16.2):');
    expect(r.out).toContain('# result: delivered to pod server on node 2');
    expect(r.out).toContain('  VXLAN encap to vxlan_tunnel0 vni 10');
    const syn = join(dir, 'syn.txt');
    writeFileSync(syn, podflow('explain', 'examples/seed-pod-to-pod-different-nodes.json', '--packet', '0').out);
    const d = podflow('trace', 'diff', 'test/fixtures/traces/pod-to-pod-different-nodes.request.txt', syn);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/^identical \(\d+ fields masked\)/);
  });

  test('--profile vpp-current prints the endpoint-dependent NAT nodes', () => {
    const r = podflow('explain', 'examples/seed-pod-to-pod-different-nodes.json', '--profile', 'vpp-current', '--packet', '0');
    expect(r.code).toBe(0);
    expect(r.out).toContain('nat44-ed-in2out-output');
  });

  test.each([
    [['explain', 'missing.json'], /^podflow: missing\.json: cannot read: no such file\n$/],
    [['explain', 'examples/seed-pod-to-pod-same-node.json', '--profile', 'vpp-1'], /^podflow: --profile: unknown profile 'vpp-1'/],
    [['explain', 'examples/seed-pod-to-pod-same-node.json', '--packet', '9'], /has 2 packet\(s\), no index 9/],
  ] as const)('%j is a one-line error with exit 2', (args, message) => {
    const r = podflow(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('a scenario with a bad field names the file and the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, topology: { nodes: [{ id: 1, pods: [{ name: 'a', tap: { mac: 'zz' } }] }] } }));
    const r = podflow('explain', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: invalid scenario:`);
    expect(r.err).toContain('topology.nodes[0].pods[0].tap.mac: expected a MAC address');
  });
});

describe('capture points as pcap records', () => {
  test('one list per pod TAP and node wire, timestamped from the virtual clock', () => {
    const r = simulate(loadExample('seed-pod-to-pod-different-nodes.json'));
    const by = pcapRecordsByPoint(r.packets.flatMap((p) => p.frames));
    expect([...by.keys()].sort()).toEqual(['node:1:wire', 'node:2:wire', 'pod:client:rx', 'pod:client:tx', 'pod:server:rx', 'pod:server:tx']);
    expect(by.get('pod:client:tx')![0]).toMatchObject({ tsSec: 1, tsFrac: 0 });
    expect(by.get('node:1:wire')!.map((x) => x.data.length)).toEqual([124, 124]);
    expect(pcapName('node:1:wire')).toBe('node-1-wire');
  });
});
