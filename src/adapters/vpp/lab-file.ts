// The lab file: which VPP nodes podflow drives and how it reaches them (YAML, validated with a schema). Every
// error names the file, the field path and, for YAML syntax, the line and column — never a stack trace.
// The format, field by field, with two example files: docs/lab-file.md, docs/examples/lab-*.yaml.
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

// Every value of a lab file that reaches a command line is checked here, because on a remote node it reaches a
// shell: ssh joins its arguments after the host with spaces and the node's shell parses the result. Nothing is
// quoted; a value either consists of characters no shell interprets or the lab file is refused.

/** A word of a command prefix (vppctl, push, pull): e.g. ssh, -p, 2222, user@lab1, -o, BatchMode=yes, /usr/bin/vppctl */
export const SAFE_WORD = /^[A-Za-z0-9._/:@=,+%-]+$/;
/** An absolute path on a node: letters, digits and . _ / - only, no `..` component. */
export const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;
/** An interface name (host-gbe, memif1/0, GigabitEthernet0/8/0) or a display name. */
export const SAFE_NAME = /^[A-Za-z0-9._/-]+$/;
/** A network namespace name. */
export const SAFE_NETNS = /^[A-Za-z0-9._-]+$/;

/** Whether a path is absolute, of safe characters only and without `..` components. */
export function isSafePath(p: string): boolean {
  return SAFE_PATH.test(p) && !p.split('/').includes('..');
}

const Word = z.string().regex(SAFE_WORD, 'expected letters, digits and . _ / : @ = , + % - only (the word may reach a remote shell)');
const Argv = z.array(Word).min(1, 'expected a command as a list of arguments, e.g. [vppctl, -s, /run/vpp/cli.sock]');
const SafePath = (what: string) => z.string().refine(isSafePath, `expected ${what} (letters, digits and . _ / - only, no '..': it may reach a remote shell)`);
const Name = z.string().regex(SAFE_NAME, 'expected letters, digits and . _ / - only (it reaches VPP\'s CLI)');
const Netns = z.string().regex(SAFE_NETNS, 'expected a namespace name of letters, digits and . _ - only');

const LabNodeSchema = z
  .object({
    id: z.number().int().min(1).max(255),
    name: Name.optional(),
    vppctl: Argv,
    files: SafePath('an absolute directory path on the node'),
    gbe: Name,
    push: Argv.optional(),
    pull: Argv.optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** the pid of the VPP process when a local lab started it (`podflow lab vpp up`) */
    pid: z.number().int().positive().optional(),
    /** the network namespace the local lab started it in */
    netns: Netns.optional(),
  })
  .strict();

export const LabFileSchema = z
  .object({
    version: z.literal(1),
    profile: z.enum(['vpp-current', 'vpp-18.01-contiv']).default('vpp-current'),
    nodes: z.array(LabNodeSchema).min(1),
    /** where a local lab keeps its state (set by `podflow lab vpp up`) */
    runDir: SafePath('an absolute directory path').optional(),
    /** namespaces a local lab created (removed by `down` only when the lab's state agrees) */
    namespaces: z.array(Netns).optional(),
    /** the random token of a local lab: its state and the marker files in the directories it made hold it */
    token: z.string().regex(/^[0-9a-f]{32}$/, 'expected the 32 hex digits `podflow lab vpp up` wrote').optional(),
  })
  .strict()
  .superRefine((lab, ctx) => {
    const seen = new Map<number, number>();
    lab.nodes.forEach((n, i) => {
      const j = seen.get(n.id);
      if (j !== undefined) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `node ID ${n.id} appears twice (also nodes[${j}])` });
      seen.set(n.id, i);
      if ((n.push === undefined) !== (n.pull === undefined)) ctx.addIssue({ code: 'custom', path: ['nodes', i, n.push ? 'pull' : 'push'], message: 'push and pull go together (commands that write stdin to / print a file on the node)' });
    });
  });

export type LabFile = z.infer<typeof LabFileSchema>;
export type LabNode = LabFile['nodes'][number];

export class LabFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'LabFileError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(top level)';
}

/** Parses and validates a lab file's text; `file` names it in errors. */
export function parseLabFile(text: string, file: string): LabFile {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new LabFileError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const r = LabFileSchema.safeParse(doc.toJS());
  if (!r.success) throw new LabFileError(file, r.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`));
  return r.data;
}

/**
 * Reads a lab file. A lab file names the programs podflow runs, so one that someone else could have written is
 * refused (as ssh refuses such a config): it must be owned by the current user or root and not world-writable
 * (the default lab file lives under /tmp, where anyone can create files).
 */
export function readLabFile(path: string): LabFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    const st = statSync(path);
    const uid = process.geteuid?.();
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) throw new LabFileError(path, [`the lab file is owned by uid ${st.uid}, not by you (uid ${uid}) or root: refusing to run the commands it names`]);
    if ((st.mode & 0o002) !== 0) throw new LabFileError(path, [`the lab file is writable by anyone (mode ${(st.mode & 0o777).toString(8)}): refusing to run the commands it names`]);
  } catch (e) {
    if (e instanceof LabFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new LabFileError(path, [`cannot read the lab file: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message}`]);
  }
  return parseLabFile(text, path);
}
