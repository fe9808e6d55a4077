// `podflow policies explain` on a real cluster dump (`kubectl get ns,nodes,pods,networkpolicies -A -o yaml`):
// host-network and Pending pods, server-set fields, node IDs Contiv chose, a column per port the policies name,
// --from/--to/--port, and one-line input errors (issue #16, real cluster dumps).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const DUMP = join('test', 'fixtures', 'kubectl', 'cluster-dump.yaml');
const dir = mkdtempSync(join(tmpdir(), 'podflow-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BACKEND = 'default/backend-6d9f8c7b5-x2v9q';
const FRONTEND = 'default/frontend-7b8c9d6f4-k7r4m';
const COREDNS = 'kube-system/coredns-76f75df574-h6xvt';
const DB = 'shop/db-0';

function podflow(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The fixture's List items, to write variants of it. */
function items(): Record<string, any>[] {
  return (parse(readFileSync(join(ROOT, DUMP), 'utf8')) as { items: Record<string, any>[] }).items;
}

function writeList(name: string, objects: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }));
  return file;
}

/** The printed matrix as `from > to > column` → cell text. */
function matrix(out: string): Map<string, string> {
  const cells = new Map<string, string>();
  let from = '';
  let cols: string[] = [];
  for (const line of out.split('\n')) {
    const f = /^from (\S+):$/.exec(line);
    if (f) {
      from = f[1]!;
      continue;
    }
    if (!line.startsWith('  ')) from = ''; // the matrix ends at the next unindented line (e.g. the services part)
    if (!from || !line.startsWith('  ')) continue;
    const words = line.trim().split(/\s+/);
    if (words[0] === 'to') cols = words.slice(1);
    else words.slice(1).forEach((cell, i) => cells.set(`${from} > ${words[0]} > ${cols[i]}`, cell));
  }
  return cells;
}

function section(out: string, header: RegExp): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) return [];
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  ')) break;
    body.push(l.trim());
  }
  return body;
}

describe('policies explain on a kubectl dump', () => {
  const r = podflow('policies', 'explain', '-f', DUMP);

  test('is explained (exit 0, nothing on stderr)', () => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^cluster: 2 nodes, 6 pods on the pod network, 3 NetworkPolicies$/m);
  });

  test('kube-proxy is listed as host-network on each node, never as a pod of the matrix', () => {
    expect(section(r.out, /^host-network pods: 2 /)).toEqual(['kube-system/kube-proxy-5xk2p on k8s-master (192.168.16.1, the node\'s address)', 'kube-system/kube-proxy-q8w7d on gpu-worker (192.168.16.2, the node\'s address)']);
    const cells = matrix(r.out);
    expect(cells.size).toBeGreaterThan(0);
    for (const key of cells.keys()) expect(key).not.toContain('kube-proxy');
  });

  test('the Pending pod without node or IP is listed as skipped with the reason', () => {
    expect(section(r.out, /^skipped pods: 1 /)).toEqual(['default/nightly-report-28890417-bq6tz: not scheduled to a node (no spec.nodeName, phase Pending)']);
  });

  test('node IDs are the ones Contiv gave (from the pods\' IPs), not kubectl\'s alphabetical order', () => {
    expect(r.out).toContain("node gpu-worker: Contiv node ID 2 (its pods' IPs are in 10.1.2.0/24)");
    expect(r.out).toContain("node k8s-master: Contiv node ID 1 (its pods' IPs are in 10.1.1.0/24)");
    expect(r.out).toMatch(/pod default\/backend-6d9f8c7b5-x2v9q 10\.1\.2\.4 on tap\d+: isolated/);
  });

  test('every port and range the policies name is a column, split at 9080 (the named port http of the new backend) and 9500 inside 9000-9600, plus one port none names', () => {
    const header = r.out.split('\n').find((l) => l.trim().startsWith('to '))!;
    expect(header.trim().split(/\s+/).slice(1)).toEqual(['TCP/80', 'TCP/5432', 'TCP/8050', 'TCP/9000', 'TCP/9001-9079', 'TCP/9080', 'TCP/9081-9499', 'TCP/9500', 'TCP/9501-9600', 'UDP/53']);
    expect(r.out).toContain('TCP/80 stands for the ports no policy names');
  });

  test('the cells follow the policies', () => {
    const cells = matrix(r.out);
    // backend admits the frontend on 9500 and its named port http (8050) only, which Contiv reads as every port (D1);
    // coredns is no frontend
    expect(cells.get(`${FRONTEND} > ${BACKEND} > TCP/9000`)).toBe('allow/deny*D1');
    expect(cells.get(`${FRONTEND} > ${BACKEND} > TCP/8050`)).toBe('deny');
    expect(cells.get(`${FRONTEND} > ${COREDNS} > UDP/53`)).toBe('allow');
    expect(cells.get(`${FRONTEND} > ${COREDNS} > TCP/80`)).toBe('deny');
    expect(cells.get(`${COREDNS} > ${BACKEND} > TCP/9500`)).toBe('deny');
    expect(cells.get(`${COREDNS} > ${BACKEND} > TCP/8050`)).toBe('deny');
    expect(cells.get(`${DB} > ${BACKEND} > TCP/80`)).toBe('deny');
    // the frontend's egress range 9000-9600: Contiv reads only `port` (9000), upstream the whole range
    expect(cells.get(`${FRONTEND} > ${BACKEND} > TCP/9500`)).toMatch(/^deny\/allow\*D\d+/);
    // the db admits the namespace default on 5432 only
    expect(cells.get(`${BACKEND} > ${DB} > TCP/5432`)).toBe('allow');
    expect(cells.get(`${COREDNS} > ${DB} > TCP/5432`)).toBe('deny');
    expect(cells.get(`${BACKEND} > ${DB} > TCP/80`)).toBe('deny');
  });

  test('the same objects as multi-document YAML explain the same way', () => {
    const file = join(dir, 'multi.yaml');
    writeFileSync(file, items().map((o) => stringify(o)).join('---\n'));
    const m = podflow('policies', 'explain', '-f', file);
    expect(m.err).toBe('');
    expect(m.code).toBe(0);
    expect(m.out).toBe(r.out);
  });
});

