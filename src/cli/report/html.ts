// report.html: one self-contained page (inline CSS, no scripts, no external URLs). The run; per property its runs,
// verdict, time and coverage (graph nodes and ACL rules hit); per counterexample the details, the replay line,
// the scenario and policies, EXPECTED vs RECEIVED per layer at the first capture point where they differ, both
// traces side by side with the first divergent record marked and the seed step it violates, and the picture of
// the path through both nodes (svg.ts). Everything printed is escaped.
import { runCoverage } from '../coverage.ts';
import { NODE_NAMES } from '../../reference/node-names.ts';
import type { TraceRecord } from '../../trace/records.ts';
import { countCoverage, overallVerdict, replayCommands, type Counterexample, type PropertyResult, type RunResult } from '../results.ts';
import { analyzeCounterexample, hopsOf, MODEL_AGREES, type CxAnalysis, type HopDiff } from './analysis.ts';
import { claimEvidenceText, dirName, divergenceLine, fieldName, fmtField, fmtScalar, recordLines, stepText, summaries } from './format.ts';
import { timelineSvg } from './timeline.ts';
import { featureLabel, twoNodePathSvg, type PathFailure, type PathHop, type SvgNode } from './svg.ts';
import { pcapName, type CapturedFrame, type CounterexampleFiles, type CounterexamplePacket } from './types.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// ---------------------------------------------------------------------------------------------------------------
// Coverage

interface CoverageView {
  source: 'runs' | 'counterexamples' | 'none';
  nodes: [string, number][];
  acl: [string, number][];
}

function coverageOf(p: PropertyResult, files: readonly CounterexampleFiles[]): CoverageView {
  let cov: Record<string, number> = p.coverage ?? {};
  let source: CoverageView['source'] = 'runs';
  if (Object.keys(cov).length === 0) {
    cov = {};
    for (const cx of p.counterexamples) {
      const f = files.find((x) => x.id === cx.id);
      for (const pk of f?.packets ?? []) countCoverage([...(pk.expected?.traces ?? []), ...(pk.received?.traces ?? [])], cov);
    }
    source = Object.keys(cov).length > 0 ? 'counterexamples' : 'none';
  }
  const entries = Object.entries(cov).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { source, nodes: entries.filter(([k]) => !k.includes(' ')), acl: entries.filter(([k]) => k.startsWith('acl ')) };
}

function coverageCell(c: CoverageView): string {
  if (c.source === 'none') return '<td class="cov">—</td>';
  const known = new Set<string>(NODE_NAMES);
  const hit = c.nodes.filter(([k]) => known.has(k)).length;
  const missing = NODE_NAMES.filter((n) => !c.nodes.some(([k]) => k === n));
  const list = (xs: [string, number][]): string => xs.map(([k, v]) => `${esc(k)} ×${v}`).join(', ');
  return `<td class="cov"><details><summary>${hit}/${NODE_NAMES.length} graph nodes, ${c.acl.length} ACL rule${c.acl.length === 1 ? '' : 's'}${c.source === 'counterexamples' ? ' <small>(counterexample traces only)</small>' : ''}</summary>
<p><b>nodes:</b> ${list(c.nodes) || '—'}</p><p><b>ACL rules hit:</b> ${list(c.acl) || '—'}</p><p><b>not visited:</b> ${missing.map(esc).join(', ') || '—'}</p></details></td>`;
}

