// The timeline of a counterexample (report.html, issue 13), Jepsen-style: one lane per pod (grouped by node, with a
// lane for the node itself), time flowing down, one row per call the check made on the adapter — each packet an
// arrow from the pod that sent it to the pods that received it (green) or, when nothing arrived, a dashed red arrow
// ending in a cross at the pod it was addressed to; each fault an orange band across the lanes it touched (a pod,
// a node, or every node); configuration calls as grey rows. Rows of packets a claim is about are marked red.
// Everything comes from the evidence (what the check saw), never re-enacted. Pure and deterministic; no scripts.
import type { AdapterTopology, Fault } from '../../adapters/adapter.ts';
import { decodePacket, ip4ToString } from '../../packet/index.ts';
import type { Evidence } from '../../properties/evidence.ts';
import type { Claim } from '../../properties/types.ts';

const LANE = 118;
const LEFT = 150;
const ROW = 24;
const HEAD = 46;
const MAX_ROWS = 400;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Lane {
  key: string;
  label: string;
  node: number;
}

/** One line on what a fault did, from its plain data. */
export function faultText(f: Fault): string {
  const rest = Object.entries(f)
    .filter(([k, v]) => k !== 'id' && k !== 'acls' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => `${k} ${String(v)}`);
  const item = (f as { item?: unknown }).item;
  if (item !== undefined && typeof item === 'object' && item !== null) rest.push(Object.values(item as Record<string, unknown>).filter((v) => typeof v === 'string' || typeof v === 'number').join(' '));
  if (f.id === 'acl-replaced') rest.push('tables re-rendered');
  return rest.length ? `${f.id} (${rest.join(', ')})` : f.id;
}

/** What a frame is, briefly: `TCP 10.1.1.2:40000 → 10.1.2.2:80 [S]`. */
function frameText(frame: Uint8Array): { text: string; dst?: string } {
  const layers = decodePacket(frame).layers;
  const ip = layers.find((l) => l.kind === 'ipv4') as { src: number; dst: number } | undefined;
  const l4 = layers.find((l) => l.kind === 'tcp' || l.kind === 'udp' || l.kind === 'icmp') as { kind: string; srcPort?: number; dstPort?: number; flags?: number; type?: number } | undefined;
  if (!ip) return { text: `${frame.length}-byte frame` };
  const [s, d] = [ip4ToString(ip.src), ip4ToString(ip.dst)];
  if (!l4) return { text: `${s} → ${d}`, dst: d };
  if (l4.kind === 'icmp') return { text: `ICMP ${s} → ${d} type ${l4.type}`, dst: d };
  const flags = l4.kind === 'tcp' ? ` [${['F', 'S', 'R', 'P', 'A'].filter((_, i) => ((l4.flags ?? 0) >> i) & 1).join('')}]` : '';
  return { text: `${l4.kind.toUpperCase()} ${s}:${l4.srcPort} → ${d}:${l4.dstPort}${flags}`, dst: d };
}

/**
 * The timeline SVG of the evidence, or undefined when there is nothing to draw (no setup with a topology, or no
 * packet sent). `claims` mark their packets' rows.
 */
