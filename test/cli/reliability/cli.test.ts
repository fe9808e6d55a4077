// Reliability at the command line: bad input is exit code 2 and one stderr line `podflow: <file>: <where>: <what>`
// with the file name and quoted values escaped — never `internal error` and a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { printable, UsageError } from '../../../src/cli/io.ts';
import { expectCleanLine } from './malformed.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'podflow-rel-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function podflow(...args: string[]): { code: number; err: string } {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, err: r.stderr };
}

describe('printable', () => {
  test('control characters, newlines and other non-printables are escaped; long text is cut', () => {
    expect(printable('a\u0000b\u001b[31mc\n\t\r\u007f\u0085\u2028\u202e\ud800d')).toBe('a\\x00b\\x1b[31mc\\n\\t\\r\\x7f\\x85\\u{2028}\\u{202e}\\u{d800}d');
    expect(printable('héllo wörld 東京 🙂')).toBe('héllo wörld 東京 🙂');
    expect(printable('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(printable('\u0000'.repeat(10), 8)).toBe('\\x00\\x00…');
  });

  test('every UsageError goes through it: one line, control bytes escaped; extra lines escaped each', () => {
    expect(new UsageError('f\u001b.json: field "a\nb"').message).toBe('f\\x1b.json: field "a\\nb"');
    expect(new UsageError('one', ['two\u0007', 'three']).message).toBe('one\ntwo\\x07\nthree');
  });
});

describe('the CLI on bad input', () => {
  test('a frame layer kind "constructor" in a scenario named with an escape sequence: exit 2, one escaped line', () => {
    const file = join(dir, 'bad\u001b[2J.json');
    writeFileSync(file, JSON.stringify({ version: 1, topology: { nodes: [{ id: 1, pods: [{ name: 'a' }, { name: 'b' }] }] }, packets: [{ from: { pod: 'a' }, frame: [{ kind: 'constructor' }] }] }));
    const r = podflow('explain', file);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('internal error');
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expectCleanLine(lines[0]!, 'stderr');
    expect(lines[0]).toBe(`podflow: ${dir}/bad\\x1b[2J.json: invalid scenario: packets[0].frame[0].kind: expected one of ethernet, dot1q, arp, ipv4, icmp, tcp, udp, vxlan, raw, got "constructor"`);
  });

  test('policies explain with 300 pods on one node: exit 2, one line naming the node', () => {
    const file = join(dir, 'many.yaml');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec: {nodeName: n1, containers: [{name: c, image: x}]}\n`).join('---\n'));
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`podflow: ${file}: Node/n1: 300 pods, more than the pod subnet 10.1.1.0/24 of node n1 (Contiv node ID 1) holds (252 addresses)\n`);
  });
});
