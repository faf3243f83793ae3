"""PyTorch peer of Pastiche's loss+gradient graphs, for `npm run bench:optimize`.

Builds SqueezeNet 1.1 or VGG19-partial as ordinary torch modules from the SAME ONNX file that Pastiche
loads (weights and conv hyper-parameters read from its initializers and nodes, so both sides use
bit-identical weights), computes the same loss with autograd and answers one JSON line per command:

  torch_loss_nets.py CASE.json [--threads N]   prints {"ready": …} once loaded, then reads stdin:
    check OUT.f32  loss and terms at x; d loss / d x written to OUT.f32 (float32, [1,3,H,W])
    check64 OUT    the same computed in float64 (a reference for both sides); OUT gets float64
    run            one timed forward+backward at x                          -> {"ms", "cpuMs"}
    lbfgs N        torch.optim.LBFGS (strong Wolfe, history 10, lr 1, max_eval 10·N) for N iterations from x
                                                                            -> {"ms","loss","iterations","evaluations"}
    end            exit

CASE.json (written by bench-optimize.ts): model, contentLayers, styleLayers, width, height, x (a float32
file, planar RGB 0..255), targets {name: {file, dims}} keyed like the graph inputs, weights (term order:
content layers, style layers, tv).

Loss definitions (packages/core/src/gradient/loss-terms.ts):
  content = w·mean((F−P)²); style = w·mean((G−A)²), G = F Fᵀ/(H·W); tv = w·(mean dy² + mean dx²).
Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-onnx; see ../shared/docs/RECIPES.md).
"""
import copy
import json
import sys
import time

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn


def onnx_convs(model):
    """Every Conv of the ONNX graph as an nn.Conv2d, keyed by its weight name without '.weight'."""
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    convs = {}
    for node in model.graph.node:
        if node.op_type != 'Conv':
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        w = weights[node.input[1]]
        pads = list(attrs.get('pads', [0, 0, 0, 0]))
        assert pads[:2] == pads[2:], f'{node.name}: asymmetric pads {pads}'
        assert attrs.get('group', 1) == 1 and list(attrs.get('dilations', [1, 1])) == [1, 1]
        conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=tuple(attrs.get('strides', [1, 1])), padding=tuple(pads[:2]))
        conv.weight.data = torch.from_numpy(w.copy())
        conv.bias.data = torch.from_numpy(weights[node.input[2]].copy())
        convs[node.input[1][: -len('.weight')]] = conv
    return convs


def conv_relu(conv):
    # In-place ReLU as torchvision's models do: what a PyTorch user would run.
    return nn.Sequential(conv, nn.ReLU(inplace=True))


class Fire(nn.Module):
    """SqueezeNet's fire module: squeeze 1×1, then expand 1×1 and 3×3 concatenated (torchvision's Fire)."""

    def __init__(self, convs, name):
        super().__init__()
        self.squeeze = conv_relu(convs[f'{name}/squeeze1x1'])
        self.expand1x1 = conv_relu(convs[f'{name}/expand1x1'])
        self.expand3x3 = conv_relu(convs[f'{name}/expand3x3'])

    def forward(self, x):
        s = self.squeeze(x)
        return torch.cat([self.expand1x1(s), self.expand3x3(s)], 1)


def squeezenet_steps(convs):
    # ncnn pools with ceil mode (../shared/assets/README.md); ONNX MaxPool ceil_mode=1.
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    steps = [('preprocessed', convs['preprocess']), ('conv1', conv_relu(convs['conv1'])), ('pool1', pool())]
    steps += [('fire2', Fire(convs, 'fire2')), ('fire3', Fire(convs, 'fire3')), ('pool3', pool())]
    steps += [('fire4', Fire(convs, 'fire4')), ('fire5', Fire(convs, 'fire5')), ('pool5', pool())]
    steps += [(f'fire{i}', Fire(convs, f'fire{i}')) for i in range(6, 10)]
    return steps


def vgg19_partial_steps(convs):
    steps = [('preprocessed', convs['preprocess'])]
    for block, count in ((1, 2), (2, 2), (3, 4)):
        steps += [(f'relu{block}_{i}', conv_relu(convs[f'block{block}_conv{i}'])) for i in range(1, count + 1)]
        if block < 3:
            steps.append((f'pool{block}', nn.MaxPool2d(2, 2)))
    return steps


BUILDERS = {'squeezenet1.1': squeezenet_steps, 'vgg19-partial': vgg19_partial_steps}


class LossNet(nn.Module):
    """The network as named steps; forward stops after the deepest wanted layer (as Pastiche's graphs do)."""

    def __init__(self, path):
        super().__init__()
        model = onnx.load(path)
        name = {p.key: p.value for p in model.metadata_props}['pastiche.name']
        names, modules = zip(*BUILDERS[name](onnx_convs(model)))
        self.names = list(names)
        self.steps = nn.ModuleList(modules)
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x, wanted):
        out = {}
        for name, step in zip(self.names, self.steps):
            x = step(x)
            if name in wanted:
                out[name] = x
                if len(out) == len(wanted):
                    break
        return out


