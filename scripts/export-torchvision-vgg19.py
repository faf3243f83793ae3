#!/usr/bin/env python3
"""Export torchvision's VGG19 `features` up to relu5_1 as a Pastiche loss network (ONNX, opset 17).

For users who have PyTorch, torchvision and the `onnx` package (and internet, for the ImageNet weights):

    python3 scripts/export-torchvision-vgg19.py --out models/onnx/vgg19.onnx

The model follows the conventions of the networks `npm run models` imports:
  - input `image` float [1, 3, height, width], RGB 0..255 NCHW, any height and width;
  - torchvision's preprocessing (x / 255 - mean) / std folded into a first 1x1 Conv (output `preprocessed`);
  - layer tensors relu1_1 ... relu5_1 as graph outputs (convs conv1_1 ..., max pools pool1 ... pool4 inside);
  - pastiche.* metadata: kind loss-network, pastiche.layers, suggested default content and style layers.

--random-weights exports an untrained network (no download), for tests. --reference DIR also runs PyTorch on
a random image and writes DIR/input.f32, DIR/<layer>.f32 (raw little-endian float32, NCHW) and
DIR/reference.json (their shapes), so that another runtime can be checked against PyTorch.
"""
import argparse
import json
import os
import sys

import onnx
import torch
import torchvision

LAYERS = [
    "relu1_1", "relu1_2",
    "relu2_1", "relu2_2",
    "relu3_1", "relu3_2", "relu3_3", "relu3_4",
    "relu4_1", "relu4_2", "relu4_3", "relu4_4",
    "relu5_1",
]
# Gatys et al.: content conv4_2, style conv1_1, conv2_1, conv3_1, conv4_1, conv5_1 (after their ReLUs).
DEFAULT_CONTENT_LAYERS = ["relu4_2"]
DEFAULT_STYLE_LAYERS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]

# torchvision's ImageNet normalisation, RGB order, on the 0..1 scale.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

OPSET = 17
SOURCE = "https://pytorch.org/vision/stable/models/generated/torchvision.models.vgg19.html"


class Vgg19Features(torch.nn.Module):
    """image (RGB 0..255) -> the ReLU outputs of torchvision's VGG19 features[0:30] (relu1_1 ... relu5_1)."""

    def __init__(self, vgg):
        super().__init__()
        self.preprocess = torch.nn.Conv2d(3, 3, kernel_size=1)
        with torch.no_grad():
            self.preprocess.weight.zero_()
            for c in range(3):
                self.preprocess.weight[c, c, 0, 0] = 1.0 / (255.0 * STD[c])
                self.preprocess.bias[c] = -MEAN[c] / STD[c]
        layers = list(vgg.features.children())[:30]
        for layer in layers:
            if isinstance(layer, torch.nn.ReLU):
                layer.inplace = False  # every ReLU output is a graph output
        self.features = torch.nn.Sequential(*layers)
        relus = sum(isinstance(layer, torch.nn.ReLU) for layer in layers)
        if relus != len(LAYERS):
            raise RuntimeError(f"expected {len(LAYERS)} ReLUs in vgg19.features[0:30] but found {relus}")

    def forward(self, image):
        x = self.preprocess(image)
        outputs = []
        for layer in self.features:
            x = layer(x)
            if isinstance(layer, torch.nn.ReLU):
                outputs.append(x)
        return tuple(outputs)


def load_vgg19(random_weights):
    if random_weights:
        return torchvision.models.vgg19(weights=None)
    try:
        weights = torchvision.models.VGG19_Weights.IMAGENET1K_V1
    except AttributeError:  # torchvision < 0.13
        return torchvision.models.vgg19(pretrained=True)
    return torchvision.models.vgg19(weights=weights)


def constants_to_initializers(model):
    """
    Weights the exporter turned into nodes -> initializers, like every other weight: it makes Identity nodes
    of one initializer for weights that are equal (torchvision's zero-initialised biases), and may make
    Constant nodes.
    """
    initializers = {t.name: t for t in model.graph.initializer}
    kept = []
    for node in model.graph.node:
        tensor = None
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            tensor = node.attribute[0].t
        elif node.op_type == "Identity" and node.input[0] in initializers:
            tensor = initializers[node.input[0]]
        if tensor is None:
            kept.append(node)
            continue
        copy = onnx.TensorProto()
        copy.CopyFrom(tensor)
        copy.name = node.output[0]
        model.graph.initializer.append(copy)
    del model.graph.node[:]
    model.graph.node.extend(kept)


