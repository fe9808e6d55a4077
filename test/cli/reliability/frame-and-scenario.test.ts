// Reliability: frame JSON (packet/json.ts) and scenario JSON (reference/scenario.ts, through explain's loader)
// fail cleanly on malformed input — a FrameJsonError / ScenarioError / UsageError naming the field, never an
// escaped exception.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runScenarioFile } from '../../../src/cli/explain.ts';
import { readJsonFile, UsageError } from '../../../src/cli/io.ts';
import { encodePacket, FrameJsonError, layersFromJson } from '../../../src/packet/index.ts';
import { parseScenario, ScenarioError } from '../../../src/reference/scenario.ts';
import { EXAMPLES } from '../../support/scenarios.ts';
import { expectClean, mutatedArb, prototypeVariants, randomJsonArb, randomTextArb, RUNS, sample, truncations, vocabularyArb } from './malformed.ts';

const dir = mkdtempSync(join(tmpdir(), 'podflow-rel-scn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO_FILES = ['seed-pod-to-pod-same-node.json', 'seed-pod-to-pod-different-nodes.json'].map((f) => join(EXAMPLES, f));
const SCENARIOS = SCENARIO_FILES.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { packets: { frame?: unknown[] }[] });
const FRAMES = SCENARIOS.flatMap((s) => s.packets.flatMap((p) => (p.frame ? [p.frame] : [])));

describe('frame JSON', () => {
  test('prototype names are not layer kinds or fields', () => {
    for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(() => layersFromJson([{ kind }]), kind).toThrow(FrameJsonError);
      expect(() => layersFromJson(JSON.parse(`[{"kind":"ipv4","src":"10.1.1.2","dst":"10.1.1.3","${kind}":1}]`)), kind).toThrow(FrameJsonError);
    }
    expect(() => layersFromJson([{ kind: 'constructor' }])).toThrow(/frame\[0\]\.kind: expected one of ethernet, .*got "constructor"/);
    expect(() => layersFromJson(JSON.parse('[{"kind":"ipv4","src":"10.1.1.2","dst":"10.1.1.3","__proto__":{"ttl":1}}]'))).toThrow(/frame\[0\]\.__proto__: unknown field of a ipv4 layer/);
  });

  test('integers beyond their header field are refused, naming the width', () => {
    expect(() => layersFromJson([{ kind: 'ipv4', src: '10.1.1.2', dst: '10.1.1.3', ttl: 256 }])).toThrow(/frame\[0\]\.ttl: expected an integer 0\.\.255 \(8 bits\), got 256/);
    expect(() => layersFromJson([{ kind: 'vxlan', vni: 2 ** 24 }])).toThrow(/0\.\.16777215/);
  });

  test(`${RUNS} random and mutated frames: a layer list or a FrameJsonError`, () => {
    const inputs = [...sample(randomJsonArb, RUNS / 8), ...sample(vocabularyArb(FRAMES), RUNS / 4), ...sample(vocabularyArb(FRAMES).map((l) => [l]), RUNS / 8), ...sample(mutatedArb(FRAMES), RUNS / 2), ...prototypeVariants(FRAMES)];
    let ok = 0;
    for (const json of inputs) {
      const layers = expectClean(json, () => layersFromJson(JSON.parse(JSON.stringify(json) ?? 'null')), [FrameJsonError]);
      if (layers) {
        ok++;
        // A frame the reader accepts is encodable, or refused with a RangeError (explain turns it into a usage error).
        expectClean(json, () => encodePacket(layers), [RangeError]);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});

describe('scenario JSON', () => {
  test(`${RUNS} random and mutated scenarios: a scenario or a ScenarioError`, () => {
    const inputs = [...sample(randomJsonArb, RUNS / 8), ...sample(vocabularyArb(SCENARIOS), RUNS / 4), ...sample(mutatedArb(SCENARIOS), (RUNS * 5) / 8), ...prototypeVariants(SCENARIOS)];
    let ok = 0;
    for (const json of inputs) if (expectClean(json, () => parseScenario(JSON.parse(JSON.stringify(json) ?? 'null'), 'scenario.json'), [ScenarioError])) ok++;
    expect(ok).toBeGreaterThan(0);
  });

  test('mutated scenarios that parse also load and simulate, or are one usage error (explain)', () => {
    const file = join(dir, 'scenario.json');
    let ran = 0;
    for (const json of sample(mutatedArb(SCENARIOS), 400, 7)) {
      const text = JSON.stringify(json) ?? 'null';
      try {
        parseScenario(JSON.parse(text));
      } catch {
        continue;
      }
      writeFileSync(file, text);
      expectClean(json, () => runScenarioFile(file), [UsageError]);
      ran++;
    }
    expect(ran).toBeGreaterThan(20);
  });

  test('random text and every truncation of a seed scenario file: invalid JSON at line:column, or a scenario', () => {
    const file = join(dir, 'text.json');
    const texts = [...sample(randomTextArb, 300), ...truncations(readFileSync(SCENARIO_FILES[1]!, 'utf8')), '['.repeat(200_000), '{"a":'.repeat(100_000)];
    for (const text of texts) {
      writeFileSync(file, text);
      const v = expectClean(text, () => readJsonFile(file), [UsageError]);
      if (v !== undefined) expectClean(text, () => parseScenario(v, file), [ScenarioError]);
    }
  });
});
