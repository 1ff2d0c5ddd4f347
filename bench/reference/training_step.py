"""A straightforward PyTorch edge-popup reference for bench/training-step.bench.ts.

Written the way the PEMN and hidden-networks reference code does it: a sort-based
GetSubnet autograd function per masked layer, fixed weights, trainable scores,
AdamW over scores and BatchNorm parameters. Run with Debian's /usr/bin/python3.
Argument: JSON {"model": {...}, "batch", "threads", "minSeconds", "minIterations",
"device" ("cpu" default, or "cuda"), "precision" ("fp32" default, "bf16", "fp16": autocast
and, for fp16, a GradScaler, as the official code trains)}. On a GPU each timed round of 10
steps ends by waiting for the device (bench/timing.ts measureQueued does the same).
Prints JSON {"img_per_s", "mask_share", "peak_rss_mb"}.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import autograd

MASK_SECONDS = [0.0]


class GetSubnet(autograd.Function):
    @staticmethod
    def forward(ctx, scores, k):
        start = time.perf_counter()
        out = scores.clone()
        _, idx = scores.flatten().sort()
        j = int((1 - k) * scores.numel())
        flat_out = out.flatten()
        flat_out[idx[:j]] = 0
        flat_out[idx[j:]] = 1
        MASK_SECONDS[0] += time.perf_counter() - start
        return out

    @staticmethod
    def backward(ctx, g):
        return g, None


def init_masked(layer, k):
    """Edge-popup's set-up: fixed Kaiming-normal weights, Kaiming-uniform scores, keep fraction k."""
    layer.k = k
    layer.scores = nn.Parameter(torch.empty(layer.weight.size()))
    nn.init.kaiming_uniform_(layer.scores, a=math.sqrt(5))
    nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
    layer.weight.requires_grad = False


class SubnetConv(nn.Conv2d):
    def __init__(self, *args, k=0.5, **kwargs):
        super().__init__(*args, bias=False, **kwargs)
        init_masked(self, k)

    def forward(self, x):
        w = self.weight * GetSubnet.apply(self.scores.abs(), self.k)
        return F.conv2d(x, w, None, self.stride, self.padding, self.dilation, self.groups)


class SubnetLinear(nn.Linear):
    def __init__(self, *args, k=0.5, **kwargs):
        super().__init__(*args, bias=False, **kwargs)
        init_masked(self, k)

    def forward(self, x):
        return F.linear(x, self.weight * GetSubnet.apply(self.scores.abs(), self.k))


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def conv_mixer(dim, depth, kernel, patch, classes, channels, conv=SubnetConv, linear=SubnetLinear):
    """ConvMixer with masked layers; inference.py passes plain bias-free conv and linear."""
    return nn.Sequential(
        conv(channels, dim, kernel_size=patch, stride=patch), nn.GELU(), nn.BatchNorm2d(dim),
        *[nn.Sequential(
            Residual(nn.Sequential(conv(dim, dim, kernel, groups=dim, padding="same"), nn.GELU(), nn.BatchNorm2d(dim))),
            conv(dim, dim, kernel_size=1), nn.GELU(), nn.BatchNorm2d(dim),
        ) for _ in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), linear(dim, classes),
    )


class BasicBlock(nn.Module):
    """CIFAR ResNet block with the parameter-free option-A shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = SubnetConv(cin, cout, 3, stride=stride, padding=1)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = SubnetConv(cout, cout, 3, stride=1, padding=1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = cout - cin
        self.stride = stride

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x
        if self.stride != 1 or self.pad:
            shortcut = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(out + shortcut)


class CifarResNet(nn.Module):
    def __init__(self, depth, classes, channels):
        super().__init__()
        n = (depth - 2) // 6
        self.conv = SubnetConv(channels, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for stage, cout in enumerate([16, 32, 64]):
            for i in range(n):
                layers.append(BasicBlock(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = SubnetLinear(64, classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn(self.conv(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = SubnetLinear(dim, 3 * dim)
        self.proj = SubnetLinear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = (q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)).softmax(-1)
        return self.proj((attention @ v).transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(SubnetLinear(dim, dim * ratio), nn.GELU(), SubnetLinear(dim * ratio, dim))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Vit(nn.Module):
    """Pre-norm ViT as src/models/backbones/vit.ts: learned position embedding, mean pooling, no biases."""

    def __init__(self, dim, depth, heads, ratio, patch, size, classes, channels):
        super().__init__()
        self.embed = SubnetConv(channels, dim, patch, stride=patch)
        self.position = nn.Parameter(torch.randn((size // patch) ** 2, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = SubnetLinear(dim, classes)

    def forward(self, x):
        tokens = self.embed(x).flatten(2).transpose(1, 2) + self.position
        return self.head(self.norm(self.blocks(tokens)).mean(1))


def build(spec):
    if spec["name"] == "vit":
        return Vit(spec["dim"], spec["depth"], spec["heads"], spec["mlpRatio"], spec["patch"], spec["size"], spec["classes"], spec["channels"])
    if spec["name"] == "convmixer":
        return conv_mixer(spec["dim"], spec["depth"], spec["kernel"], spec["patch"], spec["classes"], spec["channels"])
    if spec["name"] == "resnet":
        return CifarResNet(spec["depth"], spec["classes"], spec["channels"])
    raise ValueError(f"unknown model {spec['name']}")


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    device = torch.device(spec.get("device", "cpu"))
    precision = spec.get("precision", "fp32")
    model = build(spec["model"]).train().to(device)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.01, weight_decay=0.005)
    size = spec["model"]["size"]
    x = torch.randn(spec["batch"], spec["model"]["channels"], size, size).to(device)
    y = torch.randint(0, spec["model"]["classes"], (spec["batch"],)).to(device)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None

    def step():
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            loss = F.cross_entropy(model(x), y)
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(3):
        step()
    queued = device.type == "cuda"
    if queued:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    MASK_SECONDS[0] = 0.0
    per_round = 10 if queued else 1
    times = []
    start = time.perf_counter()
    while len(times) < (3 if queued else spec["minIterations"]) or time.perf_counter() - start < spec["minSeconds"]:
        t0 = time.perf_counter()
        for _ in range(per_round):
            step()
        if queued:
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / per_round)
    print(json.dumps({
        "img_per_s": spec["batch"] / statistics.median(times),
        "mask_share": MASK_SECONDS[0] / (sum(times) * per_round),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **({"peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20} if queued else {}),
    }))


if __name__ == "__main__":
    main()
