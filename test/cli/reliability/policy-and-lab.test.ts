// Reliability: Kubernetes YAML for `podflow policies explain` (policy/yaml.ts, then Contiv's rendering) and the
// VPP lab file (adapters/vpp/lab-file.ts): malformed input is a UsageError / PolicyInputError / LabFileError
// with clean lines, never an escaped exception; a cluster whose pods do not fit their nodes names the pod.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify as yamlStringify } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/cli/io.ts';
import { explainCluster, explainClusterText, matrixText, tablesText } from '../../../src/cli/policies.ts';
import { LabFileError, parseLabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { expectClean, expectCleanLine, mutatedArb, prototypeVariants, randomTextArb, RUNS, sample, textMutationArb, truncations, vocabularyArb } from './malformed.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'podflow-rel-pol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY_DIR = join(ROOT, 'examples', 'policies');
/** Nodes with pinned IDs and pods with pinned IPs and named ports (the examples have neither). */
const PINNED = `apiVersion: v1
kind: Node
metadata: {name: n1, annotations: {podflow.io/node-id: "3"}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: prod, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, image: x, ports: [{name: http, containerPort: 80, protocol: TCP}]}]}
status: {podIP: 10.1.3.5}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: db}}
spec: {nodeName: n2, containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16, except: [10.1.3.0/24]}}], ports: [{port: http}, {port: 80, endPort: 90}]}]
`;
const POLICY_TEXTS = [...readdirSync(POLICY_DIR).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(POLICY_DIR, f), 'utf8')), PINNED];
/** Each example as its documents' values (mutated, then written back as YAML). */
const POLICY_DOCS = POLICY_TEXTS.map((t) => parseAllDocuments(t).map((d) => d.toJS() as unknown));

/** A value as YAML; too deep for the YAML writer's recursion, as JSON (which is YAML too). */
function stringify(v: unknown): string {
  try {
    return yamlStringify(v);
  } catch {
    return JSON.stringify(v) ?? 'null';
  }
}

