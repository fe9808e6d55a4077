// `podflow policies explain` on the Kubernetes documentation's example policies, and its errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const EXAMPLES = readdirSync(join(ROOT, 'examples', 'policies')).filter((f) => f.endsWith('.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'podflow-pol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function podflow(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('podflow policies explain', () => {
  test('the test-network-policy example renders the documented tables', () => {
    const r = podflow('policies', 'explain', '-f', 'examples/policies/k8s-docs-test-network-policy.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ACL \d+ contiv\/vpp-policy-REFLECTION: input of /);
    expect(r.out).toMatch(/permit +src 172\.17\.0\.0\/24 +dst any +proto 6 sport 0-65535 dport 6379-6379/); // except 172.17.1.0/24
    expect(r.out).not.toMatch(/172\.17\.1\.0\/24/);
    expect(r.out).toMatch(/ACL \d+ contiv\/vpp-policy-NODE-GLOBAL: output of GigabitEthernet0\/8\/0, loop0, tap0/);
    expect(r.out).toContain('allow matrix');
  });

  test.each(EXAMPLES)('%s: explains with no undocumented divergence (exit 0)', (file) => {
    const r = podflow('policies', 'explain', '-f', join('examples', 'policies', file));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('UNDOCUMENTED');
  });

  test('a bad manifest is a one-line-per-issue error naming file, document and field (exit 2)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]\n');
    const r = podflow('policies', 'explain', '-f', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: document 0 (NetworkPolicy default/x): spec.ingress[0].ports[0].port`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