/** The run's coverage against the model's universe: per category hit/total and what is still unhit. */
function coverageSection(r: RunResult): string {
  const { summary, universe, total } = runCoverage(r);
  const rows = summary.filter((c) => c.total > 0 || c.extra.length > 0);
  if (rows.length === 0) return '';
  const keyList = (ks: readonly string[]): string => ks.map((k) => `<code>${esc(k)}</code>${total[k] !== undefined ? ` ×${total[k]}` : ''}`).join(', ') || '—';
  const body = rows
    .map((c) => `<tr><td>${esc(c.category)}</td><td>${c.total > 0 ? `${c.hit}/${c.total}` : c.extra.length}</td><td>${c.total > 0 ? keyList(c.unhit) : '—'}</td><td>${c.extra.length ? `<details><summary>${c.extra.length}</summary>${keyList(c.extra)}</details>` : '—'}</td></tr>`)
    .join('\n');
  const unreachable = Object.entries(universe.unreachable);
  return `<h2>Coverage</h2>
<table class="coverage"><tr><th>category</th><th>hit</th><th>unhit</th><th>seen, not in the model</th></tr>
${body}
</table>
${unreachable.length ? `<details><summary>not counted: ${unreachable.length} entries no well-formed input reaches</summary><ul>${unreachable.map(([k, why]) => `<li><code>${esc(k)}</code>: ${esc(why)}</li>`).join('')}</ul></details>` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections of a counterexample

function svgNodes(f: CounterexampleFiles | undefined, pk: readonly CounterexamplePacket[], hopsList: readonly PathHop[][]): SvgNode[] {
  const order: number[] = [];
  const add = (id: number | undefined): void => {
    if (id !== undefined && !order.includes(id)) order.push(id);
  };
  const first = pk[0];
  add(first?.client?.nodeId);
  add(first?.server?.nodeId);
  for (const hops of hopsList) for (const h of hops) add(h.nodeId);
  return order.map((id) => {
    const tn = f?.topology?.nodes.find((n) => n.id === id);
    const node: SvgNode = { id };
    if (tn) {
      node.name = tn.name;
      node.ip = tn.nodeIp.replace(/\/\d+$/, '');
      node.gbe = tn.gbe.name;
      const pods: NonNullable<SvgNode['pods']> = [];
      for (const [role, end] of [['client', first?.client], ['server', first?.server]] as const) {
        const pod = end ? tn.pods.find((p) => p.name === end.pod) : undefined;
        if (pod && !pods.some((x) => x.name === pod.name)) pods.push({ name: pod.name, ip: pod.ip, tap: pod.tap.name, role });
      }
      node.pods = pods;
    }
    return node;
  });
}

function pictureSection(cx: Counterexample, f: CounterexampleFiles | undefined, a: CxAnalysis): string {
  const primary = a.primary;
  if (!primary) return '';
  const conn = a.packets.filter((p) => p.pkt.connection === primary.pkt.connection);
  // The adapter's path; the reference's only when the adapter traced nothing of the connection.
  const receivedTraced = conn.some((x) => (x.pkt.received?.traces.length ?? 0) > 0);
  const from = receivedTraced ? 'received' : 'expected';
  const pathOf = (dir: 'request' | 'response'): { hops: PathHop[] } => {
    const p = conn.find((x) => x.pkt.direction === dir);
    return { hops: hopsOf(receivedTraced ? p?.pkt.received : p?.pkt.expected) };
  };
  const req = pathOf('request');
  const resp = pathOf('response');
  if (req.hops.length === 0 && resp.hops.length === 0) return '<h3>Path through the nodes</h3>\n<p class="note">No traces on either side, so there is no path to draw.</p>';
  let failure: PathFailure | undefined;
  if (primary.first) {
    const d = primary.first.div;
    // The feature comes from the expected path: where the adapter skipped or replaced a node, the marker shows
    // what should have run there.
    failure = { nodeId: primary.first.nodeId, path: primary.pkt.direction, hop: primary.first.hop, index: d.recordIndex, vppNode: d.node, kind: 'diverged', label: `${d.node}: ${d.field} expected ${fmtScalar(d.expected)}, received ${fmtScalar(d.actual)}` };
    if (primary.first.step) failure.feature = primary.first.step.feature;
  } else if (primary.drop) {
    const hops = primary.pkt.direction === 'request' ? req.hops : resp.hops;
    let hop = -1;
    let index = -1;
    hops.forEach((h, i) => {
      if (h.nodeId !== primary.drop!.nodeId) return;
      const names = h.nodes.map((x) => x.split('@')[0]);
      const j = names.lastIndexOf(primary.drop!.node);
      hop = i;
      index = j >= 0 ? j : h.nodes.length - 1;
    });
    failure = { nodeId: primary.drop.nodeId, vppNode: primary.drop.node, kind: 'dropped', label: `${primary.drop.node}: ${primary.drop.error}`, ...(hop >= 0 ? { path: primary.pkt.direction, hop, index } : {}) };
  }
  const nodes = svgNodes(f, conn.map((p) => p.pkt), [req.hops, resp.hops]);
  const svg = twoNodePathSvg({ nodes, requestPath: req.hops, responsePath: resp.hops, ...(failure ? { failure } : {}), idPrefix: `cx-${cx.id}`, title: primary.pkt.description });
  const note = from === 'expected' ? '<p class="note">The adapter does not trace: the expected (reference) path is drawn.</p>' : '';
  // Inline SVG in HTML needs no namespace declaration (and the page then names no URL at all).
  return `<h3>Path through the nodes</h3>\n${note}<div class="picture">${svg.replace(' xmlns="http://www.w3.org/2000/svg"', '')}</div>`;
}

/** The check's claims as it stated them: where, which layer and field, expected and received. */
/** The case's calls and faults in order, as the adapter answered them (timeline.ts). */
function timelineSection(cx: Counterexample, f: CounterexampleFiles | undefined): string {
  const svg = timelineSvg(f?.evidence ?? cx.evidence, cx.claims ?? [], `tl-${cx.id}`);
  if (!svg) return '';
  return `<h3>Timeline of calls and faults</h3>\n<p class="note">Time flows down: each packet from the pod that sent it to the pods that received it (a dashed red arrow ending in ✕: nothing arrived), each fault an orange band over what it touched; rows of packets a claim is about are red.</p><div class="picture">${svg.replace(' xmlns="http://www.w3.org/2000/svg"', '')}</div>`;
}

function claimsTable(cx: Counterexample): string {
  const rows = (cx.claims ?? []).map((c) => `<tr><td>${esc(c.message)}</td><td><code>${esc(c.point ?? '—')}</code></td><td>${esc([c.layer, c.field].filter(Boolean).join(' ') || '—')}</td><td><code>${esc(c.expected ?? '—')}</code></td><td><code>${esc(c.received ?? '—')}</code></td></tr>`);
  const excused = (cx.excused ?? []).map((x) => `<tr class="excused"><td>${esc(x.claim.message)} <small>(excused: known divergence <code>${esc(x.divergence)}</code>)</small></td><td><code>${esc(x.claim.point ?? '—')}</code></td><td>${esc([x.claim.layer, x.claim.field].filter(Boolean).join(' ') || '—')}</td><td><code>${esc(x.claim.expected ?? '—')}</code></td><td><code>${esc(x.claim.received ?? '—')}</code></td></tr>`);
  return `<table class="claims"><tr><th>what the check saw</th><th>capture point</th><th>layer / field</th><th>EXPECTED</th><th>RECEIVED</th></tr>${[...rows, ...excused].join('')}</table>`;
}

/**
 * Per claim, what the evidence shows at its capture point for its packet (analysis.ts): the point, present /
 * absent / different, and the claimed field there expected vs received; the data attributes say the same for tools.
 */
function claimEvidenceTable(a: CxAnalysis): string {
  if (a.claims.length === 0) return '';
  const rows = a.claims.map((c) => {
    const d = c.field;
    const attrs = `data-claim="${c.index}" data-point="${esc(c.claim.point ?? '')}" data-evidence="${c.evidence}"${d ? ` data-field="${esc(fieldName(d))}"` : ''}${c.supported !== undefined ? ` data-supported="${c.supported}"` : ''}`;
    const cls = c.evidence === 'same' || c.evidence === 'absent' ? 'same' : c.evidence === 'no-point' || c.evidence === 'no-packet' ? '' : 'differs';
    const where = c.evidence === 'no-point' ? '—' : `<code>${esc(c.claim.point ?? '—')}</code>${c.claim.packet !== undefined ? ` packet ${c.claim.packet}` : ''}`;
    const value = (v: unknown): string => (d ? `<code>${esc(fmtField(d.layer, d.field, v))}</code>` : '—');
    const warn = c.supported === false ? ' <b>— the evidence here does not bear the claim out</b>' : '';
    return `<tr class="claim-evidence${cls ? ` ${cls}` : ''}" ${attrs}><td>${c.index + 1}</td><td>${where}</td><td>${esc(claimEvidenceText(c, false))}${warn}</td><td>${d ? esc(fieldName(d)) : '—'}</td><td>${value(d?.expected)}</td><td>${value(d?.actual)}</td></tr>`;
  });
  return `<table class="claim-evidence"><tr><th>claim</th><th>capture point</th><th>the evidence there (EXPECTED: the reference model given the same calls)</th><th>claimed field there</th><th>EXPECTED</th><th>RECEIVED</th></tr>\n${rows.join('\n')}\n</table>`;
}

function layersSection(a: CxAnalysis, cx: Counterexample): string {
  const p = a.primary;
  const parts: string[] = ['<h3>EXPECTED vs RECEIVED</h3>'];
  parts.push(claimsTable(cx));
  const evidence = claimEvidenceTable(a);
  if (evidence) parts.push(evidence);
  if (a.modelAgrees) parts.push(`<p class="model-agrees"><b>${esc(MODEL_AGREES)}</b></p>`);
  if (!p) return parts.concat('<p class="note">The check injected no packet (it judges the rendering only): the claims above are the whole evidence.</p>').join('\n');
  const rows = p.points.map(({ point, expected: ef, received: rf, same }) => {
    const last = (fs: readonly CapturedFrame[]): string => (fs.length === 0 ? '(nothing)' : fs.map((x) => summaries(x.layers.filter((l) => l.kind !== 'ethernet')).join(' / ')).join('; '));
    return `<tr class="${same ? 'same' : 'differs'}"><td><code>${esc(point)}</code></td><td>${esc(last(ef))}</td><td>${esc(last(rf))}</td><td>${same ? 'same' : '<b>differs</b>'}</td></tr>`;
  });
  parts.push(`<p>${esc(dirName(p.pkt.direction))} of <b>${esc(p.pkt.description)}</b> — frames at each capture point:</p>`);
  parts.push(`<table class="points"><tr><th>capture point</th><th>EXPECTED</th><th>RECEIVED</th><th></th></tr>\n${rows.join('\n')}\n</table>`);
  const fd = p.frame;
  if (!fd) {
    parts.push('<p class="note">The frames are identical at every capture point.</p>');
    return parts.join('\n');
  }
  parts.push(`<h4>Per layer at <code>${esc(fd.point)}</code>${fd.occurrence > 0 ? ` (frame ${fd.occurrence + 1})` : ''}</h4>`);
  const es = summaries(fd.expected?.layers);
  const rs = summaries(fd.received?.layers);
  const n = Math.max(es.length, rs.length, 1);
  const layerRows: string[] = [];
  for (let i = 0; i < n; i++) {
    const bad = fd.diffs.some((d) => d.index === i) || !fd.expected || !fd.received;
    const kind = fd.expected?.layers[i]?.kind ?? fd.received?.layers[i]?.kind ?? '';
    layerRows.push(`<tr class="${bad ? 'differs' : 'same'}"><td>${esc(kind)}</td><td><code>${esc(es[i] ?? (fd.expected ? '' : '(no frame)'))}</code></td><td><code>${esc(rs[i] ?? (fd.received ? '' : '(no frame)'))}</code></td></tr>`);
  }
  parts.push(`<table class="layers"><tr><th>layer</th><th>EXPECTED</th><th>RECEIVED</th></tr>\n${layerRows.join('\n')}\n</table>`);
  if (fd.diffs.length > 0) {
    const kinds = new Map<number, string>();
    const dr = fd.diffs.map((d) => {
      const layer = d.layer === 'missing' ? 'missing' : d.layer;
      kinds.set(d.index, layer);
      return `<tr><td>${esc(layer)}${d.occurrence > 0 ? ` #${d.occurrence + 1}` : ''}</td><td><code>${esc(d.field)}</code></td><td><code>${esc(fmtField(layer, d.field, d.expected))}</code></td><td><code>${esc(fmtField(layer, d.field, d.actual))}</code></td></tr>`;
    });
    parts.push(`<table class="fields"><tr><th>layer</th><th>field</th><th>EXPECTED</th><th>RECEIVED</th></tr>\n${dr.join('\n')}\n</table>`);
  } else if (!fd.received) {
    parts.push('<p class="note">RECEIVED: no frame at this capture point.</p>');
  } else if (!fd.expected) {
    parts.push('<p class="note">EXPECTED: no frame at this capture point.</p>');
  }
  return parts.join('\n');
}

/** Both traces of one node, record by record; the divergent record highlighted (`anchor`: the first divergence). */
function traceTable(h: HopDiff, anchor?: string): string {
  const n = Math.max(h.expected?.length ?? 0, h.received?.length ?? 0);
  const rows: string[] = [];
  const div = h.diff.first?.recordIndex;
  for (let i = 0; i < n; i++) {
    const e = h.expected?.[i];
    const a = h.received?.[i];
    const cls = i !== div ? '' : anchor !== undefined ? ` class="divergent first" id="${esc(anchor)}"` : ' class="divergent"';
    const cell = (r: TraceRecord | undefined): string => (r ? `<pre>${esc(recordLines(r).join('\n'))}</pre>` : '<pre class="none">—</pre>');
    rows.push(`<tr${cls}><td class="idx">${i}</td><td>${cell(e)}</td><td>${cell(a)}</td></tr>`);
  }
  return `<table class="trace"><tr><th>#</th><th>EXPECTED (reference)</th><th>RECEIVED (adapter)</th></tr>\n${rows.join('\n')}\n</table>`;
}

