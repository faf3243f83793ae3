import type { ModelProto, NodeProto } from '@pastiche/core';
import { tensorToFloat32 } from '@pastiche/core';

/*
 * A float64 forward pass of loss networks in plain TypeScript, for finite differences without float32 noise:
 * deep ReLU networks in float32 leave central differences ~1e-2 precise at best. Covers the ops of the
 * SqueezeNet and VGG loss networks (Conv, Relu, MaxPool, AveragePool, Concat, Identity, Dropout); its outputs
 * are checked against onnxruntime's before they are trusted.
 */

export interface Tensor64 {
  data: Float64Array;
  dims: number[];
}

const ints = (node: NodeProto, name: string, fallback: number[]) => node.attributes.find((a) => a.name === name)?.ints ?? fallback;
const int = (node: NodeProto, name: string, fallback: number) => node.attributes.find((a) => a.name === name)?.i ?? fallback;

/** Conv as im2col + matrix product: long contiguous inner loops keep plain JS fast enough (~0.5 GMAC/s). */
function conv(node: NodeProto, x: Tensor64, w: Tensor64, b: Tensor64 | undefined): Tensor64 {
  const [, , h, wd] = x.dims;
  const [cout, cinGroup, kh, kw] = w.dims;
  const [sh, sw] = ints(node, 'strides', [1, 1]);
  const [dh, dw] = ints(node, 'dilations', [1, 1]);
  const [pt, pl, pb, pr] = ints(node, 'pads', [0, 0, 0, 0]);
  const group = int(node, 'group', 1);
  const ho = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const wo = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const area = ho * wo;
  const taps = cinGroup * kh * kw;
  const out = new Float64Array(cout * area);
  const coutGroup = cout / group;
  const columns = new Float64Array(taps * area);
  for (let g = 0; g < group; g++) {
    columns.fill(0);
    for (let ci = 0; ci < cinGroup; ci++) {
      const input = (g * cinGroup + ci) * h * wd;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const row = ((ci * kh + ky) * kw + kx) * area;
          for (let y = 0; y < ho; y++) {
            const iy = y * sh - pt + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let xo = 0; xo < wo; xo++) {
              const ix = xo * sw - pl + kx * dw;
              if (ix >= 0 && ix < wd) columns[row + y * wo + xo] = x.data[input + iy * wd + ix];
            }
          }
        }
      }
    }
    for (let o = g * coutGroup; o < (g + 1) * coutGroup; o++) {
      const plane = out.subarray(o * area, (o + 1) * area);
      if (b) plane.fill(b.data[o]);
      for (let t = 0; t < taps; t++) {
        const weight = w.data[o * taps + t];
        const column = t * area;
        for (let p = 0; p < area; p++) plane[p] += weight * columns[column + p];
      }
    }
  }
  return { data: out, dims: [1, cout, ho, wo] };
}

/** Output size as ONNX opset 19 / PyTorch define it: in ceil mode the last window must start inside the input or the begin padding. */
function poolSize(size: number, k: number, s: number, padBegin: number, padEnd: number, ceil: boolean): number {
  const span = size + padBegin + padEnd - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + padBegin) out--;
  return out;
}

function pool(node: NodeProto, x: Tensor64, kind: 'max' | 'average'): Tensor64 {
  const [, c, h, w] = x.dims;
  const [kh, kw] = ints(node, 'kernel_shape', []);
  const [sh, sw] = ints(node, 'strides', [1, 1]);
  const [pt, pl, pb, pr] = ints(node, 'pads', [0, 0, 0, 0]);
  const ceil = int(node, 'ceil_mode', 0) === 1;
  if (int(node, 'count_include_pad', 0) !== 0 || ints(node, 'dilations', [1, 1]).some((d) => d !== 1)) throw new Error(`reference pool: unsupported attributes of ${node.name}`);
  const ho = poolSize(h, kh, sh, pt, pb, ceil);
  const wo = poolSize(w, kw, sw, pl, pr, ceil);
  const out = new Float64Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < ho; y++) {
      for (let xo = 0; xo < wo; xo++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let count = 0;
        for (let iy = Math.max(0, y * sh - pt); iy < Math.min(h, y * sh - pt + kh); iy++) {
          for (let ix = Math.max(0, xo * sw - pl); ix < Math.min(w, xo * sw - pl + kw); ix++) {
            const v = x.data[(ch * h + iy) * w + ix];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
            count++;
          }
        }
        out[(ch * ho + y) * wo + xo] = kind === 'max' ? acc : acc / count;
      }
    }
  }
  return { data: out, dims: [1, c, ho, wo] };
}

function concatChannels(parts: Tensor64[]): Tensor64 {
  const data = new Float64Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, dims: [1, parts.reduce((n, p) => n + p.dims[1], 0), parts[0].dims[2], parts[0].dims[3]] };
}

/** Runs `model` in float64 up to the given values (batch 1, NCHW); MaxPool may be replaced by average pooling. */
export function referenceForward(model: ModelProto, image: Tensor64, wanted: readonly string[], pooling: 'max' | 'average' = 'max'): Map<string, Tensor64> {
  const values = new Map<string, Tensor64>([['image', image]]);
  for (const t of model.graph.initializers) {
    if (t.dataType === 1) values.set(t.name, { data: Float64Array.from(tensorToFloat32(t)), dims: [...t.dims] });
  }
  const left = new Set(wanted);
  for (const node of model.graph.nodes) {
    if (left.size === 0) break;
    const inputs = node.inputs.map((i) => (i === '' ? undefined : values.get(i)));
    let y: Tensor64;
    switch (node.opType) {
      case 'Conv': y = conv(node, inputs[0]!, inputs[1]!, inputs[2]); break;
      case 'Relu': y = { data: inputs[0]!.data.map((v) => Math.max(0, v)), dims: inputs[0]!.dims }; break;
      case 'MaxPool': y = pool(node, inputs[0]!, pooling); break;
      case 'AveragePool': y = pool(node, inputs[0]!, 'average'); break;
      case 'Concat':
        if (int(node, 'axis', 0) !== 1) throw new Error('reference Concat: channel axis only');
        y = concatChannels(inputs as Tensor64[]);
        break;
      case 'Identity':
      case 'Dropout': y = inputs[0]!; break;
      default: throw new Error(`reference forward: no ${node.opType} (${node.name})`);
    }
    values.set(node.outputs[0], y);
    left.delete(node.outputs[0]);
  }
  if (left.size > 0) throw new Error(`reference forward: never computed ${[...left].join(', ')}`);
  return new Map(wanted.map((v) => [v, values.get(v)!]));
}