def gram(f):
    c = f.shape[1]
    flat = f.reshape(c, -1)
    return flat @ flat.t() / flat.shape[1]


class Loss:
    """content, style and tv terms (loss-terms.ts) of one network, targets and weights, in one dtype."""

    def __init__(self, net, content, style, weights):
        self.net, self.content, self.style, self.weights = net, content, style, weights
        self.wanted = {l for l, _ in content} | {l for l, _ in style}

    def to(self, dtype):
        # float64 copy: the reference that tells whose float32 rounding is further off.
        cast = lambda pairs: [(l, t.to(dtype)) for l, t in pairs]
        return Loss(copy.deepcopy(self.net).to(dtype), cast(self.content), cast(self.style), self.weights.to(dtype))

    def terms(self, x):
        feats = self.net(x, self.wanted)
        w = iter(self.weights)
        out = [next(w) * torch.mean((feats[l] - p) ** 2) for l, p in self.content]
        out += [next(w) * torch.mean((gram(feats[l]) - a) ** 2) for l, a in self.style]
        dy = x[:, :, 1:, :] - x[:, :, :-1, :]
        dx = x[:, :, :, 1:] - x[:, :, :, :-1]
        out.append(next(w) * (torch.mean(dy**2) + torch.mean(dx**2)))
        return out

    def loss_and_grad(self, x):
        x = x.detach().clone().requires_grad_(True)
        terms = self.terms(x)
        loss = torch.stack(terms).sum()
        loss.backward()
        return loss, terms, x.grad


class Case:
    """One benchmark case, with x, targets and term weights exactly as Pastiche has them."""

    def __init__(self, path):
        with open(path) as f:
            spec = json.load(f)
        shape = (1, 3, spec['height'], spec['width'])
        self.x0 = torch.from_numpy(np.fromfile(spec['x'], dtype='<f4').reshape(shape))
        targets = spec['targets']
        load = lambda name: torch.from_numpy(np.fromfile(targets[name]['file'], dtype='<f4').reshape(targets[name]['dims']))
        content = [(l, load(f'target.content.{l}')) for l in spec['contentLayers']]
        style = [(l, load(f'target.gram.{l}')) for l in spec['styleLayers']]
        weights = torch.tensor(spec['weights'], dtype=torch.float32)
        self.loss = Loss(LossNet(spec['model']), content, style, weights)
        self.term_names = [f'content_loss.{l}' for l, _ in content] + [f'style_loss.{l}' for l, _ in style] + ['tv_loss']

    def check(self, grad_file, dtype):
        loss_fn = self.loss if dtype == torch.float32 else self.loss.to(dtype)
        loss, terms, grad = loss_fn.loss_and_grad(self.x0.to(dtype))
        grad.numpy().astype('<f8' if dtype == torch.float64 else '<f4').tofile(grad_file)
        return {'loss': float(loss), 'terms': {n: float(t) for n, t in zip(self.term_names, terms)}}

    def lbfgs(self, iterations):
        x = self.x0.clone().requires_grad_(True)
        # max_eval well above the default 1.25·max_iter, so that the run does `iterations` iterations
        # rather than stop at the evaluation budget (the tolerances still apply, at their defaults).
        opt = torch.optim.LBFGS([x], lr=1, max_iter=iterations, max_eval=iterations * 10, history_size=10, line_search_fn='strong_wolfe')

        def closure():
            opt.zero_grad()
            loss = torch.stack(self.loss.terms(x)).sum()
            loss.backward()
            return loss

        start = time.perf_counter()
        opt.step(closure)  # one step() runs up to max_iter iterations
        ms = (time.perf_counter() - start) * 1000
        state = opt.state[x]
        with torch.no_grad():  # the loss at the final iterate, outside the timing
            loss = float(torch.stack(self.loss.terms(x)).sum())
        return {'ms': ms, 'loss': loss, 'iterations': state['n_iter'], 'evaluations': state['func_evals']}


def blas_libraries():
    """BLAS libraries mapped into this process (Debian's torch reaches OpenBLAS through libblas.so.3)."""
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if 'blas' in line}
    return sorted(p.rsplit('/', 1)[-1] for p in paths)


def serve(case):
    reply = lambda value: print(json.dumps(value), flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == 'check':
            reply(case.check(args[0], torch.float32))
        elif command == 'check64':
            reply(case.check(args[0], torch.float64))
        elif command == 'run':
            start, cpu = time.perf_counter(), time.process_time()  # process time: all threads
            case.loss.loss_and_grad(case.x0)
            reply({'ms': (time.perf_counter() - start) * 1000, 'cpuMs': (time.process_time() - cpu) * 1000})
        elif command == 'lbfgs':
            reply(case.lbfgs(int(args[0])))
        elif command == 'end':
            break


def main():
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 2
    torch.set_num_threads(threads)
    case = Case(sys.argv[1])
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_libraries()}), flush=True)
    serve(case)


if __name__ == '__main__':
    main()
