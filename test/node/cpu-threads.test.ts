import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { physicalCoreCount, withDefaultThreads } from '../../packages/node/src/cpu-threads.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel } from '../helpers/assets.js';
import { readFile } from 'node:fs/promises';

describe('CPU threads by default', () => {
  it('counts physical cores, at least one and no more than the CPUs the process may use', () => {
    const cores = physicalCoreCount();
    expect(Number.isInteger(cores)).toBe(true);
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(availableParallelism());
  });

  it("sets intraOpNumThreads only where the caller did not, keeping the caller's other options", () => {
    expect(withDefaultThreads(undefined)).toEqual({ intraOpNumThreads: physicalCoreCount() });
    expect(withDefaultThreads({ graphOptimizationLevel: 'basic' })).toEqual({ graphOptimizationLevel: 'basic', intraOpNumThreads: physicalCoreCount() });
    const chosen = { intraOpNumThreads: 1, executionProviders: ['cpu'] };
    expect(withDefaultThreads(chosen)).toBe(chosen);
  });

  it('opens sessions through the node runtime with those options (a session runs with and without them)', async () => {
    const bytes = new Uint8Array(await readFile(builtModel('candy.onnx')));
    for (const options of [undefined, { intraOpNumThreads: 1 }]) {
      const session = await nodePlatform.runtime.createSession(bytes, options);
      expect(session.inputNames.length).toBe(1);
      await session.release();
    }
  });
});
