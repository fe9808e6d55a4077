// The ACL configuration of one node (Global, Reflective and per-pod tables, docs/datapath.md §3.1) as one nftables
// ruleset, loaded atomically (`flush ruleset` and the tables in one `nft -f`). Pure; unit-tested without root.
//
// VPP placement → netfilter (§3.3): an input ACL of interface X filters what X receives, before routing; an
// output ACL filters what X sends, after routing. Routed traffic meets both in the forward hook (iifname, then
// oifname); the outer VXLAN packets meet gbe's ACLs in the input and output hooks. loop0's input ACL runs a
// second time on the L2 path, after its output ACL, for what is routed out through the BVI (§3.4).
//
// Rules are first-match (one nft rule per ACL rule, in order); an attached list that matches nothing denies
// (§8.2). Sessions (§8.4) are conntrack entries with one ct mark bit per (interface, direction of the packet
// that created the session on that interface's input side): a permit+reflect match on X's input by a packet of
// direction d sets bit(X, d); later packets of direction d on X's input and of the other direction on X's
// output hit it before any rule (a reflect on output sets bit(X, ¬d), mirroring the key as VPP does). An
// interface that lost every ACL gets a fresh bit when it gains one again (its old sessions are gone, §8.4).
//
// NAT (§3.2, §9): Contiv source-NATs external traffic leaving the main NIC to the node IP with identity
// mappings for the node IP, so VXLAN (whose outer source is the node IP) is never translated. Rendered as a
// masquerade on gbe for every source but the node's own address (also what pods send outside, §17).
//
// Services (§16.2): Contiv's NAT44 static mappings with load balancing as DNAT in prerouting (before routing, as
// VPP's nat44-out2in comes before ip4-lookup): per external address and port, `dnat to numgen random mod W map`
// over the locals, each local taking as many of the W buckets as its probability (VPP draws a local with the
// same weights); a sole local is a plain `dnat to`. Replies are translated back by conntrack (VPP: the session).
// Self-twice-NAT: a packet a local sent that was translated to that same local gets the twice-NAT pool address
// (the NAT loopback) as source in postrouting (`ct status dnat` and source = destination). `out2in-only` and the
// interfaces' `in` roles have no Linux counterpart: every interface is `out` in Contiv (§16.2), so DNAT applies to
// whatever arrives, as here.
//
// tap0 (§17): Linux gives no device a group MAC, and Contiv's tap0 MAC 01:23:45:67:89:42 is one. tap0 keeps its
// own MAC; a netdev ingress chain accepts frames sent to Contiv's as the device's own (`meta pkttype set host`, or
// forwarding drops them), and a netdev egress chain writes Contiv's as the source of what tap0 sends.
import { VXLAN_PORT } from '../../packet/index.ts';
import type { AdapterAclConfig, AdapterNode, AdapterServiceConfig } from '../adapter.ts';
import { TAP0_MAC } from '../host.ts';
import { addressOf, BVI_IF, GBE_IF, isIp, linuxInterfaceMap, TAP0_IF } from './names.ts';

export type NodeAcls = AdapterAclConfig[string];
type AclRuleSpec = NodeAcls['tables'][number]['rules'][number];

/** Deliberately wrong renderings, for checking that the suite catches them. */
export interface KernelFaults {
  /** permit+reflect rules permit without creating a session (responses to isolated pods are dropped) */
  noReflectiveRule?: boolean;
  /** the outer VXLAN packet is source-NATed to the BVI address */
  snatVxlan?: boolean;
}

export interface NftOptions {
  /** bit slot (0..15) per Linux interface that has ACLs; from allocateSessionSlots */
  slots: ReadonlyMap<string, number>;
  /**
   * VPP ≥ 18.04 maps ICMP echo replies onto the request's session; 18.01 does not (§8.3): echo replies leaving an
   * interface are judged by its rules. Default false (profile vpp-18.01-contiv).
   */
  icmpRepliesHitSessions?: boolean;
  faults?: KernelFaults;
  /** the node's Services (applyServices), rendered as DNAT and self-twice-NAT */
  services?: AdapterServiceConfig[string];
}

