// A VPP node's session tables as its `show` commands print them (Adapter.sessionState, text forms in adapter.ts
// SESSION_FORMS): the reflective ACL sessions (`show acl-plugin sessions verbose 1` lists the session hash, each
// session under its key and its reverse key; `show acl-plugin sessions thread T index N` prints one session's own key,
// interface and TCP flags seen) and the NAT44-ED sessions (`show nat44 sessions`). Times, counters, pool indices and
// threads are left out. Pure text in, entries out; text that is not what VPP 26.06 prints is an error naming what is
// wrong, never a silently empty table.

export const SESSION_COMMANDS = {
  aclHash: 'show acl-plugin sessions verbose 1',
  aclSession: (thread: number, index: number): string => `show acl-plugin sessions thread ${thread} index ${index}`,
  nat: 'show nat44 sessions',
} as const;

/** Bad session output: one line saying which command printed what. */
export class SessionParseError extends Error {
  constructor(command: string, what: string) {
    super(`\`${command}\`: ${what}`);
    this.name = 'SessionParseError';
  }
}

const lines = (t: string): string[] => t.split('\n').map((l) => l.trimEnd());
const quote = (l: string): string => JSON.stringify(l.trim().slice(0, 120));

/**
 * The sessions in the ACL plugin's IPv4 session hash (`sess id N thread id T` of each entry, each session once),
 * checked against the active count VPP prints (`Sessions active: add A - deact D = N`).
 */
export function aclSessionIds(text: string): { thread: number; index: number }[] {
  const cmd = SESSION_COMMANDS.aclHash;
  const all = lines(text);
  const active = all.map((l) => /^Sessions active: add \d+ - deact \d+ = (\d+)$/.exec(l)).find((m) => m);
  if (!active) throw new SessionParseError(cmd, 'no "Sessions active: add … - deact … = N" line (not the acl-plugin\'s output)');
  const n = Number(active[1]);
  // a node whose ACLs never made a session has no hash yet: VPP says so instead of printing the section
  if (all.some((l) => /^Session lookup hash table is not allocated\.$/.test(l))) {
    if (n !== 0) throw new SessionParseError(cmd, `the session hash is not allocated, VPP counts ${n} active`);
    return [];
  }
  if (!all.some((l) => /^IPv4 Session lookup hash table:$/.test(l))) throw new SessionParseError(cmd, 'no "IPv4 Session lookup hash table:" section');
  const seen = new Map<string, { thread: number; index: number }>();
  for (const l of all) {
    if (!/\| sess id /.test(l)) continue;
    const m = /^\s+\d+: l3 \S+ -> \S+ l4 lsb_of_sw_if_index \d+ proto \d+ l4_is_input [01] l4_slow_path [01] l4_flags 0x[0-9a-f]+ port \d+ -> \d+ \| sess id (\d+) thread id (\d+) epoch [0-9a-f]+$/.exec(l);
    if (!m) throw new SessionParseError(cmd, `unexpected session hash entry ${quote(l)}`);
    seen.set(`${m[2]}/${m[1]}`, { thread: Number(m[2]), index: Number(m[1]) });
  }
  if (seen.size !== n) throw new SessionParseError(cmd, `the session hash holds ${seen.size} session(s), VPP counts ${n} active`);
  return [...seen.values()].sort((a, b) => a.thread - b.thread || a.index - b.index);
}

export interface AclSessionDetail {
  swIfIndex: number;
  src: string;
  dst: string;
  proto: number;
  port0: number;
  port1: number;
  isInput: boolean;
  /** tcp_flags_seen.as_u8[0] (output side) and [1] (input side) */
  flagsOut: number;
  flagsIn: number;
}

/** The little-endian u64 VPP prints as 16 hex digits, as its 8 bytes in memory order. */
function bytesOfWord(word: string): number[] {
  const out: number[] = [];
  for (let i = 14; i >= 0; i -= 2) out.push(parseInt(word.slice(i, i + 2), 16));
  return out;
}

/**
 * One session (`show acl-plugin sessions thread T index N`): the key it was created with (`info:`, the 40-byte
 * bihash key as five little-endian u64 and the value: IPv4 addresses in the fourth word, ports, protocol, flags and
 * lsb16(sw_if_index) in the fifth), its interface and the TCP flags seen (hex, as_u16: output side low byte).
 */
export function aclSessionDetail(text: string, thread: number, index: number): AclSessionDetail {
  const cmd = SESSION_COMMANDS.aclSession(thread, index);
  const all = lines(text);
  const start = all.findIndex((l) => new RegExp(`^\\s+session index ${index}:$`).test(l));
  if (start < 0) throw new SessionParseError(cmd, `no "session index ${index}:" block (the session is gone, or not the acl-plugin's output)`);
  const field = (name: string, re: RegExp): RegExpExecArray => {
    for (const l of all.slice(start + 1, start + 12)) {
      if (!l.trimStart().startsWith(`${name}:`)) continue;
      const m = re.exec(l.trim());
      if (!m) throw new SessionParseError(cmd, `unexpected ${name} line ${quote(l)}`);
      return m;
    }
    throw new SessionParseError(cmd, `session ${index} has no ${name} line`);
  };
  const info = field('info', /^info: ([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16})$/);
  if (info[1] !== '0'.repeat(16) || info[2] !== '0'.repeat(16) || info[3] !== '0'.repeat(16)) throw new SessionParseError(cmd, `session ${index} is not an IPv4 session (info ${info.slice(1, 4).join(' ')})`);
  const a = bytesOfWord(info[4]!);
  const l4 = bytesOfWord(info[5]!);
  const sw = Number(field('sw_if_index', /^sw_if_index: (\d+)$/)[1]);
  const flags = parseInt(field('tcp_flags_seen', /^tcp_flags_seen: ([0-9a-f]+)$/)[1]!, 16);
  if ((l4[6]! | (l4[7]! << 8)) !== (sw & 0xffff)) throw new SessionParseError(cmd, `session ${index}: its key says lsb16(sw_if_index) ${l4[6]! | (l4[7]! << 8)}, its sw_if_index is ${sw}`);
  return {
    swIfIndex: sw,
    src: a.slice(0, 4).join('.'),
    dst: a.slice(4, 8).join('.'),
    port0: l4[0]! | (l4[1]! << 8),
    port1: l4[2]! | (l4[3]! << 8),
    proto: l4[4]!,
    isInput: (l4[5]! & 1) === 1,
    flagsOut: flags & 0xff,
    flagsIn: flags >>> 8,
  };
}