function seedStepChips(steps: readonly string[], hit: string | undefined): string {
  return steps.map((s) => `<span class="step${s === hit ? ' hit' : ''}" title="${esc(stepText(s))}">${esc(s)}</span>`).join(' ');
}

function traceSection(cx: Counterexample, a: CxAnalysis): string {
  const p = a.primary;
  if (!p || p.hops.length === 0) return `<h3>Trace diff</h3>\n<p class="note">No traces to compare (${p ? 'the adapter does not trace' : 'only generated cluster cases are re-run for traces'}).</p>`;
  const parts: string[] = ['<h3>Trace diff</h3>'];
  if (p.first) {
    const d = p.first.div;
    const step = p.first.step?.seedStep;
    const inProperty = step !== undefined && cx.seedSteps.includes(step);
    parts.push(
      `<p class="first-divergence">First divergent node: <a href="#cx-${esc(cx.id)}-first-divergence"><b class="divnode">${esc(d.node)}</b></a> on node ${p.first.nodeId} (${esc(dirName(p.pkt.direction))}), ${esc(divergenceLine(d))}.` +
        (p.first.step ? ` Feature: <i>${esc(featureLabel(p.first.step.feature))}</i>` : '') +
        (step ? `, seed step <span class="step hit">${esc(step)}</span>${stepText(step) ? `: ${esc(stepText(step))}` : ''}${inProperty ? ' — one of the property\'s seed steps' : ''}` : '') +
        '.</p>',
    );
  } else if (p.traced) {
    parts.push(`<p class="note">Both traces agree on every node (volatile fields masked)${p.drop ? `; the adapter dropped the packet at ${esc(p.drop.node)} on node ${p.drop.nodeId}: ${esc(p.drop.error)}` : ''}.</p>`);
  } else {
    parts.push('<p class="note">Only one side traced this packet.</p>');
  }
  parts.push(`<p>The property's seed steps: ${seedStepChips(cx.seedSteps, p.first?.step?.seedStep)}</p>`);
  for (const h of p.hops) {
    const head = `node ${h.nodeId}: ${h.diff.first ? `diverges at ${divergenceLine(h.diff.first)}` : `identical (${h.diff.maskedFields} volatile fields masked)`}`;
    const open = h.diff.first ? ' open' : '';
    const anchor = p.first && p.first.hop === h.hop ? `cx-${cx.id}-first-divergence` : undefined;
    parts.push(`<details class="hop"${open}><summary>${esc(head)}</summary>\n${traceTable(h, anchor)}\n</details>`);
  }
  const others = a.packets.filter((x) => x !== p);
  if (others.length > 0) {
    const o = others.map((x) => {
      const s = x.first ? `first divergence on node ${x.first.nodeId}: ${divergenceLine(x.first.div)}` : x.frame ? `frames differ at ${x.frame.point}` : 'same as expected';
      return `<details class="hop"><summary>${esc(`${dirName(x.pkt.direction)} of ${x.pkt.description}: ${s}`)}</summary>\n${x.hops.map((h) => traceTable(h)).join('\n')}\n</details>`;
    });
    parts.push(`<h4>Other packets of the case</h4>\n${o.join('\n')}`);
  }
  return parts.join('\n');
}

