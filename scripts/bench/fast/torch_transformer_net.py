"""PyTorch peer for `npm run bench:fast`.

Builds the pytorch/examples fast_neural_style TransformerNet, loads the same ncnn `.bin`
weights that `npm run models` converts to ONNX, and either checks it against the golden
output, times it, or serves single timed runs to the TS orchestrator. Prints JSON.

Usage: /usr/bin/python3 torch_transformer_net.py WEIGHTS.bin [--threads 2]
         [--sizes 256,512 --runs 5 --warmup 2]     standalone timing
         [--golden IMAGE.png GOLDEN.chw.f32]        check against the reference output only
         [--serve SIZE]                             line protocol used by bench-fast.ts
"""
import argparse
import json
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

FP16_TAG = 0x01306B47

# (kernel, in, out, stride, upsample, norm, relu) in file order (../shared/assets/README.md).
PLAN = (
    [(9, 3, 32, 1, False, True, True), (3, 32, 64, 2, False, True, True), (3, 64, 128, 2, False, True, True)]
    + [(3, 128, 128, 1, False, True, relu) for _ in range(5) for relu in (True, False)]
    + [(3, 128, 64, 1, True, True, True), (3, 64, 32, 1, True, True, True), (9, 32, 3, 1, False, False, False)]
)


class ConvLayer(nn.Module):
    """Optional nearest ×2 upsample, reflection pad k//2, conv, optional InstanceNorm and ReLU."""

    def __init__(self, k, cin, cout, stride, upsample, norm, relu):
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest") if upsample else None
        self.pad = nn.ReflectionPad2d(k // 2)
        self.conv = nn.Conv2d(cin, cout, k, stride)
        self.norm = nn.InstanceNorm2d(cout, affine=True, eps=1e-5) if norm else None
        self.relu = nn.ReLU() if relu else None

    def forward(self, x):
        if self.upsample is not None:
            x = self.upsample(x)
        x = self.conv(self.pad(x))
        if self.norm is not None:
            x = self.norm(x)
        return self.relu(x) if self.relu is not None else x


class TransformerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(ConvLayer(*spec) for spec in PLAN)

    def forward(self, x):
        down, res, up = self.layers[:3], self.layers[3:13], self.layers[13:]
        for layer in down:
            x = layer(x)
        for i in range(0, len(res), 2):
            x = x + res[i + 1](res[i](x))
        for layer in up:
            x = layer(x)
        return x


def load_ncnn_weights(net, path):
    """Fills `net` from the ncnn file: tag, fp16 OIHW weight (4-byte aligned), fp32 bias[, gamma, beta]."""
    data = open(path, "rb").read()
    offset = 0

    def f32(count):
        nonlocal offset
        out = np.frombuffer(data, "<f4", count, offset).copy()
        offset += count * 4
        return torch.from_numpy(out)

    for layer, (k, cin, cout, *_rest) in zip(net.layers, PLAN):
        (tag,) = struct.unpack_from("<I", data, offset)
        if tag != FP16_TAG:
            raise ValueError(f"expected the ncnn fp16 tag at byte {offset}")
        offset += 4
        count = cout * cin * k * k
        weight = np.frombuffer(data, "<f2", count, offset).astype(np.float32)
        offset += (count * 2 + 3) // 4 * 4
        layer.conv.weight.data = torch.from_numpy(weight.reshape(cout, cin, k, k))
        layer.conv.bias.data = f32(cout)
        if layer.norm is not None:
            layer.norm.weight.data = f32(cout)
            layer.norm.bias.data = f32(cout)
    if offset != len(data):
        raise ValueError(f"weights end at byte {offset} but the file has {len(data)}")


def loaded_blas():
    """Which BLAS library the process actually mapped (Debian's torch picks it up through libblas.so.3)."""
    with open("/proc/self/maps") as maps:
        libs = {"/".join(line.split()[-1].split("/")[-2:]) for line in maps if "blas" in line}
    return sorted(libs)


def check_golden(net, image_path, golden_path):
    """Max absolute difference to the independently computed reference output."""
    from PIL import Image

    rgb = np.asarray(Image.open(image_path).convert("RGB"), dtype=np.float32)
    x = torch.from_numpy(rgb.transpose(2, 0, 1).copy())[None]
    with torch.inference_mode():
        y = net(x)[0].numpy()
    golden = np.fromfile(golden_path, "<f4").reshape(y.shape)
    return float(np.abs(y - golden).max())


def random_input(size):
    # Same input distribution as the TS side: uniform 0..255.
    return torch.rand(1, 3, size, size) * 255


def time_size(net, size, runs, warmup):
    x = random_input(size)
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            net(x)
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1000)
    return {"size": size, "runs": runs, "medianMs": float(np.median(times)), "p90Ms": float(np.percentile(times, 90))}


def peak_rss_mib():
    # ru_maxrss is KiB on Linux and covers the whole process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(net, size, info):
    """Line protocol for bench-fast.ts: print ready, then `run` -> {"ms"}, `end` -> {"peakRssMiB"}."""
    x = random_input(size)
    print(json.dumps({"ready": True, **info}), flush=True)
    with torch.inference_mode():
        for line in sys.stdin:
            command = line.strip()
            if command == "run":
                start = time.perf_counter()
                net(x)
                print(json.dumps({"ms": (time.perf_counter() - start) * 1000}), flush=True)
            elif command == "end":
                break
    print(json.dumps({"peakRssMiB": peak_rss_mib()}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", default="256,512,1024", help="standalone timing of these sizes")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--golden", nargs=2, metavar=("IMAGE", "GOLDEN"), help="only check against the reference output")
    ap.add_argument("--serve", type=int, metavar="SIZE", help="answer run/end lines on stdin at this size")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    net = TransformerNet().eval()
    load_ncnn_weights(net, args.weights)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas()}

    if args.golden:
        print(json.dumps({**info, "goldenMaxAbsDiff": check_golden(net, *args.golden)}))
    elif args.serve:
        serve(net, args.serve, info)
    else:
        results = [time_size(net, int(s), args.runs, args.warmup) for s in args.sizes.split(",")]
        print(json.dumps({**info, "results": results, "peakRssMiB": peak_rss_mib()}))


if __name__ == "__main__":
    main()
