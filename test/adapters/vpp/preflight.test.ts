// The VPP adapter's preflight with fakes: a lab file that cannot be read, a node whose vppctl hangs, does not
// exist, or whose CLI socket is dead — each is AdapterUnavailable with one line naming the node (or file); a
// CLI socket VPP closes mid-run is AdapterUnavailable too (the check says unknown).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AdapterUnavailable } from '../../../src/adapters/adapter.ts';
import { parseLabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { VppctlTransport } from '../../../src/adapters/vpp/transport.ts';
import { preflightVppLab, VppAdapter } from '../../../src/adapters/vpp/vpp-adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-vpp-preflight-'));
const servers: Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  rmSync(dir, { recursive: true, force: true });
});

function program(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
const answers = program('vppctl-ok', 'echo "vpp v26.06-rc0~fake built by podflow"');

function labFile(name: string, second: string[], timeoutMs = 400): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify({ version: 1, nodes: [{ id: 1, name: 'vpp1', vppctl: [answers], files: join(dir, 'n1'), gbe: 'host-gbe' }, { id: 2, name: 'vpp2', vppctl: second, files: join(dir, 'n2'), gbe: 'host-gbe', timeoutMs }] }));
  return path;
}

async function unavailable(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(AdapterUnavailable);
  const m = (e as Error).message;
  expect(m.split('\n'), m).toHaveLength(1);
  return m;
}

describe('VPP adapter preflight', () => {
  it('passes when every node answers with its VPP version', async () => {
    await expect(preflightVppLab(labFile('ok', [answers]))).resolves.toBeUndefined();
  });

  it('names the node whose vppctl hangs', async () => {
    const m = await unavailable(preflightVppLab(labFile('hang', [program('vppctl-hang', 'sleep 100')], 300)));
    expect(m).toMatch(/^vpp: lab node 2 \(vpp2\) does not answer `show version` \(within 300 ms\): node 2: `show version`: no answer within 300 ms/);
  });

  it('names the node whose vppctl does not exist', async () => {
    const m = await unavailable(preflightVppLab(labFile('missing', [join(dir, 'no-such-vppctl')])));
    expect(m).toMatch(/^vpp: lab node 2 \(vpp2\) does not answer `show version` .*cannot run .*no-such-vppctl: no such program$/);
  });

  it('names the node whose CLI socket is dead', async () => {
    const dead = join(dir, 'dead.sock');
    const m = await unavailable(preflightVppLab(labFile('dead', ['/usr/bin/vppctl', '-s', dead])));
    expect(m).toMatch(/^vpp: lab node 2 \(vpp2\) does not answer `show version` .*dead\.sock: (ENOENT|ECONNREFUSED)/);
  });

  it('names a node that answers, but not as VPP', async () => {
    const m = await unavailable(preflightVppLab(labFile('notvpp', [program('not-vpp', 'echo hello')])));
    expect(m).toBe('vpp: lab node 2 (vpp2) answered `show version` with "hello", not a VPP version');
  });

  it('says when the lab file cannot be read or is invalid', async () => {
    expect(await unavailable(preflightVppLab(join(dir, 'nope.yaml')))).toBe(`vpp: lab file ${join(dir, 'nope.yaml')}: cannot read the lab file: no such file`);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nnodes:\n  - id: 1\n    vppctl: [vppctl]\n    files: "/x;id"\n    gbe: g\n');
    expect(await unavailable(preflightVppLab(bad))).toMatch(/^vpp: lab file .*bad\.yaml: nodes\[0\]\.files: expected an absolute directory path/);
  });

  it('works on an adapter built from a parsed lab file (the runner calls adapter.preflight())', async () => {
    const lab = parseLabFile(stringify({ version: 1, nodes: [{ id: 4, vppctl: [program('vppctl-fail', 'echo "clib_socket_init: connect: No such file or directory" >&2; exit 1')], files: dir, gbe: 'host-gbe' }] }), 'lab.yaml');
    const a = new VppAdapter(lab);
    expect(await unavailable(a.preflight())).toMatch(/^vpp: lab node 4 does not answer `show version` .*vppctl exited with 1: clib_socket_init/);
    await a.teardown();
  });
});

describe('a CLI socket that VPP closes', () => {
  it('is AdapterUnavailable for the command in flight and every later one', async () => {
    const path = join(dir, 'closing.sock');
    const server = createServer((c) => {
      c.write(Buffer.from([255, 253, 24, 255, 250, 24, 1, 255, 240]));
      c.on('data', () => c.destroy()); // VPP goes away as soon as a command comes
    });
    server.listen(path);
    servers.push(server);
    const t = new VppctlTransport({ id: 5, vppctl: ['/usr/bin/vppctl', '-s', path], files: dir, gbe: 'host-gbe', timeoutMs: 1000 });
    const m = await unavailable(t.cli('show version'));
    expect(m).toMatch(/^vpp: node 5: .*closing\.sock: VPP closed the CLI connection$/);
    await unavailable(t.cli('show interface'));
    t.close();
  });
});