function scenarioSection(f: CounterexampleFiles | undefined, a: CxAnalysis): string {
  const parts: string[] = ['<h3>Scenario</h3>'];
  const conns = [...new Set(a.packets.map((p) => p.pkt.description))];
  if (conns.length > 0) parts.push(`<p>Connection${conns.length > 1 ? 's' : ''}: ${conns.map((c) => `<code>${esc(c)}</code>`).join(', ')}</p>`);
  const topo = f?.topology;
  if (topo) {
    const rows = topo.nodes.map(
      (n) => `<tr><td>${n.id}</td><td>${esc(n.name)}</td><td>${esc(n.nodeIp)}</td><td>${esc(n.gbe.name)}</td><td>${n.pods.map((p) => `${esc(p.name)} ${esc(p.ip)} (${esc(p.tap.name)})`).join('<br/>') || '—'}</td></tr>`,
    );
    parts.push(`<table class="topology"><tr><th>node</th><th>name</th><th>IP</th><th>NIC</th><th>pods</th></tr>\n${rows.join('\n')}\n</table>`);
  }
  if (f?.policiesYaml !== undefined) parts.push(`<details><summary>policies.yaml</summary><pre>${esc(f.policiesYaml)}</pre></details>`);
  return parts.join('\n');
}

function filesSection(cx: Counterexample, f: CounterexampleFiles | undefined): string {
  if (!f) return '';
  const base = `counterexamples/${cx.id}`;
  const link = (name: string, label = name): string => `<a href="${esc(`${base}/${name}`)}">${esc(label)}</a>`;
  const links: string[] = [];
  if (f.scenario !== undefined) links.push(link('scenario.json'));
  if (f.policiesYaml !== undefined) links.push(link('policies.yaml'));
  if ((f.packets?.length ?? 0) > 0) links.push(link('traces.json'), link('trace-diff.txt'));
  const pcaps: string[] = [];
  const points = [...new Set([...(f.expected?.keys() ?? []), ...(f.received?.keys() ?? [])])];
  for (const pt of points) {
    const e = f.expected?.has(pt) ? link(`expected-${pcapName(pt)}.pcap`, 'expected') : 'expected: none';
    const r = f.received?.has(pt) ? link(`received-${pcapName(pt)}.pcap`, 'received') : 'received: none';
    pcaps.push(`<li><code>${esc(pt)}</code>: ${e}, ${r}</li>`);
  }
  return `<h3>Files</h3>\n<p>${links.join(' · ')}</p>${pcaps.length > 0 ? `\n<ul class="pcaps">${pcaps.join('')}</ul>` : ''}`;
}

