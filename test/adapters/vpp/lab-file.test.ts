// Lab files: valid ones parse with defaults; every mistake names the file and the field (or line and column).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabFileError, parseLabFile, readLabFile } from '../../../src/adapters/vpp/lab-file.ts';

const good = `version: 1
nodes:
  - id: 1
    vppctl: [vppctl, -s, /run/lab/node1/cli.sock]
    files: /run/lab/node1
    gbe: host-gbe
  - id: 2
    vppctl: [ssh, lab2, sudo, vppctl]
    push: [ssh, lab2, sudo, tee]
    pull: [ssh, lab2, sudo, cat]
    files: /var/tmp/podflow
    gbe: memif1/0
    timeoutMs: 30000
`;

function problems(text: string): string {
  try {
    parseLabFile(text, 'lab.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(LabFileError);
    return (e as Error).message;
  }
  throw new Error('expected a LabFileError');
}

describe('lab file', () => {
  it('parses a local and a remote node, with defaults', () => {
    const lab = parseLabFile(good, 'lab.yaml');
    expect(lab.profile).toBe('vpp-current');
    expect(lab.nodes.map((n) => [n.id, n.timeoutMs])).toEqual([[1, 10000], [2, 30000]]);
    expect(lab.nodes[1]!.push).toEqual(['ssh', 'lab2', 'sudo', 'tee']);
  });

  it('names the field of each mistake', () => {
    const m = problems(good.replace('files: /run/lab/node1', 'files: relative/dir').replace('    gbe: host-gbe\n', ''));
    expect(m).toMatch(/^lab\.yaml: /);
    expect(m).toContain('nodes[0].files: expected an absolute directory path on the node');
    expect(m).toContain('nodes[0].gbe:');
    expect(problems(good.replace('id: 2', 'id: 1'))).toBe('lab.yaml: nodes[1].id: node ID 1 appears twice (also nodes[0])');
  });

  it('wants push and pull together, commands as lists, known keys only', () => {
    expect(problems(good.replace('    pull: [ssh, lab2, sudo, cat]\n', ''))).toContain('nodes[1].pull: push and pull go together');
    expect(problems(good.replace('vppctl: [vppctl, -s, /run/lab/node1/cli.sock]', 'vppctl: vppctl -s /run/x'))).toContain('nodes[0].vppctl:');
    expect(problems(good.replace('gbe: host-gbe', 'gbe: host-gbe\n    colour: blue'))).toMatch(/nodes\[0\]: .*colour/);
    expect(problems('version: 2\nnodes: []\n')).toMatch(/version: .*\n.*nodes: /s);
  });

  it('gives line and column of YAML syntax errors', () => {
    expect(problems('version: 1\nnodes:\n  - id: [1\n')).toMatch(/lab\.yaml: line \d+, column \d+: YAML: /);
  });

  it('names the file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-lab-'));
    try {
      expect(() => readLabFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read the lab file: no such file/);
      writeFileSync(join(dir, 'lab.yaml'), good);
      expect(readLabFile(join(dir, 'lab.yaml')).nodes).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