def rename_values(model):
    """Conv outputs -> preprocessed, conv1_1 ...; MaxPool outputs -> pool1 ...; graph outputs keep their names."""
    names = {}
    convs = ["preprocessed"] + [layer.replace("relu", "conv") for layer in LAYERS]
    conv_index = pool_index = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            names[node.output[0]] = convs[conv_index]
            conv_index += 1
        elif node.op_type == "MaxPool":
            pool_index += 1
            names[node.output[0]] = f"pool{pool_index}"
    if conv_index != len(convs) or pool_index != 4:
        raise RuntimeError(f"expected {len(convs)} Conv and 4 MaxPool nodes but found {conv_index} and {pool_index}")
    for node in model.graph.node:
        node.input[:] = [names.get(name, name) for name in node.input]
        node.output[:] = [names.get(name, name) for name in node.output]


def set_metadata(model, args):
    license_text = (
        "none (random weights)" if args.random_weights
        else "torchvision pre-trained weights (BSD-3-Clause code; ImageNet terms apply to the weights)"
    )
    metadata = {
        "pastiche.name": args.name,
        "pastiche.title": "VGG19 relu1_1 to relu5_1 (torchvision" + (", random weights)" if args.random_weights else ", ImageNet)"),
        "pastiche.source": SOURCE,
        "pastiche.license": license_text,
        "pastiche.kind": "loss-network",
        "pastiche.input.layout": "NCHW",
        "pastiche.input.range": "0-255",
        "pastiche.input.channel_order": "RGB",
        "pastiche.layers": ",".join(LAYERS),
        "pastiche.default_content_layers": ",".join(DEFAULT_CONTENT_LAYERS),
        "pastiche.default_style_layers": ",".join(DEFAULT_STYLE_LAYERS),
    }
    del model.metadata_props[:]
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    model.doc_string = (
        "torchvision VGG19 features up to relu5_1 as a perceptual-loss network. Input RGB 0..255; "
        "(x / 255 - mean) / std is the first 1x1 Conv."
    )


def parse_size(text):
    try:
        height, width = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HEIGHTxWIDTH, e.g. 64x80, but got {text!r}")
    if height < 16 or width < 16:
        raise argparse.ArgumentTypeError(f"expected a size of at least 16x16 (four 2x2 pools), got {text!r}")
    return height, width


def write_reference(module, directory, size, seed):
    os.makedirs(directory, exist_ok=True)
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand((1, 3) + size, generator=generator) * 255.0
    with torch.no_grad():
        outputs = module(image)
    shapes = {"input": list(image.shape)}
    image.numpy().astype("<f4").tofile(os.path.join(directory, "input.f32"))
    for name, tensor in zip(LAYERS, outputs):
        tensor.numpy().astype("<f4").tofile(os.path.join(directory, f"{name}.f32"))
        shapes[name] = list(tensor.shape)
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump({"shapes": shapes, "layers": LAYERS}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="models/onnx/vgg19.onnx", help="ONNX file to write (default %(default)s)")
    parser.add_argument("--random-weights", action="store_true", help="untrained weights (no download), for tests")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights and reference image")
    parser.add_argument("--name", default="vgg19", help="pastiche.name (default %(default)s)")
    parser.add_argument("--reference", metavar="DIR", help="also write a random input and PyTorch's layer outputs to DIR")
    parser.add_argument("--reference-size", type=parse_size, default=(64, 80), metavar="HxW", help="reference image size (default 64x80)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    module = Vgg19Features(load_vgg19(args.random_weights)).eval()

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    temp = args.out + ".tmp.onnx"
    dynamic_axes = {"image": {2: "height", 3: "width"}}
    dynamic_axes.update({name: {2: f"{name}_height", 3: f"{name}_width"} for name in LAYERS})
    with torch.no_grad():
        torch.onnx.export(
            module,
            torch.zeros(1, 3, 64, 64),
            temp,
            input_names=["image"],
            output_names=LAYERS,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    try:
        model = onnx.load(temp)
        constants_to_initializers(model)
        rename_values(model)
        set_metadata(model, args)
        onnx.checker.check_model(model)
        onnx.save(model, temp)
        os.replace(temp, args.out)
    finally:
        if os.path.exists(temp):
            os.remove(temp)

    if args.reference:
        write_reference(module, args.reference, args.reference_size, args.seed)
    size = os.path.getsize(args.out) / 1e6
    print(f"{args.out}: VGG19 relu1_1..relu5_1, {'random' if args.random_weights else 'ImageNet'} weights, {size:.1f} MB")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