/** The triage badge of a counterexample (triage.ts): new, or known with the run that first had it. */
function triageBadge(cx: Counterexample): string {
  const t = cx.triage;
  if (!t) return '';
  const sig = cx.signature !== undefined ? ` title="failure signature ${esc(cx.signature)}"` : '';
  if (t.status === 'new') return ` <span class="badge new"${sig}>new</span>`;
  const since = t.firstSeenRun !== undefined ? ` since <code>${esc(t.firstSeenRun)}</code>` : t.corpusEntry !== undefined ? ` (corpus <code>${esc(t.corpusEntry)}</code>)` : '';
  return ` <span class="badge known"${sig}>known${since}</span>`;
}

/** The run's failures triaged: new ones first, then known ones, then the known divergences (excused, not failures). */
function triageSection(r: RunResult): string {
  const all = r.properties.flatMap((p) => p.counterexamples.map((cx) => ({ p, cx })));
  const divergences = r.properties.flatMap((p) => Object.entries(p.knownDivergences ?? {}).map(([id, n]) => `<li><code>${esc(p.id)}</code>: <span class="badge known">known divergence</span> <code>${esc(id)}</code>, ${n} case${n === 1 ? '' : 's'} (excused, not a failure)</li>`));
  if (!all.some(({ cx }) => cx.triage) && divergences.length === 0) return '';
  const rank = (s: string | undefined): number => (s === 'new' ? 0 : s === 'known' ? 1 : 2);
  const items = all
    .filter(({ cx }) => cx.triage)
    .sort((a, b) => rank(a.cx.triage?.status) - rank(b.cx.triage?.status))
    .map(({ p, cx }) => `<li><code>${esc(p.id)}</code>: <a href="#cx-${esc(cx.id)}">${esc(cx.id)}</a>${triageBadge(cx)}</li>`);
  const count = (s: string): number => all.filter(({ cx }) => cx.triage?.status === s).length;
  return `<h2>Triage</h2>\n<p>${count('new')} new, ${count('known')} known, ${divergences.length} known divergence${divergences.length === 1 ? '' : 's'}</p>\n<ul class="triage">${[...items, ...divergences].join('')}</ul>`;
}

