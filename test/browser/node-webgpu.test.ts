/**
 * @pastiche/node with device 'webgpu': onnxruntime-node's bundled WebGPU EP (Dawn) on the SwiftShader
 * Vulkan driver that Debian's chromium ships, in a child process (the Vulkan loader reads
 * VK_ICD_FILENAMES once, when the binding first starts WebGPU).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, builtModel } from '../helpers/assets.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function runChild(env: NodeJS.ProcessEnv, size: number) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'browser', 'fixtures', 'node-webgpu-run.ts'), String(size)],
    { cwd: REPO_ROOT, env, timeout: 170_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

describe("@pastiche/node device 'webgpu'", () => {
  it('matches the CPU on a 32×32 image through SwiftShader (VK_ICD_FILENAMES)', async () => {
    builtModel('candy.onnx');
    if (!existsSync(SWIFTSHADER_ICD)) throw new Error(`Missing ${SWIFTSHADER_ICD}: apt-get install -y chromium libvulkan1`);
    const result = await runChild({ ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD }, 32);
    console.log(`node webgpu (SwiftShader Vulkan) vs cpu: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ ok: true, cpu: { device: 'cpu' }, webgpu: { device: 'webgpu' } });
    // Float32 summation order only (seen: 1.1e-6; @pastiche/web's WebGPU vs wasm is 7.7e-7 on 64×64).
    expect(result.relativeError).toBeLessThanOrEqual(1e-5);
  }, 180_000);
});