/** An ACL session in the SessionState form (`<interface> <proto> <src>:<p0> -> <dst>:<p1>` → flags or `-`). */
export function aclSessionEntry(d: AclSessionDetail, ifName: string): [string, string] {
  const hex = (n: number): string => `0x${n.toString(16)}`;
  return [`${ifName} ${d.proto} ${d.src}:${d.port0} -> ${d.dst}:${d.port1}`, d.proto === 6 ? `tcp flags out ${hex(d.flagsOut)} in ${hex(d.flagsIn)}` : '-'];
}

const KIND_LINE = /^(static translation|dynamic translation|forwarding-bypass|load-balancing|twice-nat)$/;

/**
 * `show nat44 sessions` (NAT44-ED): each session as `<PROTO> in <addr>:<port> out <addr>:<port> ext <addr>:<port>`
 * (protocols other than TCP, UDP and ICMP by number and without ports, as VPP prints them)
 * (`ext -` when VPP prints no external host) → its kind lines joined (`dynamic translation, forwarding-bypass`),
 * checked against the count each thread's header gives.
 */
export function natSessions(text: string): Record<string, string> {
  const cmd = SESSION_COMMANDS.nat;
  const all = lines(text);
  if (!all.some((l) => l === 'NAT44 ED sessions:')) throw new SessionParseError(cmd, `no "NAT44 ED sessions:" header (got ${quote(all.find((l) => l.trim() !== '') ?? '')})`);
  const out: Record<string, string> = {};
  let expected = 0;
  let found = 0;
  let cur: { proto: string; inside: string; outside?: string; ext?: string; kinds: string[]; line: string } | undefined;
  const flush = (): void => {
    if (!cur) return;
    if (cur.outside === undefined) throw new SessionParseError(cmd, `session ${quote(cur.line)} has no o2i line`);
    if (cur.kinds.length === 0 || !/translation$/.test(cur.kinds[0]!)) throw new SessionParseError(cmd, `session ${quote(cur.line)} says neither static nor dynamic translation`);
    const key = `${cur.proto} in ${cur.inside} out ${cur.outside} ext ${cur.ext ?? '-'}`;
    if (out[key] !== undefined) throw new SessionParseError(cmd, `session ${key} listed twice`);
    out[key] = cur.kinds.join(', ');
    found++;
    cur = undefined;
  };
  for (const l of all) {
    const t = l.trim();
    let m: RegExpExecArray | null;
    if ((m = /^-+ thread \d+ \S+: (\d+) sessions -+$/.exec(t))) {
      flush();
      expected += Number(m[1]);
    } else if ((m = /^i2o (\d+\.\d+\.\d+\.\d+) proto (\S+)(?: port (\d+))? fib \d+$/.exec(t))) {
      // a protocol without ports (SCTP, GRE: nat44_ed_in2out_unknown_proto) prints its number and no port
      flush();
      cur = { proto: m[2]!, inside: m[3] !== undefined ? `${m[1]}:${m[3]}` : m[1]!, kinds: [], line: t };
    } else if (!cur) {
      if (t !== '' && t !== 'NAT44 ED sessions:') throw new SessionParseError(cmd, `unexpected line ${quote(t)}`);
    } else if ((m = /^o2i (\d+\.\d+\.\d+\.\d+) proto (\S+)(?: port (\d+))? fib \d+$/.exec(t))) {
      if (m[2] !== cur.proto) throw new SessionParseError(cmd, `session ${quote(cur.line)}: o2i protocol ${m[2]} differs`);
      cur.outside = m[3] !== undefined ? `${m[1]}:${m[3]}` : m[1]!;
    } else if ((m = /^external host (\d+\.\d+\.\d+\.\d+:\d+)$/.exec(t))) cur.ext = m[1]!;
    else if ((m = /^external host o2i (\d+\.\d+\.\d+\.\d+:\d+) i2o (\d+\.\d+\.\d+\.\d+:\d+)$/.exec(t))) cur.ext = `${m[1]}/${m[2]}`;
    else if (KIND_LINE.test(t)) cur.kinds.push(t);
    else if (t === '' || /^(i2o flow|o2i flow|index|last heard|timeout in|total pkts)\b/.test(t)) continue;
    else throw new SessionParseError(cmd, `unexpected line ${quote(t)} in session ${quote(cur.line)}`);
  }
  flush();
  if (found !== expected) throw new SessionParseError(cmd, `${found} session(s) listed, the thread headers count ${expected}`);
  return out;
}