function counterexampleSection(r: RunResult, p: PropertyResult, cx: Counterexample, f: CounterexampleFiles | undefined): string {
  const a = analyzeCounterexample(f, cx);
  return `<section class="counterexample" id="cx-${esc(cx.id)}">
<h2>${esc(p.id)} — counterexample <code>${esc(cx.id)}</code>${triageBadge(cx)}</h2>
<p class="details">${esc(cx.details)}</p>
<p>${esc(p.description)}</p>
<h3>Replay</h3>
<pre class="replay">${replayCommands(r, p, cx).map(esc).join('\n')}</pre>
${cx.triage?.keptAs !== undefined ? `<p class="note">The corpus keeps a smaller case of this failure: entry <code>${esc(cx.triage.keptAs)}</code> (this one was not added).</p>` : ''}
${scenarioSection(f, a)}
${layersSection(a, cx)}
${traceSection(cx, a)}
${pictureSection(cx, f, a)}
${timelineSection(cx, f)}
${filesSection(cx, f)}
<details><summary>the shrunk case (JSON)</summary><pre>${esc(JSON.stringify(cx.case, null, 2) ?? 'undefined')}</pre></details>
</section>`;
}

const CSS = `body{font-family:Helvetica,Arial,sans-serif;margin:1.5em 2em;color:#222}
h1 .valid,td.valid{color:#1b5e20}h1 .invalid,td.invalid{color:#b71c1c}h1 .unknown,td.unknown{color:#8d6e00}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top;text-align:left}
tr.invalid{background:#fdecea}tr.unknown{background:#fff8e1}tr.valid{background:#f1f8e9}
tr.differs{background:#fdecea}tr.divergent td{background:#ffecec}tr.divergent.first td{background:#ffd7d7;outline:2px solid #d00000}
pre{background:#f6f6f6;padding:6px;margin:0;overflow:auto;font-size:12px}
table.trace pre{background:transparent;padding:0}table.trace td.idx{color:#777}
.step{display:inline-block;border:1px solid #999;border-radius:3px;padding:0 4px;font-family:monospace}
.step.hit{background:#d00000;color:#fff;border-color:#d00000}
.divnode{color:#d00000}.note{color:#555;font-style:italic}.model-agrees{color:#0d47a1}
section.counterexample{border-top:3px solid #b71c1c;margin-top:2em;padding-top:.5em}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:70%;vertical-align:middle;font-weight:normal}.badge.new{background:#b71c1c;color:#fff}.badge.known{background:#e0e0e0;color:#333}
.picture{margin:.5em 0}details{margin:.3em 0}summary{cursor:pointer}td.cov details{margin:0}`;

