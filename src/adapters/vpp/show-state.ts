// A VPP node's configuration as its `show` commands print it, reduced to what configuration decides (Adapter.
// configState): static neighbours, static L2 FIB entries, what each FIB prefix forwards to, interfaces with their
// state, addresses and bridge membership, the ACLs attached to each interface (by their rules: indices are VPP's to
// hand out), NAT44 interface roles, static and identity mappings and pool. Ages, counters, DPO and adjacency
// indices, sessions and learned entries are left out: they change without any configuration changing.
// Pure text in, sorted lines out; the commands are SHOW_COMMANDS.

export const SHOW_COMMANDS = {
  neighbours: 'show ip neighbors',
  l2fib: 'show l2fib verbose',
  fib: 'show ip fib table 0',
  interfaces: 'show interface address',
  ifIndex: 'show interface',
  acls: 'show acl-plugin acl',
  aclInterfaces: 'show acl-plugin interface',
  natInterfaces: 'show nat44 interfaces',
  natMappings: 'show nat44 static mappings',
  natPool: 'show nat44 addresses',
} as const;

export type ShowOutputs = Record<keyof typeof SHOW_COMMANDS, string>;

const lines = (t: string): string[] => t.split('\n').map((l) => l.trimEnd());

/** `show ip neighbors`: the static entries, `<ip> <mac> <interface> static`. */
export function staticNeighbours(text: string): string[] {
  const out: string[] = [];
  for (const l of lines(text)) {
    const m = /^\s*\S+\s+(\d+\.\d+\.\d+\.\d+)\s+(\S+)\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\S+)\s*$/.exec(l);
    if (m && m[2]!.includes('S')) out.push(`${m[1]} ${m[3]} ${m[4]} static`);
  }
  return out.sort();
}

/** `show l2fib verbose`: the static entries, `bd <id> <mac> <interface> static[ bvi]`. */
export function staticL2fib(text: string): string[] {
  const out: string[] = [];
  for (const l of lines(text)) {
    const m = /^\s*([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\d+)\s+\d+\s+\S+\s+\S+\s+([*-])\s+([*-])\s+([*-])\s+(\S+)\s*$/.exec(l);
    if (m && m[3] === '*') out.push(`bd ${m[2]} ${m[1]} ${m[6]} static${m[5] === '*' ? ' bvi' : ''}`);
  }
  return out.sort();
}

/**
 * `show ip fib table 0`: per prefix what it forwards to — `drop`, `receive <addr> on <if>`, `via <addr> <if>` (a
 * recursive route as the adjacency it resolves to), `glean <if>` — without load-balance and adjacency indices.
 */
export function fibForwarding(text: string): string[] {
  const out: string[] = [];
  let prefix: string | undefined;
  let what: string[] = [];
  const flush = (): void => {
    if (prefix !== undefined) out.push(`${prefix} ${what.length ? [...new Set(what)].join(', ') : 'unresolved'}`);
  };
  for (const l of lines(text)) {
    const p = /^(\d+\.\d+\.\d+\.\d+\/\d+)$/.exec(l.trim());
    if (p && !l.startsWith(' ')) {
      flush();
      prefix = p[1];
      what = [];
      continue;
    }
    if (prefix === undefined) continue;
    let m: RegExpExecArray | null;
    if (/dpo-drop/.test(l)) what.push('drop');
    else if ((m = /dpo-receive: (\S+) on (\S+)/.exec(l))) what.push(`receive ${m[1]} on ${m[2]}`);
    else if ((m = /ipv4 via (\S+) ([^:\s]+):/.exec(l))) what.push(`via ${m[1]} ${m[2]}`);
    else if ((m = /ipv4-glean: \[src:[^\]]*\] ([^:\s]+):/.exec(l))) what.push(`glean ${m[1]}`);
  }
  flush();
  return out.sort();
}

/** `show interface address`: `<if> <up|dn>` and each of its `L2 …`/`L3 …` lines. */
export function interfaceAddresses(text: string): string[] {
  const out: string[] = [];
  let ifc: string | undefined;
  for (const l of lines(text)) {
    const h = /^(\S+) \((up|dn)\):$/.exec(l);
    if (h) {
      ifc = h[1];
      out.push(`${ifc} ${h[2]}`);
    } else if (ifc && /^\s+L[23] /.test(l)) out.push(`${ifc} ${l.trim().replace(/\s+/g, ' ')}`);
  }
  return out.sort();
}

/** `show interface`: sw_if_index → name. */
export function interfaceNames(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const l of lines(text)) {
    const x = /^(\S+)\s+(\d+)\s+(up|down)\s/.exec(l);
    if (x) m.set(Number(x[2]), x[1]!);
  }
  return m;
}

/** `show acl-plugin acl`: index → its rules, one text (`permit+reflect src … ; deny …`). */
export function aclRules(text: string): Map<number, string> {
  const acls = new Map<number, string[]>();
  let cur: string[] | undefined;
  for (const l of lines(text)) {
    const h = /^acl-index (\d+) /.exec(l);
    if (h) {
      cur = [];
      acls.set(Number(h[1]), cur);
      continue;
    }
    const r = /^\s+\d+: ipv4 (.*)$/.exec(l);
    if (r && cur) cur.push(r[1]!.replace(/\s+/g, ' '));
  }
  return new Map([...acls].map(([i, r]) => [i, r.join(' ; ')]));
}

/** `show acl-plugin interface` with the ACLs' rules: `<if> input|output [<rules>] [<rules>]…` in list order. */
export function aclAttachments(text: string, rules: Map<number, string>, names: Map<number, string>): string[] {
  const out: string[] = [];
  let sw: number | undefined;
  for (const l of lines(text)) {
    const h = /^sw_if_index (\d+):/.exec(l);
    if (h) {
      sw = Number(h[1]);
      continue;
    }
    const a = /^\s+(input|output) acl\(s\): ([\d, ]*)$/.exec(l);
    if (a && sw !== undefined) {
      const list = a[2]!.split(/[,\s]+/).filter((x) => x !== '').map(Number);
      if (list.length) out.push(`${names.get(sw) ?? `sw_if_index ${sw}`} ${a[1]} ${list.map((i) => `[${rules.get(i) ?? `acl ${i} (not defined)`}]`).join(' ')}`);
    }
  }
  return out.sort();
}

/** The indented lines of a NAT44 listing (`show nat44 interfaces|static mappings|addresses`), trimmed. */
export function natLines(text: string): string[] {
  return lines(text)
    .filter((l) => /^\s*\S/.test(l) && !/^NAT44 .*:$/.test(l) && !/tenant VRF/.test(l))
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .sort();
}

/** One node's configuration state from the outputs of SHOW_COMMANDS, by `node <id> <what>`. */
export function vppConfigState(node: number, o: ShowOutputs): Record<string, string[]> {
  const n = `node ${node}`;
  return {
    [`${n} interfaces`]: interfaceAddresses(o.interfaces),
    [`${n} routes`]: fibForwarding(o.fib),
    [`${n} neighbours`]: staticNeighbours(o.neighbours),
    [`${n} l2fib`]: staticL2fib(o.l2fib),
    [`${n} acls`]: aclAttachments(o.aclInterfaces, aclRules(o.acls), interfaceNames(o.ifIndex)),
    [`${n} nat44`]: [...natLines(o.natInterfaces).map((l) => `interface ${l}`), ...natLines(o.natMappings), ...natLines(o.natPool).map((l) => `pool ${l}`)].sort(),
  };
}