function pods(n: number, node = 'n1', extra = ''): string {
  return Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec: {nodeName: ${node}, containers: [{name: c, image: x}]}\n${extra}`).join('---\n');
}

/** explainCluster on a file, then the tables and matrix as the command prints them. */
function explain(text: string | undefined, file: string, matrix: boolean): void {
  const { cluster, cmp } = explainClusterText(text, file);
  if (cmp.rendered) tablesText(cmp.rendered);
  if (matrix && cluster.pods.length <= 12) matrixText(cluster, cmp);
}

describe('policies explain input', () => {
  test('a pod IP outside its node\'s pod subnet is a usage error naming the pod and node', () => {
    const file = join(dir, 'outside.yaml');
    writeFileSync(file, pods(1, 'n1', 'status: {podIP: 192.168.5.5}\n'));
    expect(() => explainCluster(file)).toThrow(UsageError);
    expect(() => explainCluster(file)).toThrow(`${file}: Pod/default/p0: status.podIP 192.168.5.5 is outside the pod subnet 10.1.1.0/24 of its node n1 (Contiv node ID 1)`);
  });

  test('300 pods on a node (its /24 pod subnet holds 252) is a usage error naming the node', () => {
    const file = join(dir, 'many.yaml');
    writeFileSync(file, pods(300));
    expect(() => explainCluster(file)).toThrow(`${file}: Node/n1: 300 pods, more than the pod subnet 10.1.1.0/24 of node n1 (Contiv node ID 1) holds (252 addresses)`);
  });

  test('several problems: one escaped line each', () => {
    const file = join(dir, 'two\u0007.yaml');
    writeFileSync(file, 'kind: Pod\nmetadata: {name: "a\\u0000"}\n---\nkind: Bogus\n');
    try {
      explainCluster(file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      const lines = (e as Error).message.split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        expectCleanLine(line, 'issue');
        expect(line.startsWith(`${dir}/two\\x07.yaml: document `), line).toBe(true);
      }
    }
  });

  test(`${RUNS} random, mutated and truncated cluster files: explained, or UsageError lines`, () => {
    const file = join(dir, 'cluster.yaml');
    const texts = [
      ...sample(randomTextArb, RUNS / 8),
      ...sample(textMutationArb(POLICY_TEXTS), RUNS / 8),
      ...sample(vocabularyArb(POLICY_DOCS), RUNS / 4).map((docs) => (Array.isArray(docs) ? docs : [docs]).map((d) => stringify(d)).join('---\n')),
      ...sample(mutatedArb(POLICY_DOCS), RUNS / 2).map((docs) => (Array.isArray(docs) ? docs : [docs]).map((d) => stringify(d)).join('---\n')),
      ...prototypeVariants(POLICY_DOCS, 300).map((docs) => (docs as unknown[]).map((d) => stringify(d)).join('---\n')),
      ...prototypeVariants(POLICY_DOCS.slice(-1), 200).map((docs) => (docs as unknown[]).map((d) => stringify(d)).join('---\n')),
      ...truncations(POLICY_TEXTS[POLICY_TEXTS.length - 1]!, 200),
      '[' .repeat(10_000),
      '- '.repeat(5_000),
      'a: &a [*a]\n',
      `a: &a [${'*a, '.repeat(50)}]\nb: &b [${'*a, '.repeat(50)}]\nc: [${'*b, '.repeat(50)}]\n`,
    ];
    let explained = 0;
    for (const [i, text] of texts.entries()) {
      // Every tenth through a file (as the command reads it), the rest from memory: writing files dominates the time.
      if (i % 10 === 0) writeFileSync(file, text);
      // The allow matrix (every pod pair × port through both semantics) for every third: it is the slow part.
      const r = expectClean(text, () => (explain(i % 10 === 0 ? undefined : text, file, i % 3 === 0), true), [UsageError]);
      if (r) explained++;
    }
    expect(explained).toBeGreaterThan(RUNS / 10);
  });
});

const LAB = `version: 1
profile: vpp-current
nodes:
  - id: 1
    vppctl: [vppctl, -s, /run/podflow-lab/node1/cli.sock]
    files: /run/podflow-lab/node1
    gbe: host-gbe1
    timeoutMs: 10000
  - id: 2
    name: lab2
    vppctl: [ssh, lab2, sudo, vppctl]
    push: [ssh, lab2, sudo, tee]
    pull: [ssh, lab2, sudo, cat]
    files: /tmp/podflow
    gbe: host-gbe2
runDir: /run/podflow-lab
namespaces: [podflow-n1]
`;

describe('VPP lab file', () => {
  test('the template is a lab file', () => {
    expect(() => parseLabFile('version: 1\nnodes: []\n', 'lab\u0007.yaml')).toThrow(LabFileError);
    expect(parseLabFile(LAB, 'lab.yaml').nodes).toHaveLength(2);
  });

  // lab-file.ts belongs to the lab engineer: this only checks its reader's contract (LabFileError, clean lines).
  test(`${RUNS} random, mutated and truncated lab files: a lab or a LabFileError`, () => {
    const doc = parseAllDocuments(LAB)[0]!.toJS() as unknown;
    const texts = [
      ...sample(randomTextArb, RUNS / 8),
      ...sample(textMutationArb([LAB]), RUNS / 8),
      ...sample(vocabularyArb([doc]), RUNS / 4).map((d) => stringify(d)),
      ...sample(mutatedArb([doc]), RUNS / 2).map((d) => stringify(d)),
      ...prototypeVariants([doc]).map((d) => stringify(d)),
      ...truncations(LAB, 300),
      'a: &a [*a]\n',
      '{'.repeat(10_000),
    ];
    for (const text of texts) expectClean(text, () => parseLabFile(text, 'lab.yaml'), [LabFileError]);
  });
});