export function reportHtml(r: RunResult, files: CounterexampleFiles[]): string {
  const verdict = overallVerdict(r);
  const count = (v: string): number => r.properties.filter((p) => p.verdict === v).length;
  const o = r.info.options;
  const info: [string, string][] = [
    ['adapter', `<code>${esc(r.info.adapter)}</code>`],
    ['seed', String(r.info.seed)],
    ['budget', o.runs !== undefined ? `${o.runs} runs per property` : `time ${esc(o.time ?? '—')}`],
    ['properties', `${r.properties.length}: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown`],
  ];
  if (o.shard) info.push(['shard', `${o.shard.index}/${o.shard.count}`]);
  if (r.info.mergedFrom) info.push(['merged from', r.info.mergedFrom.map((x) => `<code>${esc(x)}</code>`).join(', ')]);
  info.push(['versions', `podflow ${esc(r.info.podflowVersion)}${r.info.gitCommit ? ` (commit <code>${esc(r.info.gitCommit.slice(0, 12))}</code>)` : ''}, node ${esc(r.info.nodeVersion)}`]);
  if (r.info.dataPath) info.push(['data path', esc(r.info.dataPath)]);
  if (r.info.interrupted) info.push(['interrupted', 'yes — the results cover what ran before Ctrl-C']);
  const rows = r.properties
    .map((p) => {
      const cxs = p.counterexamples.map((cx) => `<a href="#cx-${esc(cx.id)}">${esc(cx.id)}</a>${cx.triage ? ` <span class="badge ${cx.triage.status}">${cx.triage.status}</span>` : ''}`).join(' ');
      return `<tr class="${p.verdict}"><td><code>${esc(p.id)}</code></td><td>${p.runs}</td><td class="${p.verdict}">${p.verdict}${cxs ? ` ${cxs}` : ''}</td><td>${(p.timeMs / 1000).toFixed(1)} s</td>${coverageCell(coverageOf(p, files))}<td>${seedStepChips(p.seedSteps, undefined)}</td></tr>`;
    })
    .join('\n');
  const unknowns = r.properties
    .filter((p) => p.unknownReasons.length > 0)
    .map((p) => `<li><code>${esc(p.id)}</code>: ${p.unknownReasons.map(esc).join('; ')}</li>`)
    .join('\n');
  const cxs = r.properties.flatMap((p) => p.counterexamples.map((cx) => counterexampleSection(r, p, cx, files.find((x) => x.id === cx.id)))).join('\n');
  const triage = triageSection(r);
  const coverage = coverageSection(r);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>podflow ${esc(r.info.runId)}: ${verdict}</title>
<style>${CSS}</style>
</head><body>
<h1>podflow fuzz <code>${esc(r.info.runId)}</code>: <span class="${verdict}">${verdict}</span></h1>
<table class="run">${info.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>
<h2>Properties</h2>
<table class="properties"><tr><th>property</th><th>runs</th><th>verdict</th><th>time</th><th>coverage</th><th>seed steps</th></tr>
${rows}
</table>
${unknowns ? `<h2>Unknown</h2>\n<ul>${unknowns}</ul>` : ''}
${coverage}
${triage}
${cxs}
</body></html>
`;
}
