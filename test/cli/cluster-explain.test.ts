// `podflow cluster explain` (and its old name `podflow policies explain`, the same output) on the kubectl dump with
// Services: the translations per node, the NAT44 roles, and connections to Services judged per backend the way
// Kubernetes does (policies see the backend after translation), with Contiv's verdict where it differs and the
// self-access through the NAT loopback (docs/datapath.md §16). Also a hand-written file whose endpoints are derived.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { clusterExplainText } from '../../src/cli/cluster.ts';
import { UsageError } from '../../src/cli/io.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'podflow.js');
const DUMP = join(ROOT, 'test', 'fixtures', 'kubectl', 'cluster-dump.yaml');
const dir = mkdtempSync(join(tmpdir(), 'podflow-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OLD = 'default/backend-6d9f8c7b5-x2v9q';
const NEW = 'default/backend-5c8d7f9b6-m4pz8';
const FRONTEND = 'default/frontend-7b8c9d6f4-k7r4m';
const COREDNS = 'kube-system/coredns-76f75df574-h6xvt';

/** The lines of one node's translations, or of one service's block. */
function block(out: string, head: RegExp): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => head.test(l));
  expect(start, `no line matching ${head}`).toBeGreaterThanOrEqual(0);
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  ')) break;
    body.push(l.trim());
  }
  return body;
}

