// deploy/k8s/: valid YAML read the same by YAML 1.1 (Kubernetes) and 1.2, known kinds and apiVersions, Indexed
// Jobs whose completions equal the N of `--shard $((JOB_COMPLETION_INDEX+1))/N`, mounts of volumes that exist,
// resources and a minimal security context, a merge scheduled after the shards can have finished — and the shard
// and merge scripts run for real (reference adapter, a temporary folder as the volume).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADAPTER_NAMES } from '../../src/cli/adapters.ts';
import { parseDuration, parseShard } from '../../src/cli/fuzz.ts';
import { parseLabFile } from '../../src/adapters/vpp/lab-file.ts';
import { at, cronProblems, dailyMinute, expandVars, loadYamlDocs, parsePodflow, podflowCommands, readRepoFile, ROOT } from './support.ts';
import { podflowShims, runBash, runBashAsync } from './run-script.ts';

const DIR = 'deploy/k8s';
const files = readdirSync(join(ROOT, DIR)).filter((f) => f.endsWith('.yaml')).sort();

type Obj = Record<string, unknown>;
const docsOf = (file: string): Obj[] => loadYamlDocs(readRepoFile(join(DIR, file)), join(DIR, file)) as Obj[];
const all = (): { file: string; doc: Obj }[] => files.flatMap((file) => docsOf(file).map((doc) => ({ file, doc })));
const ofKind = (kind: string): { file: string; doc: Obj }[] => all().filter((d) => d.doc.kind === kind);
const nameOf = (o: Obj): string => String(at(o, 'metadata', 'name'));

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  resources?: unknown;
  securityContext?: Obj;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
const podSpec = (cj: Obj): Obj => at(cj, 'spec', 'jobTemplate', 'spec', 'template', 'spec') as Obj;
const jobSpec = (cj: Obj): Obj => at(cj, 'spec', 'jobTemplate', 'spec') as Obj;
const containersOf = (cj: Obj): Container[] => (podSpec(cj).containers as Container[] | undefined) ?? [];
const envOf = (c: Container): Record<string, string> => Object.fromEntries((c.env ?? []).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value!]));
/** The script a container runs: command [/usr/bin/tini, -g, --, bash, -c] and the script as the one arg. */
const scriptOf = (c: Container): string => {
  expect(c.command?.slice(-2)).toEqual(['bash', '-c']);
  expect(c.args).toHaveLength(1);
  return c.args![0]!;
};
const isShardJob = (cj: Obj): boolean => jobSpec(cj).completionMode !== undefined;
/** N of the `--shard "$((JOB_COMPLETION_INDEX+1))/N"` in a shard CronJob's podflow fuzz. */
function shardN(cj: Obj): number {
  const fuzz = containersOf(cj).flatMap((c) => podflowCommands(scriptOf(c))).filter((a) => a[0] === 'fuzz');
  expect(fuzz, `${nameOf(cj)}: one podflow fuzz`).toHaveLength(1);
  const arg = fuzz[0]![fuzz[0]!.indexOf('--shard') + 1] ?? '';
  const m = /^\$\(\(JOB_COMPLETION_INDEX\+1\)\)\/(\d+)$/.exec(arg);
  if (!m) throw new Error(`${nameOf(cj)}: --shard '${arg}' is not $((JOB_COMPLETION_INDEX+1))/N`);
  return Number(m[1]);
}

