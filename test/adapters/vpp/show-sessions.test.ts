// A VPP node's session tables from its `show` output (show-sessions.ts), on what VPP 26.06 printed after four
// connections (test/fixtures/vpp-show/sessions/): each ACL session once, by its own key, interface and TCP flags;
// each NAT44-ED session by inside, outside and external host with its kind; timers and indices gone; output that is
// not VPP's an error naming what is wrong.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SESSION_FORMS } from '../../../src/adapters/adapter.ts';
import { aclSessionDetail, aclSessionEntry, aclSessionIds, natSessions, SessionParseError } from '../../../src/adapters/vpp/show-sessions.ts';
import { interfaceNames } from '../../../src/adapters/vpp/show-state.ts';
import { NatSessionTable } from '../../../src/reference/state/nat.ts';
import { natSessionEntry } from '../../../src/reference/state/session-state.ts';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'vpp-show', 'sessions');
/** As the CLI socket delivered it (CRLF line ends) */
const raw = (f: string): string => readFileSync(join(dir, f), 'utf8');
/** with LF line ends, for the tests that edit it */
const read = (f: string): string => raw(f).replace(/\r\n/g, '\n');

/** node 1's ACL table as the adapter builds it from the fixtures (lab interface names). */
function aclTable(node: number): Record<string, string> {
  const names = interfaceNames(read(`node${node}-ifIndex.txt`));
  const out: Record<string, string> = {};
  for (const { thread, index } of aclSessionIds(read(`node${node}-acl-hash.txt`))) {
    const d = aclSessionDetail(read(`node${node}-acl-session-${thread}-${index}.txt`), thread, index);
    const [k, v] = aclSessionEntry(d, names.get(d.swIfIndex)!);
    out[k] = v;
  }
  return out;
}

