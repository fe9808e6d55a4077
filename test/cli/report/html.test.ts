// report.html end to end: a real counterexample (mutant wrong-vni caught by vxlan-wire-format) through runFuzz;
// the page names the first divergent trace record and its seed step, shows EXPECTED vs RECEIVED per layer and
// the picture, links only to files of the run folder, and is well-formed.
import { NODE_NAMES } from '../../../src/reference/node-names.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFuzz } from '../../../src/cli/fuzz.ts';
import { parseCounterexampleData } from '../../../src/cli/report/write.ts';
import type { RunResult } from '../../../src/cli/results.ts';
import { markupProblems } from './wellformed.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let result: RunResult;
let folder: string;
let html: string;

beforeAll(async () => {
  // One topology per case: the expectations below are written for the two-node case this seed shrinks to.
  const r = await runFuzz({ adapter: 'mutant:wrong-vni', runs: '50', seed: '1', out: dir, corpus: false, property: ['vxlan-wire-format'], casesPerTopology: '1' });
  expect(r.code).toBe(1);
  result = r.result;
  folder = r.folder;
  html = readFileSync(join(folder, 'report.html'), 'utf8');
});

function cxId(): string {
  return result.properties[0]!.counterexamples[0]!.id;
}

describe('report.html', () => {
  test('the run and the per-property table with runs, verdict, time and coverage', () => {
    expect(html).toMatch(/<h1>podflow fuzz <code>\d{8}T\d{6}Z-mutant-wrong-vni-seed1<\/code>: <span class="invalid">invalid<\/span><\/h1>/);
    expect(html).toMatch(/<tr class="invalid"><td><code>vxlan-wire-format<\/code><\/td><td>\d+<\/td><td class="invalid">invalid/);
    expect(html).toMatch(new RegExp(`\\d+/${NODE_NAMES.length} graph nodes, \\d+ ACL rules?`));
  });

  test('the counterexample: details, replay line, scenario, EXPECTED vs RECEIVED per layer', () => {
    expect(html).toContain(`id="cx-${cxId()}"`);
    // no corpus in this run: the replay command names the report's counterexample folder, which holds case.json
    expect(html).toContain(`npx podflow replay ${join(folder, 'counterexamples', cxId())}`);
    expect(existsSync(join(folder, 'counterexamples', cxId(), 'case.json'))).toBe(true);
    expect(html).toContain('node:1:wire: vxlan vni is 11, expected 10 (reserved 0)');
    // the claims table: what the check saw, where, which layer and field, expected and received
    expect(html).toContain('<td><code>node:1:wire</code></td><td>vxlan vni</td><td><code>10 (reserved 0)</code></td><td><code>11</code></td>');
    expect(html).toContain('<h3>EXPECTED vs RECEIVED</h3>');
    expect(html).toContain('<h4>Per layer at <code>node:1:wire</code></h4>');
    // the VXLAN layer differs, the others are the same; the differing field is the VNI
    expect(html).toContain('<tr class="differs"><td>vxlan</td><td><code>VXLAN: flags 0x08 vni 10</code></td><td><code>VXLAN: flags 0x08 vni 11</code></td></tr>');
    expect(html).toContain('<tr><td>vxlan</td><td><code>vni</code></td><td><code>10 (0xa)</code></td><td><code>11 (0xb)</code></td></tr>');
    expect(html).toContain('policies.yaml');
  });

  test('the trace diff highlights the first divergent node with the seed step it violates', () => {
    expect(html).toContain(`First divergent node: <a href="#cx-${cxId()}-first-divergence"><b class="divnode">vxlan4-encap</b></a> on node 1 (request)`);
    expect(html).toContain('field vni: expected 10 (0xa), received 11 (0xb)');
    expect(html).toContain('seed step <span class="step hit">q8</span>');
    const row = new RegExp(`<tr class="divergent first" id="cx-${cxId()}-first-divergence"><td class="idx">\\d+</td><td><pre>([^<]*)</pre></td><td><pre>([^<]*)</pre>`).exec(html);
    expect(row).not.toBeNull();
    expect(row![1]).toMatch(/vxlan4-encap\n\s+VXLAN encap to vxlan_tunnel\d+ vni 10/);
    expect(row![2]).toMatch(/vxlan4-encap\n\s+VXLAN encap to vxlan_tunnel\d+ vni 11/);
    // node 2 diverges too (it decapsulates VNI 11), marked but not as the first
    expect(html).toMatch(/<tr class="divergent"><td class="idx">\d+<\/td><td><pre>[^<]*vxlan4-input\n\s+VXLAN decap from vxlan_tunnel\d+ vni 10/);
    expect(html.match(/class="divergent first"/g)).toHaveLength(1);
  });

  test('the picture: inline SVG with both nodes and the failure marked at the VXLAN tunnel of node 1', () => {
    expect(html).toContain('<svg ');
    expect(html).toContain('class="path-request"');
    expect(html).toMatch(/<g class="failure" data-feature="vxlan" data-node="1" data-vpp-node="vxlan4-encap">/);
    expect(html).toMatch(/<g class="features" data-node="1">/);
    expect(html).toMatch(/<g class="features" data-node="2">/);
    const svg = /<svg [\s\S]*?<\/svg>/.exec(html)![0];
    expect(markupProblems(svg, 'xml')).toEqual([]);
  });

  test('self-contained: no URLs, no scripts; links point into the run folder and the files exist', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(4);
    for (const h of hrefs) {
      if (h.startsWith('#')) {
        expect(html).toContain(`id="${h.slice(1)}"`);
        continue;
      }
      expect(existsSync(join(folder, h)), h).toBe(true);
    }
    const files = readdirSync(join(folder, 'counterexamples', cxId()));
    expect(files).toEqual(expect.arrayContaining(['scenario.json', 'policies.yaml', 'traces.json', 'trace-diff.txt', 'expected-node-1-wire.pcap', 'received-node-1-wire.pcap', 'expected-node-2-wire.pcap', 'received-node-2-wire.pcap']));
    expect(files.some((f) => /^expected-pod-.*-tx\.pcap$/.test(f))).toBe(true);
  });

  test('well-formed: tags balance (and xmllint --html agrees when installed)', () => {
    expect(markupProblems(html, 'html')).toEqual([]);
    const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      console.info('xmllint is not installed: the tag-balance check stands alone');
      return;
    }
    const r = spawnSync('xmllint', ['--html', '--noout', join(folder, 'report.html')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('trace-diff.txt and traces.json keep the failing connection, expected and received', () => {
    const cdir = join(folder, 'counterexamples', cxId());
    const text = readFileSync(join(cdir, 'trace-diff.txt'), 'utf8');
    expect(text).toContain('first divergence: node 1, record #');
    expect(text).toMatch(/>> \d\d:\d\d:\d\d:\d{6}: vxlan4-encap/);
    const data = parseCounterexampleData(readFileSync(join(cdir, 'traces.json'), 'utf8'));
    expect(data.packets.length).toBeGreaterThan(0);
    const req = data.packets.find((p) => p.direction === 'request')!;
    expect(req.expected!.traces.map((t) => t.nodeId)).toEqual([1, 2]);
    expect(req.received!.traces.map((t) => t.nodeId)).toEqual([1, 2]);
    const wire = req.received!.frames.find((f) => f.point === 'node:1:wire')!;
    expect(wire.layers.find((l) => l.kind === 'vxlan')).toMatchObject({ vni: 11 });
    expect(data.topology?.nodes.map((n) => n.id)).toEqual([1, 2]);
  });
});
