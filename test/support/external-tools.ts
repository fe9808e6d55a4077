// Finds and runs the third-party tools (Wireshark's CLI tools, tcpdump, scapy) that interop tests
// cross-check our codecs against, and decides whether such a test may skip: never under CI.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Debian's python3-scapy is importable only by the system interpreter; a pyenv or venv python3
 * earlier on PATH usually lacks it, so scapy snippets always run with this one.
 */
export const SCAPY_PYTHON = '/usr/bin/python3';

/** True when CI is set to anything but '', '0' or 'false': missing tools then fail the test. */
export const IN_CI = ((v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false')(process.env.CI);

const toolCache = new Map<string, boolean>();
let scapyCache: boolean | undefined;

/** Whether an executable called `name` is on PATH (or `name` is an executable path). */
export function hasTool(name: string): boolean {
  const cached = toolCache.get(name);
  if (cached !== undefined) return cached;
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name));
  const found = candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  toolCache.set(name, found);
  return found;
}

/** Whether SCAPY_PYTHON can `import scapy`. */
export function hasScapy(): boolean {
  if (scapyCache === undefined) {
    const r = spawnSync(SCAPY_PYTHON, ['-c', 'import scapy'], { stdio: 'ignore', timeout: 30_000 });
    scapyCache = r.status === 0;
  }
  return scapyCache;
}

export interface RunOptions {
  input?: string | Uint8Array;
  cwd?: string;
  /** Extra environment variables, merged over process.env (e.g. TZ=UTC for text2pcap -t). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Default true: a non-zero exit or a spawn failure throws with the command line and stderr. */
  check?: boolean;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` with an argument array (never through a shell) and returns its output as text. */
export function runTool(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    input: opts.input,
    cwd: opts.cwd,
    env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const result: RunResult = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (opts.check !== false && (r.error !== undefined || r.status !== 0)) {
    const why = r.error !== undefined ? r.error.message : `exit status ${r.status ?? `signal ${r.signal}`}`;
    throw new Error(`${[cmd, ...args].join(' ')} failed: ${why}\n${result.stderr}`);
  }
  return result;
}

export interface ToolNeeds {
  tools?: readonly string[];
  scapy?: boolean;
}

/** Why a test needing `needs` cannot run here ('tshark not installed; …'), or undefined if it can. */
export function skipReason(needs: ToolNeeds): string | undefined {
  const missing = (needs.tools ?? []).filter((t) => !hasTool(t)).map((t) => `${t} not installed`);
  if (needs.scapy === true && !hasScapy()) missing.push(`scapy not importable by ${SCAPY_PYTHON}`);
  return missing.length === 0 ? undefined : missing.join('; ');
}

export interface ToolGate {
  /** Undefined when every needed tool is present. */
  readonly reason: string | undefined;
  /** For test.skipIf: missing tools and not under CI. */
  readonly skip: boolean;
  /** A describe/test title that says what is needed and, when skipping, why. */
  title(base: string): string;
  /** Call first in a gated test: under CI a missing tool fails the test instead of skipping it. */
  require(): void;
}

/**
 * Bundles skipReason with the CI rule. Usage:
 *   const gate = toolGate({ tools: ['tshark'] });
 *   describe(gate.title('our files read by tshark'), () => {
 *     test.skipIf(gate.skip)('…', () => { gate.require(); … });
 *   });
 * A skip is also announced with console.warn, so it shows in the run log and not only in titles.
 */
export function toolGate(needs: ToolNeeds): ToolGate {
  const reason = skipReason(needs);
  const skip = reason !== undefined && !IN_CI;
  const names = [...(needs.tools ?? []), ...(needs.scapy === true ? ['scapy'] : [])].join(', ');
  if (skip) console.warn(`[interop] skipping tests that need ${names}: ${reason}`);
  return {
    reason,
    skip,
    title(base) {
      if (reason === undefined) return `${base} (needs ${names})`;
      return skip ? `${base} (needs ${names}; skipped: ${reason})` : `${base} (needs ${names}; CI set, failing: ${reason})`;
    },
    require() {
      if (reason !== undefined) {
        throw new Error(`CI is set, so this interop test fails instead of skipping: ${reason}`);
      }
    },
  };
}
