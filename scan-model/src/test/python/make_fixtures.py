#!/usr/bin/env python3
"""Makes scan-model's test fixtures (src/test/resources/fixtures) with PyTorch and torchvision.

Run from scan-model/:  /usr/bin/python3 src/test/python/make_fixtures.py
Made with Debian 12's python3-torch 1.13 / python3-torchvision 0.14 (apt-get install python3-torch
python3-torchvision); the outputs are committed, so the Java tests need no Python.

1. tiny_backbone_512.pt: a TorchScript module [N,3,H,W] -> [N,512] (conv, ReLU, global average pool, linear)
   with seeded random weights, a few kB; tiny_backbone_512.expected.txt: its output on the reference batch.
   Tests the TorchScript path (a torch 1.13 export run by DJL's libtorch 2.7.1) and the preprocessing.
2. torchvision_<arch>.txt for vgg16, vgg19, resnet34, mobilenet_v2: the torchvision backbone's parameters in
   state_dict order (name and shape; num_batches_tracked omitted) and its output on the reference batch when
   every parameter holds the deterministic values of formula_values(). The Java test fills the Java-built block
   with the same formula, in the same order, and must get the same output: the architectures match torchvision
   layer for layer, so torchvision weights map onto them in order. No weights are stored.

Reference batch: two 32x32 grey images, a(x, y) = (7x + 13y) mod 256 and 255 - a, normalised as the model
does (/255, grey to 3 channels, ImageNet mean/std).
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
SIZE = 32


def reference_batch():
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    a = ((7 * x + 13 * y) % 256).astype(np.uint8)
    grey = np.stack([a, 255 - a]).astype(np.float32) / np.float32(255)  # [2, H, W]
    rgb = np.repeat(grey[:, None, :, :], 3, axis=1)
    return torch.from_numpy((rgb - MEAN[None, :, None, None]) / STD[None, :, None, None])


def formula_values(index, kind, shape):
    """Deterministic parameter values; TorchvisionEquivalenceTest computes the same in Java.

    kind: conv_weight, conv_bias, bn_weight, bn_bias, bn_running_mean, bn_running_var."""
    n = int(np.prod(shape))
    u = np.sin(np.arange(n, dtype=np.float64) * 12.9898 + index * 78.233)
    if kind == "conv_weight":
        v = u * math.sqrt(2.0) * math.sqrt(2.0 / (n // shape[0]))
    elif kind == "conv_bias":
        v = 0.01 * u
    elif kind == "bn_weight":
        v = 1.0 + 0.1 * u
    elif kind in ("bn_bias", "bn_running_mean"):
        v = 0.1 * u
    elif kind == "bn_running_var":
        v = 1.0 + 0.2 * u
    else:
        raise ValueError(kind)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def kind_of(model, name):
    module_name, attribute = name.rsplit(".", 1)
    module = dict(model.named_modules())[module_name]
    if isinstance(module, torch.nn.BatchNorm2d):
        return "bn_" + attribute
    if isinstance(module, torch.nn.Conv2d):
        return "conv_" + attribute
    raise ValueError(name)


def backbone(arch):
    if arch == "vgg16":
        m = torchvision.models.vgg16()
        return m, "features.", lambda x: torch.flatten(F.adaptive_avg_pool2d(m.features(x), 1), 1)
    if arch == "vgg19":
        m = torchvision.models.vgg19()
        return m, "features.", lambda x: torch.flatten(F.adaptive_avg_pool2d(m.features(x), 1), 1)
    if arch == "mobilenet_v2":
        m = torchvision.models.mobilenet_v2()
        return m, "features.", lambda x: torch.flatten(F.adaptive_avg_pool2d(m.features(x), 1), 1)
    if arch == "resnet34":
        m = torchvision.models.resnet34()

        def forward(x):
            x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
            x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
            return torch.flatten(m.avgpool(x), 1)

        return m, "", forward
    raise ValueError(arch)


def write_expected(f, output):
    f.write("output %s\n" % " ".join(str(d) for d in output.shape))
    for row in output:
        f.write(" ".join(repr(float(v)) for v in row) + "\n")


def torchvision_fixture(arch):
    model, prefix, forward = backbone(arch)
    model.eval()
    state = model.state_dict()
    names = [k for k in state if k.startswith(prefix) and not k.startswith("fc.")
             and not k.endswith("num_batches_tracked")]
    with torch.no_grad():
        for i, name in enumerate(names):
            state[name].copy_(formula_values(i, kind_of(model, name), tuple(state[name].shape)))
        output = forward(reference_batch()).numpy()
    path = os.path.join(OUT, "torchvision_%s.txt" % arch)
    with open(path, "w") as f:
        f.write("# torchvision %s %s backbone: parameters in state_dict order, then its output on the reference "
                "batch with formula values (see src/test/python/make_fixtures.py)\n" % (torchvision.__version__, arch))
        for name in names:
            f.write("param %s %s\n" % (name, " ".join(str(d) for d in state[name].shape)))
        write_expected(f, output)
    print(path, len(names), "parameters", output.shape)


class TinyBackbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(8, 512)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def tiny_torchscript_fixture():
    torch.manual_seed(20240601)
    model = TinyBackbone().eval()
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.zeros(4, 3, SIZE, SIZE))
        output = traced(reference_batch()).numpy()
        # a traced module must not have frozen the example's batch size or image size
        assert traced(torch.zeros(1, 3, 224, 224)).shape == (1, 512)
    path = os.path.join(OUT, "tiny_backbone_512.pt")
    traced.save(path)
    with open(os.path.join(OUT, "tiny_backbone_512.expected.txt"), "w") as f:
        f.write("# output of tiny_backbone_512.pt on the reference batch (torch %s)\n" % torch.__version__)
        write_expected(f, output)
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    tiny_torchscript_fixture()
    for arch in ("vgg16", "vgg19", "resnet34", "mobilenet_v2"):
        torchvision_fixture(arch)
