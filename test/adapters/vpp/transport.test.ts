// The transport's error handling without VPP: fake vppctl programs and a fake CLI socket. Whatever keeps VPP
// from answering is AdapterUnavailable (the check says unknown); what VPP rejects is a VppCliError.
import { chmodSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterUnavailable } from '../../../src/adapters/adapter.ts';
import { CliSocket } from '../../../src/adapters/vpp/cli-socket.ts';
import type { LabNode } from '../../../src/adapters/vpp/lab-file.ts';
import { checkCommand, localSocketOf, VppCliError, VppctlTransport } from '../../../src/adapters/vpp/transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-vppctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function fake(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
const node = (vppctl: string[], extra: Partial<LabNode> = {}): LabNode => ({ id: 7, vppctl, files: dir, gbe: 'host-gbe', timeoutMs: 1000, ...extra });

describe('vppctl transport', () => {
  it('passes the command as words and returns what VPP printed', async () => {
    const t = new VppctlTransport(node([fake('echo', 'echo "$@"')]));
    expect(await t.cli('show version')).toBe('show version\n');
  });

  it('turns a VPP error message into VppCliError naming node and command', async () => {
    const t = new VppctlTransport(node([fake('unknown', 'echo "set interface ip address: unknown input \\`foo\'"')]));
    await expect(t.config('set interface ip address foo 1.2.3.4/24')).rejects.toThrow(VppCliError);
    await expect(t.config('set interface ip address foo 1.2.3.4/24')).rejects.toThrow(/node 7: VPP rejected `set interface ip address foo 1\.2\.3\.4\/24`: set interface ip address: unknown input/);
  });

  it('accepts what creation commands print', async () => {
    for (const out of ['loop0', 'vxlan_tunnel3', 'bridge-domain 1', 'ACL index:4', 'Deleted ACL index:4', 'host-gbe', '']) {
      const t = new VppctlTransport(node([fake(`ok${out.replace(/\W/g, '')}`, `printf '%s\\r\\n' '${out}'`)]));
      await expect(t.config('x')).resolves.toBeDefined();
    }
  });

  it('is unavailable, not failing, when VPP cannot be reached', async () => {
    await expect(new VppctlTransport(node([join(dir, 'no-such-vppctl')])).cli('show version')).rejects.toThrow(AdapterUnavailable);
    await expect(new VppctlTransport(node([join(dir, 'no-such-vppctl')])).cli('show version')).rejects.toThrow(/node 7: .*cannot run .*no such program/);
    const slow = new VppctlTransport(node([fake('slow', 'sleep 5')], { timeoutMs: 200 }));
    await expect(slow.cli('show version')).rejects.toThrow(/no answer within 200 ms/);
    const failing = new VppctlTransport(node([fake('fail', 'echo "clib_socket_init: connect (fd 3, \'/run/vpp/cli.sock\'): No such file or directory" >&2; exit 1')]));
    await expect(failing.cli('show version')).rejects.toThrow(/vppctl exited with 1: clib_socket_init/);
  });

  it('refuses commands a remote shell would interpret', () => {
    expect(checkCommand('packet-generator new { name s1 limit 1 source pg5 pcap /tmp/x.pcap }')).toContain('{');
    for (const bad of ['show version; rm -rf /', 'show $(id)', 'show `id`', 'show {a,b}', "show 'x'", 'show a|b', 'show > /tmp/x']) expect(() => checkCommand(bad), bad).toThrow(/shell metacharacters/);
  });

  it('moves files locally and through push/pull commands', async () => {
    const local = new VppctlTransport(node(['vppctl']));
    await local.put(join(dir, 'a', 'b.bin'), Uint8Array.of(1, 2, 3));
    expect([...(await local.get(join(dir, 'a', 'b.bin')))]).toEqual([1, 2, 3]);
    await local.remove(join(dir, 'a', 'b.bin'));
    expect(existsSync(join(dir, 'a', 'b.bin'))).toBe(false);
    await expect(local.get(join(dir, 'a', 'b.bin'))).rejects.toThrow(AdapterUnavailable);
    const remote = new VppctlTransport(node(['vppctl'], { push: [fake('push', 'cat > "$1"')], pull: [fake('pull', 'cat "$1"')] }));
    await remote.put(join(dir, 'r.bin'), Uint8Array.of(9, 8));
    expect(readFileSync(join(dir, 'r.bin'))).toEqual(Buffer.from([9, 8]));
    expect([...(await remote.get(join(dir, 'r.bin')))]).toEqual([9, 8]);
    await expect(remote.get(join(dir, 'nope.bin'))).rejects.toThrow(/pull .*nope\.bin failed/);
  });

  it('talks to a local CLI socket itself only for a plain `vppctl -s <socket>`', () => {
    expect(localSocketOf(node(['/opt/vpp/bin/vppctl', '-s', '/run/x.sock']))).toBe('/run/x.sock');
    expect(localSocketOf(node(['ssh', 'lab1', 'vppctl']))).toBeUndefined();
    expect(localSocketOf(node(['vppctl', '-s', '/run/x.sock'], { push: ['a'], pull: ['b'] }))).toBeUndefined();
  });
});

// A CLI socket that speaks VPP's side: TELNET terminal-type request, then line mode, each answer ended by NUL.
describe('CLI socket', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  function fakeVpp(answer: (cmd: string) => string | undefined): string {
    const path = join(dir, `cli-${servers.length}.sock`);
    const server = createServer((c) => {
      c.write(Buffer.from([255, 253, 24, 255, 250, 24, 1, 255, 240])); // IAC DO TTYPE, IAC SB TTYPE SEND IAC SE
      let buf = '';
      c.on('data', (d: Buffer) => {
        buf += d.toString('latin1').replace(/\xff\xfa\x18\x00vppctl\xff\xf0/g, '');
        let i: number;
        while ((i = buf.indexOf('\n\0')) >= 0) {
          const cmd = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const a = answer(cmd);
          if (a !== undefined) c.write(`${a}\0`);
        }
      });
    });
    server.listen(path);
    servers.push(server);
    return path;
  }

  it('runs commands in order over one connection', async () => {
    const s = new CliSocket(fakeVpp((cmd) => (cmd === 'show version' ? 'vpp v26.06-release\r\n' : `${cmd}: unknown input\r\n`)), 1000);
    expect(await Promise.all([s.run('show version'), s.run('bogus'), s.run('show version')])).toEqual(['vpp v26.06-release\r\n', 'bogus: unknown input\r\n', 'vpp v26.06-release\r\n']);
    s.close();
  });

  it('fails a command VPP never answers, and every later one', async () => {
    const s = new CliSocket(fakeVpp((cmd) => (cmd === 'hang' ? undefined : 'ok')), 200);
    expect(await s.run('x')).toBe('ok');
    await expect(s.run('hang')).rejects.toThrow(/no answer to `hang` within 200 ms/);
    await expect(s.run('x')).rejects.toThrow();
  });

  it('fails when nothing listens on the socket', async () => {
    await expect(new CliSocket(join(dir, 'nobody.sock'), 200).run('show version')).rejects.toThrow(/ENOENT|ECONNREFUSED/);
  });
});