describe(DIR, () => {
  test('every file is YAML 1.2 without duplicate keys, and YAML 1.1 (Kubernetes\' reader) reads the same values', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const text = readRepoFile(join(DIR, f));
      expect(loadYamlDocs(text, f, '1.1'), f).toEqual(loadYamlDocs(text, f, '1.2'));
    }
    // An octal-looking mode is read differently by the two: the check can fail.
    expect(loadYamlDocs('m: 0440', 'x', '1.1')).not.toEqual(loadYamlDocs('m: 0440', 'x', '1.2'));
    expect(() => loadYamlDocs('a: 1\na: 2\n', 'x')).toThrow();
  });

  test('kinds and apiVersions; the kustomization lists files that exist', () => {
    const apiVersion: Record<string, string> = {
      CronJob: 'batch/v1',
      Job: 'batch/v1',
      ServiceAccount: 'v1',
      PersistentVolumeClaim: 'v1',
      Secret: 'v1',
      Namespace: 'v1',
      Kustomization: 'kustomize.config.k8s.io/v1beta1',
    };
    for (const { file, doc } of all()) {
      expect(Object.keys(apiVersion), `${file}: kind ${String(doc.kind)}`).toContain(doc.kind);
      expect(doc.apiVersion, `${file}: ${String(doc.kind)}`).toBe(apiVersion[doc.kind as string]);
    }
    const kust = ofKind('Kustomization')[0]!.doc;
    for (const r of kust.resources as string[]) expect(existsSync(join(ROOT, DIR, r)), r).toBe(true);
    expect(kust.resources).not.toContain('lab-secret.example.yaml');
  });

  test('CronJobs: valid schedule, every mount names a volume (and every volume is mounted), claims, secrets and service accounts exist, resources set', () => {
    const claims = ofKind('PersistentVolumeClaim').map((d) => nameOf(d.doc));
    const secrets = ofKind('Secret').map((d) => nameOf(d.doc));
    const accounts = ofKind('ServiceAccount');
    expect(accounts.map((a) => a.doc.automountServiceAccountToken)).toEqual(accounts.map(() => false));
    const cronJobs = ofKind('CronJob');
    expect(cronJobs.length).toBeGreaterThanOrEqual(4);
    for (const { file, doc } of cronJobs) {
      const where = `${file}: ${nameOf(doc)}`;
      const schedule = String(at(doc, 'spec', 'schedule'));
      expect(cronProblems(schedule), where).toEqual([]);
      expect(at(doc, 'spec', 'concurrencyPolicy'), where).toBe('Forbid');
      const pod = podSpec(doc);
      expect(pod.restartPolicy, where).toBe('Never');
      expect(pod.automountServiceAccountToken, where).toBe(false);
      expect(accounts.map((a) => nameOf(a.doc)), where).toContain(pod.serviceAccountName);
      const volumes = (pod.volumes as Obj[]).map((v) => v);
      const volumeNames = volumes.map((v) => String(v.name));
      expect(new Set(volumeNames).size, where).toBe(volumeNames.length);
      const mounted = new Set<string>();
      for (const c of containersOf(doc)) {
        expect(c.image, where).toBe('ghcr.io/OWNER/podflow:TAG');
        for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(at(c.resources, kind, r), `${where}: resources.${kind}.${r}`).toBeDefined();
        for (const m of c.volumeMounts ?? []) {
          expect(volumeNames, `${where}: volumeMount ${m.name}`).toContain(m.name);
          mounted.add(m.name);
        }
      }
      expect([...mounted].sort(), `${where}: volumes nobody mounts`).toEqual([...volumeNames].sort());
      for (const v of volumes) {
        const claim = at(v, 'persistentVolumeClaim', 'claimName');
        if (claim !== undefined) expect(claims, where).toContain(claim);
        const secret = at(v, 'secret', 'secretName');
        if (secret !== undefined) {
          expect(secrets, where).toContain(secret);
          // podflow refuses a lab file anyone may write; ssh a key others may read when it is theirs.
          expect((Number(at(v, 'secret', 'defaultMode')) & 0o002), where).toBe(0);
          const mount = containersOf(doc).flatMap((c) => c.volumeMounts ?? []).find((m) => m.name === v.name);
          expect(mount?.readOnly, `${where}: the lab is mounted read-only`).toBe(true);
        }
      }
    }
  });

  test('shard CronJobs: an Indexed Job whose completions equal the N of --shard $((JOB_COMPLETION_INDEX+1))/N, one seed per night', () => {
    const shardJobs = ofKind('CronJob').filter((d) => isShardJob(d.doc));
    expect(shardJobs.length).toBeGreaterThanOrEqual(2);
    for (const { file, doc } of shardJobs) {
      const where = `${file}: ${nameOf(doc)}`;
      const job = jobSpec(doc);
      const n = shardN(doc);
      expect(job.completionMode, where).toBe('Indexed');
      expect(job.completions, where).toBe(n);
      expect(Number(job.parallelism), where).toBeGreaterThanOrEqual(1);
      expect(Number(job.parallelism), where).toBeLessThanOrEqual(n);
      const shards = Array.from({ length: n }, (_, i) => parseShard(`${i + 1}/${n}`));
      expect(shards.map((s) => s.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const [c] = containersOf(doc);
      const script = scriptOf(c!);
      expect(script).toContain('JOB_COMPLETION_INDEX');
      // The seed: the Job's name (<cronjob>-<scheduled minute>), from the pod's job-name label; never the default 1.
      const fuzz = podflowCommands(script).find((a) => a[0] === 'fuzz')!;
      expect(fuzz[fuzz.indexOf('--seed') + 1], where).toBe('$seed');
      expect(script).toMatch(/seed="\$\{PODFLOW_SEED:-\$\{JOB_NAME##\*-\}\}"/);
      expect(c!.env?.find((e) => e.name === 'JOB_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } });
      // A verdict is not retried, and a failing shard does not stop the others.
      expect(job.backoffLimitPerIndex, where).toBe(0);
      expect(job.maxFailedIndexes, where).toBe(n);
      const rules = at(job, 'podFailurePolicy', 'rules') as Obj[];
      const failIndex = rules.find((r) => r.action === 'FailIndex');
      expect(at(failIndex, 'onExitCodes', 'containerName'), where).toBe(c!.name);
      expect(at(failIndex, 'onExitCodes', 'values'), where).toEqual(expect.arrayContaining([1, 3]));
      expect(Number(job.activeDeadlineSeconds), where).toBeGreaterThan(parseDuration(envOf(c!).FUZZ_TIME!) / 1000);
      // Each shard its own folder on the volume (podflow's pid checks mean nothing across pods).
      expect(fuzz[fuzz.indexOf('--out') + 1]).toMatch(/\$dir\//);
      expect(fuzz[fuzz.indexOf('--corpus') + 1]).toMatch(/\$dir\//);
      expect(script).toMatch(/dir="\/data\/nights\/\$ADAPTER-\$seed\/shard-\$shard"/);
    }
  });

  test('every podflow command in a script parses with podflow\'s own options, with the manifest\'s values', () => {
    let count = 0;
    for (const { file, doc } of ofKind('CronJob')) {
      for (const c of containersOf(doc)) {
        const env: Record<string, string> = { ...envOf(c), seed: '29411520', dir: '/data/x', shard: '1', SHARDS: '4', JOB_COMPLETION_INDEX: '0' };
        if (env.ADAPTER !== undefined) expect(ADAPTER_NAMES, `${file}: ADAPTER`).toContain(env.ADAPTER);
        for (const argv of podflowCommands(scriptOf(c))) {
          const parsed = parsePodflow(argv.map((w) => expandVars(w, env).replace('$((JOB_COMPLETION_INDEX+1))', '1')));
          if (parsed.command[0] === 'fuzz') {
            expect(() => parseDuration(String(parsed.opts.time)), `${file}: --time`).not.toThrow();
            expect(() => parseShard(String(parsed.opts.shard)), `${file}: --shard`).not.toThrow();
          }
          count++;
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(4);
  });

  test('the VPP shards use lab-<K>.yaml from the read-only lab Secret, one lab per shard; the example lab file is one podflow accepts', () => {
    const cj = ofKind('CronJob').find((d) => isShardJob(d.doc) && envOf(containersOf(d.doc)[0]!).ADAPTER === 'vpp')!.doc;
    const [c] = containersOf(cj);
    const script = scriptOf(c!);
    const m = /export PODFLOW_VPP_LAB="([^"]+)\/lab-\$shard\.yaml"/.exec(script);
    expect(m, 'export PODFLOW_VPP_LAB=<lab mount>/lab-$shard.yaml').not.toBeNull();
    const mount = c!.volumeMounts!.find((v) => v.mountPath === m![1]);
    expect(mount?.readOnly).toBe(true);
    const secret = ofKind('Secret')[0]!.doc;
    const data = secret.stringData as Record<string, string>;
    expect(() => parseLabFile(data['lab-1.yaml']!, 'lab-1.yaml')).not.toThrow();
    // The lab's ssh words point into the same mount.
    expect(data['lab-1.yaml']).toContain(`${m![1]}/ssh_config`);
    expect(data.ssh_config).toContain(`${m![1]}/id_ed25519`);
  });

  test('security: the VPP shards and merges run as non-root with nothing extra; only the kernel variant is privileged', () => {
    for (const { file, doc } of ofKind('CronJob')) {
      const where = `${file}: ${nameOf(doc)}`;
      const pod = podSpec(doc);
      for (const c of containersOf(doc)) {
        const sc = c.securityContext ?? {};
        if (envOf(c).ADAPTER === 'kernel' && isShardJob(doc)) {
          expect(sc.privileged, where).toBe(true);
          expect(sc.runAsUser, where).toBe(0);
          expect(at(sc, 'capabilities', 'add'), where).toContain('NET_ADMIN');
        } else {
          expect(at(pod, 'securityContext', 'runAsNonRoot'), where).toBe(true);
          expect(at(pod, 'securityContext', 'runAsUser'), where).toBe(1000);
          expect(sc.privileged, where).toBeUndefined();
          expect(sc.allowPrivilegeEscalation, where).toBe(false);
          expect(sc.readOnlyRootFilesystem, where).toBe(true);
          expect(at(sc, 'capabilities', 'drop'), where).toEqual(['ALL']);
          expect(at(sc, 'capabilities', 'add'), where).toBeUndefined();
        }
      }
    }
    expect(files).toContain('cronjob-kernel.yaml');
  });

  test('each merge waits for the shards of its adapter: same N, scheduled so that schedule + WAIT_SECONDS reaches past the shards\' deadline; one merge script', () => {
    const cronJobs = ofKind('CronJob').map((d) => d.doc);
    const merges = cronJobs.filter((cj) => !isShardJob(cj));
    expect(merges.length).toBeGreaterThanOrEqual(2);
    const scripts = new Set<string>();
    for (const merge of merges) {
      const [c] = containersOf(merge);
      const env = envOf(c!);
      const shards = cronJobs.filter((cj) => isShardJob(cj) && envOf(containersOf(cj)[0]!).ADAPTER === env.ADAPTER);
      expect(shards, `${nameOf(merge)}: a shard CronJob with ADAPTER=${env.ADAPTER}`).toHaveLength(1);
      const shard = shards[0]!;
      expect(Number(env.SHARDS), nameOf(merge)).toBe(shardN(shard));
      const shardStart = dailyMinute(String(at(shard, 'spec', 'schedule')));
      const mergeStart = dailyMinute(String(at(merge, 'spec', 'schedule')));
      expect(shardStart).toBeDefined();
      expect(mergeStart).toBeDefined();
      const shardsDone = shardStart! + Number(jobSpec(shard).activeDeadlineSeconds) / 60;
      const mergeGivesUp = mergeStart! + (mergeStart! < shardStart! ? 1440 : 0) + Number(env.WAIT_SECONDS) / 60;
      expect(mergeGivesUp, `${nameOf(merge)} stops waiting before ${nameOf(shard)} can have ended`).toBeGreaterThanOrEqual(shardsDone);
      expect(mergeStart! + (mergeStart! < shardStart! ? 1440 : 0), `${nameOf(merge)} starts after ${nameOf(shard)}`).toBeGreaterThan(shardStart!);
      expect(Number(jobSpec(merge).activeDeadlineSeconds)).toBeGreaterThan(Number(env.WAIT_SECONDS));
      expect(podflowCommands(scriptOf(c!)).map((a) => a[0])).toEqual(['merge', 'history']);
      scripts.add(scriptOf(c!));
    }
    expect(scripts.size, 'the kernel merge runs the same script as cronjob-merge.yaml').toBe(1);
  });

  describe('the scripts, run for real: 4 shards (reference adapter) on a temporary volume, then the merge', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'podflow-recipes-k8s-'));
    const data = join(tmp, 'data');
    const shims = podflowShims(tmp);
    const JOB = 'podflow-nightly-29411520';
    let n = 0;
    let mergeScript = '';
    const shardRuns: { status: number | null; out: string }[] = [];
    const onVolume = (script: string): string => script.replaceAll('/data/', `${data}/`).replaceAll('/data ', `${data} `);

    beforeAll(async () => {
      const cj = ofKind('CronJob').find((d) => isShardJob(d.doc) && envOf(containersOf(d.doc)[0]!).ADAPTER === 'vpp')!.doc;
      n = shardN(cj);
      // A fixed number of cases instead of the time budget: with --time 1s a slow (shared) machine checks no case
      // of some property, which is unknown, and the night inconclusive.
      const script = scriptOf(containersOf(cj)[0]!);
      expect(script).toContain('--time "$FUZZ_TIME"');
      const shardScript = onVolume(script.replace('--time "$FUZZ_TIME"', '--runs 2'));
      const merge = ofKind('CronJob').find((d) => !isShardJob(d.doc) && envOf(containersOf(d.doc)[0]!).ADAPTER === 'vpp')!.doc;
      mergeScript = onVolume(scriptOf(containersOf(merge)[0]!));
      mkdirSync(data);
      const runs = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          runBashAsync(shardScript, { cwd: tmp, shims, env: { ADAPTER: 'reference', FUZZ_TIME: 'unused', PODFLOW_SEED: '', JOB_NAME: JOB, JOB_COMPLETION_INDEX: String(i) } }),
        ),
      );
      shardRuns.push(...runs.map((r) => ({ status: r.status, out: r.stdout + r.stderr })));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    const night = (): string => join(data, 'nights', 'reference-29411520');
    const merge = (extra: Record<string, string> = {}) => runBash(mergeScript, { cwd: tmp, shims, env: { ADAPTER: 'reference', SHARDS: String(n), WAIT_SECONDS: '0', ...extra } });

    test('each shard: seed from the Job name, its own folder, --shard K/N in the run folder name, exit code written', () => {
      for (let i = 0; i < n; i++) {
        const r = shardRuns[i]!;
        expect(r.status, r.out).toBe(0);
        expect(r.out).toContain(`seed 29411520, shard ${i + 1}/${n}`);
        const dir = join(night(), `shard-${i + 1}`);
        expect(readFileSync(join(dir, 'exit-code'), 'utf8').trim()).toBe('0');
        const folders = readdirSync(join(dir, 'reports')).filter((f) => f !== 'latest' && f !== 'index.html');
        expect(folders).toHaveLength(1);
        expect(folders[0]).toMatch(new RegExp(`^\\d{8}T\\d{6}Z-reference-seed29411520-shard${i + 1}of${n}$`));
      }
    });

    test('the merge: one report in /data/reports, summary.md beside the night and in the log, exit 0; a second merge of the same night refuses (3)', () => {
      const r = merge();
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(night(), 'merge-exit-code'), 'utf8').trim()).toBe('0');
      const summary = readFileSync(join(night(), 'summary.md'), 'utf8');
      expect(summary).toBe(readFileSync(join(data, 'reports', 'latest', 'summary.md'), 'utf8'));
      expect(r.stdout).toContain(summary.trim().split('\n')[0]!);
      expect(statSync(join(data, 'reports', 'latest', 'report.html')).isFile()).toBe(true);
      expect(readFileSync(join(data, 'reports', 'index.html'), 'utf8')).toContain('Coverage across runs');
      const again = merge();
      expect(again.status).toBe(3);
      expect(again.stderr).toMatch(/already merged/);
    });

    test('a shard that never finished: the merge runs over the others and exits 3 (incomplete)', () => {
      rmSync(join(night(), 'merge-exit-code'));
      rmSync(join(night(), `shard-${n}`, 'exit-code'));
      const r = merge();
      expect(r.status, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`INCOMPLETE: no finished run from shard\\(s\\) ${n} of ${n}`));
      expect(r.stdout).toMatch(/runs merged/);
    });
  });
});

test('the shard script refuses to run without a seed (a Job name that does not end in a number)', () => {
  const cj = ofKind('CronJob').find((d) => isShardJob(d.doc))!.doc;
  const tmp = mkdtempSync(join(tmpdir(), 'podflow-recipes-k8s-'));
  try {
    const r = runBash(scriptOf(containersOf(cj)[0]!).replaceAll('/data/', `${tmp}/`), { cwd: tmp, shims: podflowShims(tmp), env: { ADAPTER: 'reference', FUZZ_TIME: '1s', PODFLOW_SEED: '', JOB_NAME: 'by-hand', JOB_COMPLETION_INDEX: '0' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no seed/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
