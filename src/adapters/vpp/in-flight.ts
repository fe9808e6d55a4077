// Frames still in flight in a VPP lab, from the interface counters `show interface` prints. The lab's underlay
// floods (learning off): a frame one node's main NIC transmits reaches the main NIC of every other node whose NIC
// is up, and a packet-generator stream shows as received on its source interface once VPP ran it. VPP counts a
// frame received in the same graph dispatch that carries it to its end (a pod, the wire, a drop), so when every
// transmitted frame is counted received, and every stream's frames too, nothing of the exchange is still under way.
// On a loaded machine (four VPPs on two cores) a node can be off the CPU for longer than any fixed quiet window:
// the counters, not the clock, say when an exchange is over.

export interface InterfaceCounters {
  up: boolean;
  rx: number;
  tx: number;
}

/**
 * `show interface` (VPP 26.06): per interface, its admin state and `rx packets` / `tx packets` (0 when VPP prints
 * none: it leaves zero counters out). Text that has no interface table is an error naming what is missing.
 */
export function interfaceCounters(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  let cur: InterfaceCounters | undefined;
  let header = false;
  for (const raw of text.split('\n')) {
    const l = raw.trimEnd();
    if (/^\s*Name\s+Idx\s+State\s+MTU/.test(l)) {
      header = true;
      continue;
    }
    if (!header || l.trim() === '') continue;
    let counter = l;
    const row = /^(\S+)\s+\d+\s+(up|down)\s+\S+\s*(.*)$/.exec(l);
    if (row) {
      cur = { up: row[2] === 'up', rx: 0, tx: 0 };
      out.set(row[1]!, cur);
      counter = row[3]!;
    }
    const m = /^\s*(rx packets|tx packets)\s+(\d+)$/.exec(counter);
    if (m && cur) cur[m[1] === 'rx packets' ? 'rx' : 'tx'] = Number(m[2]);
  }
  if (!header) throw new Error('`show interface`: no "Name Idx State MTU" table');
  return out;
}

/** A stream podflow started: `count` frames that VPP counts received on `ifc` of lab node `node` once it ran them. */
export interface StreamSent {
  node: number;
  ifc: string;
  count: number;
}

/**
 * How many frames are still unaccounted for between two readings of every node's counters (`base` before the
 * streams were enabled, `now`), keyed by node; `gbe` names each node's main NIC. A counter that went down (cleared
 * or the node restarted) says nothing, and counts as nothing missing.
 */
export function framesInFlight(
  base: Map<number, Map<string, InterfaceCounters>>,
  now: Map<number, Map<string, InterfaceCounters>>,
  gbe: Map<number, string>,
  streams: StreamSent[],
): number {
  /** undefined: no evidence (the interface is missing from a reading, or its counter went down) */
  const delta = (node: number, ifc: string, dir: 'rx' | 'tx'): number | undefined => {
    const a = base.get(node)?.get(ifc)?.[dir];
    const b = now.get(node)?.get(ifc)?.[dir];
    return a === undefined || b === undefined || b < a ? undefined : b - a;
  };
  const upGbe = (node: number): boolean => {
    const g = gbe.get(node);
    return g !== undefined && base.get(node)?.get(g)?.up === true && now.get(node)?.get(g)?.up === true;
  };
  let missing = 0;
  const expectRx = new Map<string, number>();
  const want = (node: number, ifc: string, n: number): void => {
    const k = JSON.stringify([node, ifc]);
    expectRx.set(k, (expectRx.get(k) ?? 0) + n);
  };
  for (const s of streams) want(s.node, s.ifc, s.count);
  const nodes = [...now.keys()].filter(upGbe);
  for (const n of nodes) {
    const others = nodes.filter((m) => m !== n).reduce((sum, m) => sum + (delta(m, gbe.get(m)!, 'tx') ?? 0), 0);
    if (others > 0) want(n, gbe.get(n)!, others);
  }
  for (const [k, n] of expectRx) {
    const [node, ifc] = JSON.parse(k) as [number, string];
    const got = delta(node, ifc, 'rx');
    if (got !== undefined) missing += Math.max(0, n - got);
  }
  return missing;
}

/**
 * Frames an af_packet NIC's TX ring still holds for the kernel (`show hardware-interfaces <nic>`: `request:N` of
 * its TX queues, VPP 26.06); 0 for a NIC that prints none (another driver).
 */
export function stuckTxRequests(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/\bavailable:\d+ request:(\d+) sending:\d+/g)) n += Number(m[1]);
  return n;
}
