// Runs rendered commands as argument arrays (never a shell string built from data): the `ip -n NS …` and
// `bridge -n NS …` commands of one namespace go to one `ip|bridge -n NS -force -batch -` (process creation is
// the cost: a topology takes a few processes, not hundreds), executed by the netns helper; a failure names
// the exact command that failed.
import type { Argv } from './render-netns.ts';

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`kernel adapter: command failed (${status === null ? 'did not run' : `exit ${status}`}): ${argv.join(' ')}${stderr.trim() ? `\n${stderr.trim()}` : ''}`);
    this.name = 'CommandError';
  }
}

/** The namespace a command acts in (`ip -n NS`, `bridge -n NS`, `ip netns add|del|exec NS`), or '' for none. */
export function namespaceOf(c: Argv): string {
  if ((c[0] === 'ip' || c[0] === 'bridge') && c[1] === '-n') return c[2] ?? '';
  if (c[0] === 'ip' && c[1] === 'netns' && (c[2] === 'add' || c[2] === 'del' || c[2] === 'exec')) return c[3] ?? '';
  return '';
}

/** Something that runs commands and answers each exit status and stderr (the netns helper does it cheaply). */
export interface StepRunner {
  runSteps(steps: { argv: Argv; input?: string; force?: boolean }[], parallel: boolean): Promise<{ status: number; stderr: string }[]>;
}

export interface Step {
  argv: Argv;
  input?: string;
  /** the commands it runs (a batch's lines, in order) */
  lines: Argv[];
  /** 1-based line numbers whose failure is an error (others are deletions of what may be gone already) */
  mustSucceed: Set<number>;
}

/**
 * Deletions and additions as one step per (tool, namespace): `ip|bridge -n NS -force -batch -` with the
 * deletions first; -force keeps going past a failed line and reports each one, so only additions count as
 * failures. Other commands (namespaces, sysctl, nft) are steps of their own, in order after the batches.
 */
export function combinedSteps(del: readonly Argv[], add: readonly Argv[]): Step[] {
  const batches = new Map<string, Step>();
  const singles: Step[] = [];
  const put = (c: Argv, must: boolean) => {
    const batchable = (c[0] === 'ip' || c[0] === 'bridge') && c[1] === '-n' && c[2] !== undefined && c.slice(3).every((a) => /^[^\s"'\\#]+$/.test(a));
    if (!batchable) {
      singles.push({ argv: c, lines: [c], mustSucceed: new Set(must ? [1] : []) });
      return;
    }
    const key = `${c[0]} ${c[2]}`;
    let b = batches.get(key);
    if (!b) {
      b = { argv: [c[0]!, '-n', c[2]!, '-force', '-batch', '-'], input: '', lines: [], mustSucceed: new Set() };
      batches.set(key, b);
    }
    b.lines.push(c);
    b.input += `${c.slice(3).join(' ')}\n`;
    if (must) b.mustSucceed.add(b.lines.length);
  };
  del.forEach((c) => put(c, false));
  add.forEach((c) => put(c, true));
  return [...batches.values(), ...singles];
}

/** The first failed command that had to succeed, from a step's exit status and stderr. */
export function stepFailure(step: Step, status: number, stderr: string): CommandError | undefined {
  if (status === 0) return undefined;
  if (step.input === undefined) return step.mustSucceed.size > 0 ? new CommandError(step.argv, status, stderr) : undefined;
  const failed = [...stderr.matchAll(/Command failed -:(\d+)/g)].map((m) => Number(m[1]));
  if (failed.length === 0) return new CommandError(step.argv, status, stderr);
  const bad = failed.find((n) => step.mustSucceed.has(n));
  return bad === undefined ? undefined : new CommandError(step.lines[bad - 1]!, status, stderr);
}

/**
 * Runs the steps of combinedSteps(del, add) through a runner; batches of different namespaces run in parallel
 * (they are independent), other commands after them in order. Throws CommandError naming the exact command.
 */
export async function runWith(runner: StepRunner, del: readonly Argv[], add: readonly Argv[]): Promise<void> {
  const steps = combinedSteps(del, add);
  if (steps.length === 0) return;
  const batched = steps.filter((s) => s.input !== undefined);
  const singles = steps.filter((s) => s.input === undefined);
  const check = (list: Step[], results: { status: number; stderr: string }[]) => {
    list.forEach((s, i) => {
      const r = results[i];
      if (process.env.PODFLOW_KERNEL_TRACE === '1') process.stderr.write(`[kernel] ${s.argv.join(' ')} (${s.lines.length} lines) -> ${r ? `${r.status} ${r.stderr.trim().replace(/\n/g, ' / ')}` : 'not run'}\n`);
      if (!r) return;
      const e = stepFailure(s, r.status, r.stderr);
      if (e) throw e;
    });
  };
  if (batched.length > 0) check(batched, await runner.runSteps(batched.map(({ argv, input }) => ({ argv, input: input! })), true));
  if (singles.length > 0) check(singles, await runner.runSteps(singles.map(({ argv, mustSucceed }) => ({ argv, ...(mustSucceed.size === 0 ? { force: true } : {}) })), false));
}