export const NFT_TABLE = 'podflow';
export const NFT_NAT_TABLE = 'podflow_nat';
export const MAX_SESSION_SLOTS = 16;

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** A chain name for a Linux interface name (nft identifiers: letters, digits, underscore). */
export function chainName(dir: 'in' | 'out', ifname: string): string {
  return `acl_${dir}_${ifname.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export interface ResolvedAttachment {
  ifname: string;
  input: NodeAcls['tables'][number][];
  output: NodeAcls['tables'][number][];
}

/** The attachments with Linux names and their tables in order; a bad index or interface is an error naming it. */
export function resolveAttachments(node: AdapterNode, acls: NodeAcls | undefined): ResolvedAttachment[] {
  if (!acls) return [];
  const names = linuxInterfaceMap(node);
  const byIndex = new Map(acls.tables.map((t) => [t.index, t]));
  const out: ResolvedAttachment[] = [];
  acls.attach.forEach((a, i) => {
    const where = `acls.${node.id}.attach[${i}]`;
    const ifname = names.get(a.interface);
    const tables = (list: number[], dir: string) =>
      list.map((ix) => {
        const t = byIndex.get(ix);
        if (!t) throw new Error(`kernel adapter: ${where}.${dir}: no ACL with index ${ix} on node ${node.id}`);
        return t;
      });
    const input = tables(a.input, 'input');
    const output = tables(a.output, 'output');
    if (ifname === undefined) {
      throw new Error(`kernel adapter: ${where}.interface: node ${node.id} has no interface '${a.interface}' (known: ${[...names.keys()].join(', ')})`);
    }
    if (input.length === 0 && output.length === 0) return;
    out.push({ ifname, input, output });
  });
  return out;
}

/**
 * Session bit slots per interface: interfaces keep their slot while they have ACLs; one that lost every ACL
 * gives its slot up for good (until conntrack is flushed: `retired` is cleared then), so its old sessions never
 * come back. Returns undefined when no slot is free (the caller flushes conntrack and starts over).
 */
export function allocateSessionSlots(withAcls: readonly string[], current: ReadonlyMap<string, number>, retired: ReadonlySet<number>): { slots: Map<string, number>; retired: Set<number> } | undefined {
  const slots = new Map<string, number>();
  const nowRetired = new Set(retired);
  for (const [ifname, slot] of current) {
    if (withAcls.includes(ifname)) slots.set(ifname, slot);
    else nowRetired.add(slot);
  }
  const used = new Set([...slots.values(), ...nowRetired]);
  for (const ifname of withAcls) {
    if (slots.has(ifname)) continue;
    let s = 0;
    while (s < MAX_SESSION_SLOTS && used.has(s)) s++;
    if (s === MAX_SESSION_SLOTS) return undefined;
    slots.set(ifname, s);
    used.add(s);
  }
  return { slots, retired: nowRetired };
}

function range(field: string, [lo, hi]: [number, number], full: [number, number]): string {
  if (lo <= full[0] && hi >= full[1]) return '';
  return lo === hi ? `${field} ${lo}` : `${field} ${lo}-${hi}`;
}

/** The match part of one ACL rule, or undefined when the rule can never match (VPP semantics, §8.2–§8.3). */
export function ruleMatch(r: AclRuleSpec): string | undefined {
  const parts: string[] = [];
  if (r.src && !r.src.endsWith('/0')) parts.push(`ip saddr ${r.src}`);
  if (r.dst && !r.dst.endsWith('/0')) parts.push(`ip daddr ${r.dst}`);
  if (r.proto === 0) return parts.join(' ');
  if (r.proto === 6 || r.proto === 17) {
    parts.push(`meta l4proto ${r.proto === 6 ? 'tcp' : 'udp'}`);
    const s = range('th sport', r.sport, [0, 65535]);
    const d = range('th dport', r.dport, [0, 65535]);
    if (s) parts.push(s);
    if (d) parts.push(d);
  } else if (r.proto === 1) {
    // ICMP: VPP's port[0] is the type, port[1] the code
    parts.push('meta l4proto icmp');
    const s = range('icmp type', r.sport, [0, 255]);
    const d = range('icmp code', r.dport, [0, 255]);
    if (r.sport[0] > 255 || r.dport[0] > 255) return undefined;
    if (s) parts.push(s);
    if (d) parts.push(d);
  } else {
    // other protocols have ports 0 in VPP's 5-tuple
    if (r.sport[0] > 0 || r.dport[0] > 0) return undefined;
    parts.push(`meta l4proto ${r.proto}`);
  }
  return parts.join(' ');
}

function aclChain(dir: 'in' | 'out', a: ResolvedAttachment, o: NftOptions, slot: number | undefined): string[] {
  const tables = dir === 'in' ? a.input : a.output;
  const lines: string[] = [];
  lines.push('meta nfproto ipv6 drop');
  if (slot !== undefined) {
    const O = 1 << (2 * slot);
    const R = 1 << (2 * slot + 1);
    // hits: input side matches the creating direction, output side the other one
    const [origBit, replyBit] = dir === 'in' ? [O, R] : [R, O];
    const icmpGuard = dir === 'out' && !o.icmpRepliesHitSessions ? 'meta l4proto != icmp ' : '';
    lines.push(`ct state { new, established } ct direction original ct mark & ${hex(origBit)} == ${hex(origBit)} ${icmpGuard}return comment "session"`);
    lines.push(`ct state { new, established } ct direction reply ct mark & ${hex(replyBit)} == ${hex(replyBit)} ${icmpGuard}return comment "session"`);
  }
  tables.forEach((t) => {
    t.rules.forEach((r, i) => {
      const m = ruleMatch(r);
      const tag = `acl ${t.index} rule ${i}`;
      if (m === undefined) {
        lines.push(`# ${tag}: never matches (ports on a protocol without ports)`);
        return;
      }
      const pre = m ? `${m} ` : '';
      if (r.action === 'deny') lines.push(`${pre}drop comment "${tag}"`);
      else if (r.action === 'permit' || o.faults?.noReflectiveRule || slot === undefined) lines.push(`${pre}return comment "${tag}"`);
      else {
        const O = 1 << (2 * slot);
        const R = 1 << (2 * slot + 1);
        const [onOrig, onReply] = dir === 'in' ? [O, R] : [R, O];
        lines.push(`${pre}ct direction original ct mark set ct mark | ${hex(onOrig)} return comment "${tag} reflect"`);
        lines.push(`${pre}ct direction reply ct mark set ct mark | ${hex(onReply)} return comment "${tag} reflect"`);
        // untracked packets (conntrack found them invalid): permitted, no session can be kept
        lines.push(`${pre}return comment "${tag} reflect (untracked)"`);
      }
    });
  });
  lines.push('drop comment "no rule matched"');
  return lines;
}