export function timelineSvg(evidence: Evidence | undefined, claims: readonly Claim[] = [], idPrefix = 'tl'): string | undefined {
  if (!evidence) return undefined;
  const setup = evidence.steps.find((s) => s.op === 'setup') as { topology: AdapterTopology } | undefined;
  if (!setup || !evidence.steps.some((s) => s.op === 'inject')) return undefined;
  const lanes: Lane[] = [];
  const podIp = new Map<string, string>();
  for (const n of setup.topology.nodes) {
    for (const p of n.pods) {
      lanes.push({ key: `pod:${p.name}`, label: p.name, node: n.id });
      podIp.set(p.ip.replace(/\/\d+$/, ''), p.name);
    }
    lanes.push({ key: `node:${n.id}`, label: `node ${n.id}`, node: n.id });
  }
  const laneX = (key: string): number | undefined => {
    const i = lanes.findIndex((l) => l.key === key);
    return i < 0 ? undefined : LEFT + i * LANE + LANE / 2;
  };
  const claimed = new Map<number, number[]>();
  claims.forEach((c, i) => {
    if (c.packet !== undefined) claimed.set(c.packet, [...(claimed.get(c.packet) ?? []), i + 1]);
  });

  const body: string[] = [];
  let row = 0;
  let omitted = 0;
  const y = (): number => HEAD + row * ROW + ROW / 2;
  const label = (text: string, cls = 'lbl'): void => {
    body.push(`<text class="${cls}" x="6" y="${y() + 4}">${esc(text)}</text>`);
  };
  for (const step of evidence.steps) {
    if (row >= MAX_ROWS) {
      omitted++;
      continue;
    }
    switch (step.op) {
      case 'setup':
        label('data path configured', 'cfg');
        row++;
        break;
      case 'apply':
        label('ACLs applied', 'cfg');
        row++;
        break;
      case 'apply-services':
        label('Services applied', 'cfg');
        row++;
        break;
      case 'update-topology':
        label('pods changed', 'cfg');
        row++;
        break;
      case 'reset':
        label('sessions reset', 'cfg');
        row++;
        break;
      case 'config-state':
        label(`configuration read (${Object.values(step.state).reduce((n, l) => n + l.length, 0)} lines)`, 'cfg');
        row++;
        break;
      case 'session-state':
        label(`sessions read (${Object.values(step.state).reduce((n, t) => n + Object.keys(t).length, 0)})`, 'cfg');
        row++;
        break;
      case 'fault': {
        const f = step.fault as Fault & { node?: number; pod?: string };
        const touched = lanes.filter((l) => (f.pod !== undefined ? l.key === `pod:${f.pod}` : f.node !== undefined ? l.node === f.node : true));
        const xs = touched.map((l) => laneX(l.key)!);
        const [x0, x1] = [Math.min(...xs) - LANE / 2 + 4, Math.max(...xs) + LANE / 2 - 4];
        body.push(`<rect class="fault" x="${x0}" y="${y() - ROW / 2 + 3}" width="${x1 - x0}" height="${ROW - 6}" rx="3"/>`);
        body.push(`<text class="ftext" x="${(x0 + x1) / 2}" y="${y() + 4}" text-anchor="middle">${esc(faultText(f))}</text>`);
        label(`fault: ${f.id}`, 'flbl');
        row++;
        break;
      }
      case 'inject':
        for (const inj of step.injections) {
          if (row >= MAX_ROWS) {
            omitted++;
            continue;
          }
          const from = 'pod' in inj.from ? `pod:${inj.from.pod}` : `node:${inj.from.node}`;
          const sx = laneX(from) ?? LEFT;
          const { text, dst } = frameText(inj.frame);
          const marks = claimed.get(inj.packet);
          if (marks) body.push(`<rect class="claimed" x="0" y="${y() - ROW / 2}" width="${LEFT + lanes.length * LANE}" height="${ROW}"/>`);
          const rx = [...new Set(step.observation.captures.filter((c) => c.point.startsWith('pod:') && c.point.endsWith(':rx')).map((c) => c.point.slice(4, -3)))];
          if (rx.length > 0) {
            for (const to of rx) {
              const tx = laneX(`pod:${to}`);
              if (tx === undefined) continue;
              body.push(`<line class="ok" x1="${sx}" y1="${y()}" x2="${tx}" y2="${y()}" marker-end="url(#${idPrefix}-ok)"/>`);
            }
          } else {
            const target = dst !== undefined ? podIp.get(dst) : undefined;
            const tx = (target !== undefined ? laneX(`pod:${target}`) : undefined) ?? sx + LANE / 2;
            body.push(`<line class="lost" x1="${sx}" y1="${y()}" x2="${tx}" y2="${y()}"/>`);
            body.push(`<text class="cross" x="${tx}" y="${y() + 5}" text-anchor="middle">✕</text>`);
          }
          body.push(`<circle class="src" cx="${sx}" cy="${y()}" r="3"/>`);
          body.push(`<text class="ptext" x="${Math.min(sx, laneX(`pod:${rx[0] ?? ''}`) ?? sx) + 6}" y="${y() - 4}">${esc(text)}</text>`);
          label(`#${inj.packet} ${rx.length ? 'delivered' : 'dropped'}${marks ? ` — claim ${marks.join(', ')}` : ''}`, marks ? 'lbl bad' : 'lbl');
          row++;
        }
        break;
    }
  }
  if (omitted > 0) {
    label(`… ${omitted} more rows not drawn`, 'cfg');
    row++;
  }
  const width = LEFT + lanes.length * LANE + 10;
  const height = HEAD + row * ROW + 10;
  const head = lanes.map((l, i) => {
    const x = LEFT + i * LANE + LANE / 2;
    return `<line class="lane${l.key.startsWith('node:') ? ' nodelane' : ''}" x1="${x}" y1="${HEAD - 6}" x2="${x}" y2="${height - 6}"/><text class="lhead" x="${x}" y="${HEAD - 12}" text-anchor="middle">${esc(l.label)}</text>`;
  });
  const nodes = [...new Set(lanes.map((l) => l.node))].map((n) => {
    const mine = lanes.map((l, i) => ({ l, i })).filter((x) => x.l.node === n);
    const x0 = LEFT + mine[0]!.i * LANE + 2;
    const w = mine.length * LANE - 4;
    return `<rect class="nodebox" x="${x0}" y="4" width="${w}" height="16" rx="3"/><text class="nhead" x="${x0 + w / 2}" y="16" text-anchor="middle">node ${n}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline of the calls and faults of the case">`,
    `<defs><marker id="${idPrefix}-ok" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2e7d32"/></marker></defs>`,
    '<style>.lane{stroke:#bbb;stroke-dasharray:2 3}.nodelane{stroke:#999}.lhead{font:bold 10px sans-serif}.nhead{font:10px sans-serif;fill:#333}.nodebox{fill:#eceff1;stroke:#b0bec5}',
    '.lbl,.cfg,.flbl{font:10px monospace}.cfg{fill:#777}.flbl{fill:#e65100}.bad{fill:#b71c1c;font-weight:bold}.claimed{fill:#fdecea}',
    '.ok{stroke:#2e7d32;stroke-width:1.6}.lost{stroke:#c62828;stroke-width:1.6;stroke-dasharray:5 3}.cross{fill:#c62828;font:bold 13px sans-serif}.src{fill:#333}',
    '.ptext{font:9px monospace;fill:#444}.fault{fill:#ffe0b2;stroke:#ef6c00}.ftext{font:10px sans-serif;fill:#bf360c}</style>',
    ...nodes,
    ...head,
    ...body,
    '</svg>',
  ].join('\n');
}