describe('policies explain: what is missing, what does not fit', () => {
  test('a policies-only file says that it has no pods, in one line (exit 2)', () => {
    const file = writeList('policies-only.yaml', items().filter((o) => o.kind === 'NetworkPolicy'));
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`podflow: ${file}: no Pod objects, so no pod to explain (it holds 0 Namespaces, 0 Nodes, 0 Pods and 3 NetworkPolicies; give the output of \`kubectl get ns,nodes,pods,services,endpoints,endpointslices,networkpolicies -A -o yaml\`)\n`);
  });

  test('a file without Node objects says so and takes the nodes from the pods', () => {
    const file = writeList('no-nodes.yaml', items().filter((o) => o.kind !== 'Node'));
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain("no Node objects in the file: nodes are taken from the pods' spec.nodeName (without their InternalIP)");
    expect(r.out).toContain('kube-system/kube-proxy-5xk2p on k8s-master (192.168.16.1');
  });

  test('a file whose pods are all host-network or skipped says so', () => {
    const file = writeList('no-pod-network.yaml', items().filter((o) => o.kind !== 'Pod' || o.spec.hostNetwork === true || o.spec.nodeName === undefined));
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`podflow: ${file}: no pod on the pod network to explain: of its 3 Pods, 2 host-network and 1 skipped (without a node or an IP, or ended)\n`);
  });

  test('a pod IP outside its node\'s pod subnet is one line naming file and pod (exit 2)', () => {
    const objects = items();
    objects.find((o) => o.metadata.name === 'db-0')!.status.podIP = '10.1.7.9';
    const file = writeList('outside.yaml', objects);
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`podflow: ${file}: Pod/shop/db-0: status.podIP 10.1.7.9 is outside the pod subnet 10.1.1.0/24 of its node k8s-master (Contiv node ID 1) (or is the subnet's network, gateway, NAT loopback or broadcast address)\n`);
  });

  test('without pod IPs the node IDs come from the InternalIPs', () => {
    const objects = items().map((o) => (o.kind === 'Pod' && !o.spec.hostNetwork && o.spec.nodeName ? { ...o, status: undefined } : o));
    const file = writeList('no-pod-ips.yaml', objects);
    const r = podflow('policies', 'explain', '-f', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('node gpu-worker: Contiv node ID 2 (its InternalIP 192.168.16.2 is node IP 2 of 192.168.16.0/24)');
  });
});

describe('policies explain --from --to --port', () => {
  test('select rows, destinations and columns', () => {
    const r = podflow('policies', 'explain', '-f', DUMP, '--from', 'default/frontend-*', '--to', 'backend-6d9f8c7b5-x2v9q', '--to', DB, '--port', 'TCP/9500', '--port', '9550', '--port', 'udp/53');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const cells = matrix(r.out);
    expect([...cells.keys()]).toEqual([
      `${FRONTEND} > ${BACKEND} > TCP/9500`,
      `${FRONTEND} > ${BACKEND} > TCP/9501-9600`,
      `${FRONTEND} > ${BACKEND} > UDP/53`,
      `${FRONTEND} > ${DB} > TCP/9500`,
      `${FRONTEND} > ${DB} > TCP/9501-9600`,
      `${FRONTEND} > ${DB} > UDP/53`,
    ]);
    expect(cells.get(`${FRONTEND} > ${BACKEND} > TCP/9500`)).toMatch(/^deny\/allow\*D\d+/);
  });

  test('a port no policy names is a column of its own', () => {
    const r = podflow('policies', 'explain', '-f', DUMP, '--from', COREDNS, '--to', DB, '--port', 'TCP/1234');
    expect(r.code).toBe(0);
    expect([...matrix(r.out)]).toEqual([[`${COREDNS} > ${DB} > TCP/1234`, 'deny']]);
  });

  test.each<[string[], string]>([
    [['--from', 'default/nope'], '--from default/nope: matches no pod (the matrix has 6 pods, e.g.'],
    [['--to', 'kube-proxy-*'], '--to kube-proxy-*: matches no pod: kube-system/kube-proxy-5xk2p is a host-network pod (its node\'s host), not in the matrix'],
    [['--from', 'nightly-report-28890417-bq6tz'], '--from nightly-report-28890417-bq6tz: matches no pod: default/nightly-report-28890417-bq6tz is skipped (not scheduled to a node'],
    [['--port', 'TCP/70000'], '--port TCP/70000: expected <protocol>/<port>'],
    [['--port', 'http'], '--port http: expected <protocol>/<port>'],
  ])('%j is a usage error naming the option (exit 2)', (args, message) => {
    const r = podflow('policies', 'explain', '-f', DUMP, ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.startsWith(`podflow: ${message}`), r.err).toBe(true);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