describe('show-sessions: ACL sessions', () => {
  it('lists each session of the hash once (two entries each), as many as VPP counts active', () => {
    const ids = aclSessionIds(read('node1-acl-hash.txt'));
    expect(ids).toHaveLength(14);
    expect(ids.map((i) => i.index)).toEqual([...Array(14).keys()]);
    expect(readdirSync(dir).filter((f) => f.startsWith('node1-acl-session-'))).toHaveLength(14);
  });

  it("reads a session's own key, interface and TCP flags seen (output side low byte)", () => {
    const t = aclTable(1);
    expect(Object.keys(t)).toHaveLength(14);
    // the client's SYN created it on its pod interface (input), the SYN-ACK went out there (output)
    expect(t['pg5 6 10.1.1.2:40000 -> 10.1.2.2:80']).toBe('tcp flags out 0x12 in 0x2');
    // the SYN left through loop0 (output): the key mirrored, as the session's own key (not its reverse entry)
    expect(t['loop0 6 10.1.2.2:80 -> 10.1.1.2:40000']).toBe('tcp flags out 0x0 in 0x12');
    // ICMP: type and code as the ports; UDP and ICMP carry no flags
    expect(t['pg5 1 10.1.1.2:8 -> 10.1.2.3:0']).toBe('-');
    expect(t['host-gbe 17 192.168.16.2:29399 -> 192.168.16.1:4789']).toBe('-');
    for (const [k, v] of Object.entries(t)) {
      expect(k).toMatch(SESSION_FORMS.aclKey);
      expect(v).toMatch(SESSION_FORMS.aclValue);
    }
  });

  it('a node whose ACLs never made a session (no hash allocated yet) has none; the same words with sessions active are an error', () => {
    const unused = raw('unused-node-acl-hash.txt');
    expect(aclSessionIds(unused)).toEqual([]);
    expect(() => aclSessionIds(unused.replace(/deact 0 = 0/, 'deact 0 = 2'))).toThrow(/not allocated, VPP counts 2 active/);
  });

  it('CRLF line ends (as the CLI socket delivers them) read the same as LF', () => {
    expect(raw('node1-acl-hash.txt')).toContain('\r\n');
    expect(aclSessionIds(raw('node1-acl-hash.txt'))).toEqual(aclSessionIds(read('node1-acl-hash.txt')));
    expect(aclSessionDetail(raw('node1-acl-session-0-3.txt'), 0, 3)).toEqual(aclSessionDetail(read('node1-acl-session-0-3.txt'), 0, 3));
    expect(natSessions(raw('node1-nat.txt'))).toEqual(natSessions(read('node1-nat.txt')));
  });

  it('times and list positions are not state: a session read later is the same entry', () => {
    const f = read('node1-acl-session-0-3.txt');
    const later = f.replace(/last active time: \d+/, 'last active time: 1').replace(/link list id: \d+/, 'link list id: 3').replace(/^now: \d+/m, 'now: 9');
    expect(later).not.toBe(f);
    expect(aclSessionDetail(later, 0, 3)).toEqual(aclSessionDetail(f, 0, 3));
  });

  it('bad output is one error line naming the command and what is wrong', () => {
    const hash = read('node1-acl-hash.txt');
    const cases: [() => unknown, RegExp][] = [
      [() => aclSessionIds('NAT44 ED sessions:\n'), /^`show acl-plugin sessions verbose 1`: no "Sessions active/],
      [() => aclSessionIds(hash.replace(/deact (\d+) = 14$/m, 'deact $1 = 15')), /holds 14 session\(s\), VPP counts 15 active/],
      [() => aclSessionIds(hash.replace(/port 40000 -> 80 \| sess id/, 'port x -> 80 | sess id')), /unexpected session hash entry/],
      [() => aclSessionDetail(read('node1-acl-session-0-3.txt'), 0, 4), /^`show acl-plugin sessions thread 0 index 4`: no "session index 4:" block/],
      [() => aclSessionDetail(read('node1-acl-session-0-3.txt').replace(/sw_if_index: 2$/m, 'sw_if_index: 7'), 0, 3), /lsb16\(sw_if_index\) 2, its sw_if_index is 7/],
      [() => aclSessionDetail(read('node1-acl-session-0-3.txt').replace(/tcp_flags_seen: 0$/m, 'tcp_flags_seen: zz'), 0, 3), /unexpected tcp_flags_seen line/],
      [() => aclSessionDetail(read('node1-acl-session-0-3.txt').replace(/info: 0{16}/, 'info: 00000000000000ff'), 0, 3), /not an IPv4 session/],
    ];
    for (const [f, re] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SessionParseError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('show-sessions: NAT44-ED sessions', () => {
  it('each session by protocol, inside, outside and external host, with its kind; timers left out', () => {
    const n1 = natSessions(read('node1-nat.txt'));
    expect(n1).toEqual({
      'TCP in 10.1.2.2:80 out 10.1.2.2:80 ext 10.1.1.2:40000': 'dynamic translation, forwarding-bypass',
      'TCP in 10.1.1.3:80 out 10.1.1.3:80 ext 10.1.1.2:40000': 'dynamic translation, forwarding-bypass',
      'UDP in 10.1.2.3:53 out 10.1.2.3:53 ext 10.1.1.2:40000': 'dynamic translation, forwarding-bypass',
      'ICMP in 10.1.2.3:1 out 10.1.2.3:1 ext 10.1.1.2:1': 'dynamic translation, forwarding-bypass',
    });
    for (const [k, v] of Object.entries({ ...n1, ...natSessions(read('node2-nat.txt')) })) {
      expect(k).toMatch(SESSION_FORMS.natKey);
      expect(v).toMatch(SESSION_FORMS.natValue);
    }
    const later = read('node1-nat.txt').replace(/last heard [\d.]+/g, 'last heard 1.00').replace(/timeout in [\d.]+/g, 'timeout in 2.00').replace(/total pkts \d+/g, 'total pkts 9');
    expect(natSessions(later)).toEqual(n1);
  });

  it('a static session and no external host read as such; no sessions is an empty table', () => {
    const one = read('node1-nat.txt').split('\n\n')[0]!.replace('4 sessions', '1 sessions').replace('dynamic translation', 'static translation').replace(/\n +forwarding-bypass/, '').replace(/ +external host .*\n/, '');
    expect(natSessions(`${one}\n`)).toEqual({ 'TCP in 10.1.2.2:80 out 10.1.2.2:80 ext -': 'static translation' });
    expect(natSessions('NAT44 ED sessions:\n-------- thread 0 vpp_main: 0 sessions --------\n')).toEqual({});
  });

  it('bad output is one error line naming the command and what is wrong', () => {
    const t = read('node1-nat.txt');
    const cases: [string, RegExp][] = [
      ['show nat44 sessions: unknown input', /no "NAT44 ED sessions:" header/],
      [t.replace('4 sessions', '5 sessions'), /4 session\(s\) listed, the thread headers count 5/],
      [t.replace(/^ +o2i 10\.1\.2\.2 proto TCP port 80 fib 0\n/m, ''), /has no o2i line/],
      [t.replace('forwarding-bypass', 'forwarding-bypas'), /unexpected line "forwarding-bypas"/],
    ];
    for (const [text, re] of cases) {
      expect(() => natSessions(text)).toThrow(SessionParseError);
      expect(() => natSessions(text)).toThrow(re);
    }
  });
});

describe('show-sessions and the model agree on the text form', () => {
  it('a model NAT session created with its whole flow prints as VPP 26.06 prints the same session', () => {
    const ip = (s: string): number => s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
    const t = new NatSessionTable();
    // the forwarding-bypass sessions node 1 kept (fixture): in = the flow's server side, ext = the client
    const bypass = (proto: number, inside: string, port: number, ext: string, extPort: number) =>
      t.add(`k${t.peekIndex()}`, undefined, undefined, { proto, inside: { addr: ip(inside), port }, outside: { addr: ip(inside), port }, external: { addr: ip(ext), port: extPort }, static: false, forwardingBypass: true });
    const sessions = [bypass(6, '10.1.2.2', 80, '10.1.1.2', 40000), bypass(6, '10.1.1.3', 80, '10.1.1.2', 40000), bypass(17, '10.1.2.3', 53, '10.1.1.2', 40000), bypass(1, '10.1.2.3', 1, '10.1.1.2', 1)];
    expect(Object.fromEntries(sessions.map(natSessionEntry))).toEqual(natSessions(read('node1-nat.txt')));
  });
});
