// Nothing a lab file or a command carries is ever run by a node's shell. ssh joins its arguments after the host
// with spaces and the remote shell parses that string, so a fake `ssh` that does exactly this (`sh -c "$*"`)
// stands in for a remote node: a lab file whose fields, or a command whose words, hold shell metacharacters is
// refused before anything runs (one line naming the file and field), and a canary file is never created.
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { LabFileError, parseLabFile, readLabFile, type LabNode } from '../../../src/adapters/vpp/lab-file.ts';
import { runArgv, VppctlTransport } from '../../../src/adapters/vpp/transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-ssh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const canary = join(dir, 'canary');
afterEach(() => rmSync(canary, { force: true }));

function program(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
// What ssh does with `ssh HOST word…`: the node's shell runs the words joined with spaces.
const ssh = program('ssh', 'shift\nexec sh -c "$*"');
const vppctl = program('vppctl', 'echo "vpp v26.06-fake $*"');
const files = join(dir, 'node1');

/** Payloads that would create the canary if any shell parsed them. */
const PAYLOADS = [
  `;touch ${canary};#`,
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `|touch ${canary}`,
  `&touch ${canary}`,
  `&&touch ${canary}`,
  `\ntouch ${canary}\n`,
  `';touch ${canary};'`,
  `";touch ${canary};"`,
  ` >${canary}`,
];

const remoteNode = (extra: Partial<LabNode> = {}): LabNode => ({ id: 1, vppctl: [ssh, 'lab1', vppctl], push: [ssh, 'lab1', 'tee'], pull: [ssh, 'lab1', 'cat'], files, gbe: 'host-gbe', timeoutMs: 5000, ...extra });

function labText(node: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return stringify({ version: 1, nodes: [{ id: 1, vppctl: [ssh, 'lab1', vppctl], push: [ssh, 'lab1', 'tee'], pull: [ssh, 'lab1', 'cat'], files, gbe: 'host-gbe', ...node }], ...top });
}

function refusal(text: string): string {
  try {
    parseLabFile(text, 'lab.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(LabFileError);
    return (e as Error).message;
  }
  throw new Error('expected the lab file to be refused');
}

describe('the fake ssh is a real hazard (so the tests below can fail)', () => {
  it('runs metacharacters in a value appended to a remote argv', async () => {
    await runArgv([ssh, 'lab1', 'tee', `/dev/null;touch ${canary};#`], { timeoutMs: 5000, what: 'demo', adapter: 'vpp' });
    expect(existsSync(canary)).toBe(true);
  });

  it('carries safe commands and files through to the node', async () => {
    const t = new VppctlTransport(remoteNode());
    expect(await t.cli('show version')).toBe('vpp v26.06-fake show version\n');
    await t.put(join(dir, 'in.pcap'), Uint8Array.of(1, 2, 3));
    expect([...(await t.get(join(dir, 'in.pcap')))]).toEqual([1, 2, 3]);
    expect(parseLabFile(labText({}), 'lab.yaml').nodes[0]!.vppctl).toEqual([ssh, 'lab1', vppctl]);
  });
});

describe('a lab file with shell metacharacters is refused, with one line naming the file and the field', () => {
  const fields: [string, (p: string) => string][] = [
    ['nodes[0].files', (p) => labText({ files: `/x${p}` })],
    ['nodes[0].gbe', (p) => labText({ gbe: `host-gbe${p}` })],
    ['nodes[0].name', (p) => labText({ name: `vpp1${p}` })],
    ['nodes[0].netns', (p) => labText({ netns: `ns${p}` })],
    ['nodes[0].vppctl[2]', (p) => labText({ vppctl: [ssh, 'lab1', `vppctl${p}`] })],
    ['nodes[0].push[1]', (p) => labText({ push: [ssh, `lab1${p}`, 'tee'] })],
    ['nodes[0].pull[2]', (p) => labText({ pull: [ssh, 'lab1', `cat${p}`] })],
    ['runDir', (p) => labText({}, { runDir: `/run/lab${p}` })],
    ['namespaces[0]', (p) => labText({}, { namespaces: [`pfvpp${p}`] })],
  ];
  it.each(fields)('%s', (field, text) => {
    for (const p of PAYLOADS) {
      const m = refusal(text(p));
      expect(m.startsWith(`lab.yaml: ${field}: expected`), m).toBe(true);
      expect(m.split('\n'), m).toHaveLength(1);
      expect(m).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(canary)).toBe(false);
  });

  it('refuses `..` in paths and relative paths', () => {
    expect(refusal(labText({ files: '/run/lab/../../etc' }))).toMatch(/^lab\.yaml: nodes\[0\]\.files: expected an absolute directory path on the node/);
    expect(refusal(labText({}, { runDir: '/run/..' }))).toMatch(/^lab\.yaml: runDir: expected an absolute directory path/);
    expect(refusal(labText({ files: 'run/lab' }))).toMatch(/^lab\.yaml: nodes\[0\]\.files: /);
  });
});

describe('commands and paths with shell metacharacters are refused before anything runs', () => {
  it('CLI and configuration commands', async () => {
    const t = new VppctlTransport(remoteNode());
    for (const p of PAYLOADS) {
      await expect(t.cli(`show version ${p}`)).rejects.toThrow(/refusing to send a CLI command with shell metacharacters/);
      await expect(t.config(`set interface state ${p} up`)).rejects.toThrow(/shell metacharacters/);
    }
    // glob and brace patterns, which a shell would expand against the node's files
    for (const w of ['pg[0-9]', '{a,b}', 'x*', 'x?']) await expect(t.cli(`show interface ${w}`), w).rejects.toThrow(/shell metacharacters/);
    // an assignment as the first word (a prefix without a program before the words would let it set LD_PRELOAD)
    await expect(t.cli('LD_PRELOAD=/tmp/x.so show version')).rejects.toThrow(/shell metacharacters/);
    expect(await t.cli('set acl-plugin acl permit proto 6 tag a=b')).toContain('tag a=b');
    expect(existsSync(canary)).toBe(false);
  });

  it('file paths handed to push and pull (even from a node that did not come from a lab file)', async () => {
    const t = new VppctlTransport(remoteNode());
    for (const p of PAYLOADS) {
      await expect(t.put(`${files}/in${p}.pcap`, Uint8Array.of(1))).rejects.toThrow(/refusing to pass a file path/);
      await expect(t.get(`${files}/in${p}.pcap`)).rejects.toThrow(/refusing to pass a file path/);
      await expect(t.remove(`${files}/in${p}.pcap`)).rejects.toThrow(/refusing to pass a file path/);
    }
    await expect(t.get(`${files}/../../etc/shadow`)).rejects.toThrow(/refusing to pass a file path/);
    expect(existsSync(canary)).toBe(false);
  });
});

describe('a lab file someone else could have written is refused (it names the programs podflow runs)', () => {
  it('world-writable, or owned by another user', () => {
    const path = join(dir, 'lab-open.yaml');
    writeFileSync(path, labText({}));
    expect(readLabFile(path).nodes[0]!.id).toBe(1);
    chmodSync(path, 0o666);
    expect(() => readLabFile(path)).toThrow(LabFileError);
    expect(() => readLabFile(path)).toThrow(`${path}: the lab file is writable by anyone (mode 666): refusing to run the commands it names`);
    chmodSync(path, 0o644);
    if (process.geteuid?.() === 0) {
      chownSync(path, 65534, 65534);
      expect(() => readLabFile(path)).toThrow(`${path}: the lab file is owned by uid 65534, not by you (uid 0) or root: refusing to run the commands it names`);
    }
  });
});