describe('cluster explain on the kubectl dump with Services', () => {
  const { text, exit } = clusterExplainText({ file: DUMP, matrix: true });

  test('policies explain is the same command with the same output', () => {
    const a = spawnSync(process.execPath, [BIN, 'cluster', 'explain', '-f', DUMP], { cwd: ROOT, encoding: 'utf8' });
    const b = spawnSync(process.execPath, [BIN, 'policies', 'explain', '-f', DUMP], { cwd: ROOT, encoding: 'utf8' });
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).toBe(text);
    expect(b.stdout).toBe(a.stdout);
    expect(exit).toBe(0);
  });

  test('every node gets every mapping: cluster IPs, both node IPs of the NodePort, host-network and API server backends', () => {
    for (const [node, pool] of [['node 1 (k8s-master, 192.168.16.1)', '10.1.1.254'], ['node 2 (gpu-worker, 192.168.16.2)', '10.1.2.254']] as const) {
      expect(text).toContain(`${node}: twice-NAT pool ${pool}`);
      const lines = block(text, new RegExp(`^${node.replace(/[()]/g, '\\$&')}: twice-NAT`));
      expect(lines).toEqual(
        expect.arrayContaining([
          'tcp 10.96.0.1:443 → 192.168.16.1:6443  [default/kubernetes, cluster-ip]',
          'tcp 10.96.120.15:80 → 10.1.2.4:8050 (p 1), 10.1.1.6:9080 (p 1)  [default/backend, cluster-ip]',
          'tcp 10.96.120.15:9500 → 10.1.2.4:9500 (p 1), 10.1.1.6:9500 (p 1)  [default/backend, cluster-ip]',
          'tcp 192.168.16.1:30080 → 10.1.2.3:8080  [default/frontend, node-port]',
          'tcp 192.168.16.2:30080 → 10.1.2.3:8080  [default/frontend, node-port]',
          'udp 10.96.0.10:53 → 10.1.1.2:53  [kube-system/kube-dns, cluster-ip]',
          'tcp 10.96.7.49:10249 → 192.168.16.1:10249 (p 1), 192.168.16.2:10249 (p 1)  [kube-system/kube-proxy-metrics, cluster-ip]',
        ]),
      );
      // the not-ready backend 10.1.2.7, the headless db and the ExternalName alias give no mapping (the headless
      // service's local backend still gets its TAP `in`, as Contiv marks every local backend of a Service)
      const mappings = lines.filter((l) => /^(tcp|udp) /.test(l));
      expect(mappings.join('\n')).not.toMatch(/10\.1\.2\.7|shop\/db|shop\/docs/);
      expect(mappings).toHaveLength(10);
    }
  });

  test('the NAT44 roles: the TAPs of local backends are in', () => {
    const master = block(text, /^node 1 \(k8s-master.*twice-NAT/);
    expect(master.at(-1)).toMatch(/^NAT44 roles: tap0, loop0 in\+out; main NIC out with the output feature; backend pod TAPs in\+out: tap\d+ \(default\/backend-5c8d7f9b6-m4pz8\), tap\d+ \(kube-system\/coredns-76f75df574-h6xvt\), tap\d+ \(shop\/db-0\); other pod TAPs out$/);
    const worker = block(text, /^node 2 \(gpu-worker.*twice-NAT/);
    expect(worker.at(-1)).toContain('(default/backend-6d9f8c7b5-x2v9q), tap');
    expect(worker.at(-1)).not.toContain('t7wq2');
  });

  test('behind one service a client is denied one backend and allowed another (upstream), with Contiv where it differs', () => {
    const backend = block(text, /^service default\/backend \(ClusterIP, cluster IP 10\.96\.120\.15\)$/);
    expect(backend).toContain('endpoints: Endpoints default/backend');
    expect(backend).toContain('note: its EndpointSlices (default/backend-8xk2f) are not read: Contiv reads the Endpoints object');
    expect(backend).toContain('port http TCP/80 on 10.96.120.15:80 → targetPort http');
    expect(backend).toContain('backend 10.1.2.7:9080  pod default/backend-5c8d7f9b6-t7wq2 on gpu-worker (node 2)  NOT READY: not translated to');
    // frontend's egress allows TCP 9000-9600 to the backends: the old backend's http (8050) is denied, the new
    // one's (9080) allowed upstream; Contiv reads only the range's first port (D9) and denies both.
    expect(backend).toContain(`from ${FRONTEND}: 10.1.2.4:8050 deny; 10.1.1.6:9080 deny/allow*D9`);
    expect(backend).toContain(`from ${COREDNS}: 10.1.2.4:8050 deny; 10.1.1.6:9080 deny`);
  });

  test('a backend reaching its own service reaches itself through the NAT loopback: always allowed', () => {
    const backend = block(text, /^service default\/backend \(/);
    expect(backend).toContain(`from ${OLD}: 10.1.2.4:8050 allow (self-access: twice-NAT from the NAT loopback); 10.1.1.6:9080 deny`);
    expect(backend).toContain(`from ${NEW}: 10.1.2.4:9500 deny; 10.1.1.6:9500 allow (self-access: twice-NAT from the NAT loopback)`);
  });

  test('host-network backends are the nodes\' addresses; the pod\'s own node is always allowed upstream', () => {
    const metrics = block(text, /^service kube-system\/kube-proxy-metrics /);
    expect(metrics).toContain('backend 192.168.16.2:10249  host-network pod kube-system/kube-proxy-q8w7d (the address of node gpu-worker) on gpu-worker (node 2)');
    // the frontend (on gpu-worker) is egress-isolated: its own node yes, the other node no
    expect(metrics.find((l) => l.startsWith(`from ${FRONTEND}:`))).toBe(
      `from ${FRONTEND}: 192.168.16.1:10249 deny (upstream; a host backend: no Contiv pod policy applies); 192.168.16.2:10249 allow (upstream; a host backend: no Contiv pod policy applies)`,
    );
    const api = block(text, /^service default\/kubernetes /);
    expect(api).toContain('backend 192.168.16.1:6443  the address of node k8s-master (no nodeName: local on every node for Contiv)');
  });

  test('EndpointSlices alone, headless and ExternalName', () => {
    expect(block(text, /^service kube-system\/kube-dns /)).toContain('endpoints: EndpointSlice kube-system/kube-dns-zq8vd');
    const db = block(text, /^service shop\/db \(ClusterIP, headless\)$/);
    expect(db).toContain('note: headless (clusterIP None): no translation; clients reach the backend pods directly at their own addresses');
    expect(db).toContain(`from ${OLD}: 10.1.1.5:5432 allow`);
    expect(db).toContain(`from ${COREDNS}: 10.1.1.5:5432 deny`);
    expect(block(text, /^service shop\/docs \(ExternalName\)$/)).toContain('skipped: type ExternalName: a DNS alias of docs.example.com, with no cluster IP and no endpoints (neither Contiv nor kube-proxy translates anything)');
  });

  test('--to svc/<ns>/<name> selects a service (and no pod matrix), --from the clients, --port the service ports', () => {
    const r = clusterExplainText({ file: DUMP, matrix: true, to: ['svc/default/backend'], from: ['frontend-*'], port: ['TCP/9500'] });
    expect(r.text).not.toContain('allow matrix');
    expect(r.text.match(/^service \S+\/\S+ \(/gm)).toHaveLength(1);
    expect(block(r.text, /^service default\/backend /).filter((l) => l.startsWith('from '))).toEqual([`from ${FRONTEND}: 10.1.2.4:9500 deny/allow*D9; 10.1.1.6:9500 deny/allow*D9`]);
    expect(() => clusterExplainText({ file: DUMP, matrix: true, to: ['svc/nope'] })).toThrow(new UsageError('--to svc/nope: matches no Service (the file has 7: default/kubernetes, default/backend, default/frontend)'));
  });
});

describe('cluster explain on a hand-written file: endpoints derived from the selector', () => {
  const file = join(dir, 'derived.yaml');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Pod
metadata: {name: web-a, labels: {app: web, tier: gold}}
spec: {nodeName: n1, containers: [{ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, labels: {app: web}}
spec: {nodeName: n2, containers: [{ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec: {nodeName: n2}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.5.5, selector: {app: web}, ports: [{name: web, port: 80, targetPort: http, protocol: TCP}, {name: sctp, port: 90, protocol: SCTP}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: gold-only}
spec:
  podSelector: {matchLabels: {tier: gold}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080}]
  - from: [{podSelector: {}}]
    ports: [{port: 9999}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-closed}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}
  policyTypes: [Ingress]
`,
  );
  const { text } = clusterExplainText({ file, matrix: false });

  test('the backends are the selected pods at their IPAM addresses; one is allowed, the other denied (both semantics agree)', () => {
    const web = block(text, /^service default\/web /);
    expect(web[0]).toBe('endpoints: derived from the selector app=web (no Endpoints or EndpointSlice in the file)');
    expect(web).toContain('port web TCP/80 on 10.96.5.5:80 → targetPort http');
    // web-a (gold) admits the client on 8080; web-b has no tier label: b-closed isolates it with no rule
    const from = web.find((l) => l.startsWith('from default/client:'))!;
    expect(from).toMatch(/^from default\/client: 10\.1\.1\.\d+:8080 allow; 10\.1\.2\.\d+:8080 deny$/);
  });

  test('SCTP: judged upstream only, Contiv renders it as UDP', () => {
    const web = block(text, /^service default\/web /);
    expect(web).toContain('note: port sctp is SCTP: Contiv renders it as UDP 90 (every protocol other than TCP becomes UDP), so SCTP to it is not translated and UDP to it is');
    expect(web).toContain('port sctp SCTP/90 on 10.96.5.5:90 → targetPort 90 (Contiv: UDP)');
    expect(web).toContain('verdicts: upstream only (Contiv does not translate SCTP: see the notes)');
  });
});