const q = (s: string) => `"${s}"`;

/** The whole ruleset of one node namespace. */
export function renderNftables(node: AdapterNode, acls: NodeAcls | undefined, o: NftOptions): string {
  const att = resolveAttachments(node, acls);
  const out: string[] = ['flush ruleset', `table inet ${NFT_TABLE} {`];
  const fwd: string[] = [];
  const fwdOut: string[] = [];
  const input: string[] = [];
  const output: string[] = [];
  for (const a of att) {
    const slot = o.slots.get(a.ifname);
    if (a.input.length > 0) {
      out.push(`  chain ${chainName('in', a.ifname)} {`, ...aclChain('in', a, o, slot).map((l) => `    ${l}`), '  }');
      fwd.push(`iifname ${q(a.ifname)} jump ${chainName('in', a.ifname)}`);
      input.push(`iifname ${q(a.ifname)} jump ${chainName('in', a.ifname)}`);
    }
    if (a.output.length > 0) {
      out.push(`  chain ${chainName('out', a.ifname)} {`, ...aclChain('out', a, o, slot).map((l) => `    ${l}`), '  }');
      fwdOut.push(`oifname ${q(a.ifname)} jump ${chainName('out', a.ifname)}`);
      output.push(`oifname ${q(a.ifname)} jump ${chainName('out', a.ifname)}`);
    }
  }
  // the L2 path of loop0 (§3.4): what leaves through the BVI meets loop0's input ACL after its output ACL
  const bvi = att.find((a) => a.ifname === BVI_IF && a.input.length > 0);
  if (bvi) {
    fwdOut.push(`oifname ${q(BVI_IF)} jump ${chainName('in', BVI_IF)} comment "loop0 L2 path"`);
    output.push(`oifname ${q(BVI_IF)} jump ${chainName('in', BVI_IF)} comment "loop0 L2 path"`);
  }
  const base = (name: string, hook: string, body: string[]) => [`  chain ${name} {`, `    type filter hook ${hook} priority filter; policy accept;`, ...body.map((l) => `    ${l}`), '  }'];
  out.push(...base('forward', 'forward', [...fwd, ...fwdOut]));
  out.push(...base('input', 'input', input));
  // conntrack reassembles fragments; a lone first fragment would make the node send "reassembly time exceeded"
  // 30 s later, into some later capture: VPP does not reassemble, so the node never sends it
  out.push(...base('output', 'output', ['icmp type time-exceeded icmp code 1 drop comment "no reassembly errors"', ...output]));
  out.push('}');
  const nodeIp = addressOf(node.nodeIp);
  out.push(`table ip ${NFT_NAT_TABLE} {`, '  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
  if (o.faults?.snatVxlan) out.push(`    oifname ${q(GBE_IF)} udp dport ${VXLAN_PORT} snat to ${addressOf(node.bvi.ip)} comment "FAULT: VXLAN source-NATed"`);
  const svc = serviceRules(node, o.services);
  out.push(...svc.postrouting.map((l) => `    ${l}`));
  out.push(`    oifname ${q(GBE_IF)} ip saddr != ${nodeIp} masquerade comment "external traffic; the node's own (VXLAN) is identity-mapped"`);
  out.push('  }');
  if (svc.prerouting.length > 0) out.push('  chain prerouting {', '    type nat hook prerouting priority dstnat; policy accept;', ...svc.prerouting.map((l) => `    ${l}`), '  }');
  out.push('}');
  out.push(
    `table netdev podflow_tap0 {`,
    `  chain in {`,
    `    type filter hook ingress device ${q(TAP0_IF)} priority filter; policy accept;`,
    `    ether daddr ${TAP0_MAC} meta pkttype set host comment "Contiv's tap0 MAC is the device's own"`,
    '  }',
    `  chain out {`,
    `    type filter hook egress device ${q(TAP0_IF)} priority filter; policy accept;`,
    `    ether saddr set ${TAP0_MAC} comment "tap0 sends with Contiv's MAC"`,
    '  }',
    '}',
  );
  return `${out.join('\n')}\n`;
}

/**
 * A node's Services as nft rules (see the top): DNAT per mapping for the prerouting chain, self-twice-NAT for
 * postrouting. Checked here, naming the field: a bad address, port or probability, a mapping without locals.
 */
export function serviceRules(node: AdapterNode, svc: AdapterServiceConfig[string] | undefined): { prerouting: string[]; postrouting: string[] } {
  if (!svc) return { prerouting: [], postrouting: [] };
  const at = `kernel adapter: services.${node.id}`;
  const addr = (a: unknown, f: string): string => {
    if (typeof a !== 'string' || !isIp(a)) throw new Error(`${at}.${f}: '${String(a)}' is not an IPv4 address`);
    return a;
  };
  const port = (p: unknown, f: string): number => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${at}.${f}: ${String(p)} is not a port (1-65535)`);
    return p;
  };
  const pool = addr(svc.twiceNatPool, 'twiceNatPool');
  const pre: string[] = [];
  const selfIps = new Set<string>();
  svc.mappings.forEach((m, i) => {
    const f = `mappings[${i}]`;
    const proto = m.protocol === 'TCP' ? 'tcp' : m.protocol === 'UDP' ? 'udp' : undefined;
    if (!proto) throw new Error(`${at}.${f}.protocol: '${String(m.protocol)}' is not TCP or UDP`);
    const ext = addr(m.external?.ip, `${f}.external.ip`);
    const eport = port(m.external?.port, `${f}.external.port`);
    if (!Array.isArray(m.locals) || m.locals.length === 0) throw new Error(`${at}.${f}.locals: a mapping needs at least one local`);
    const locals = m.locals.map((l, j) => {
      if (!Number.isInteger(l.probability) || l.probability < 0 || l.probability > 255) throw new Error(`${at}.${f}.locals[${j}].probability: ${String(l.probability)} is not an integer 0-255`);
      return { ip: addr(l.ip, `${f}.locals[${j}].ip`), port: port(l.port, `${f}.locals[${j}].port`), weight: l.probability };
    });
    locals.forEach((l) => selfIps.add(l.ip));
    const match = `ip daddr ${ext} ${proto} dport ${eport}`;
    const tag = `comment "${m.service.replace(/[^\w./-]/g, '_')}"`;
    if (locals.length === 1) {
      pre.push(`${match} dnat to ${locals[0]!.ip}:${locals[0]!.port} ${tag}`);
      return;
    }
    // buckets by weight; all weights 0 (no preference given): one bucket each
    const total = locals.reduce((s, l) => s + l.weight, 0);
    const buckets = locals.flatMap((l) => Array.from({ length: total === 0 ? 1 : l.weight }, () => `${l.ip} . ${l.port}`));
    pre.push(`${match} dnat to numgen random mod ${buckets.length} map { ${buckets.map((b, k) => `${k} : ${b}`).join(', ')} } ${tag}`);
  });
  const post = [...selfIps].sort().map((ip) => `ct status dnat ip saddr ${ip} ip daddr ${ip} snat to ${pool} comment "self-twice-NAT"`);
  return { prerouting: pre, postrouting: post };
}

/** Linux interfaces of a node that have at least one ACL (input or output). */
export function interfacesWithAcls(node: AdapterNode, acls: NodeAcls | undefined): string[] {
  return resolveAttachments(node, acls).map((a) => a.ifname);
}
