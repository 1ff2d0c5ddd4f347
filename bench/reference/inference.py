"""PyTorch eval of ConvMixer for bench/artifact.bench.ts: plain convs (masks already folded
into the weights, as a decoded .pemn has them), eval mode, no_grad, batch N. Run with
Debian's /usr/bin/python3. Argument: JSON {"model", "batch", "threads", "minSeconds",
"minIterations"}. Prints JSON {"img_per_s"}."""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def conv_mixer(dim, depth, kernel, patch, classes, channels):
    return nn.Sequential(
        nn.Conv2d(channels, dim, patch, stride=patch, bias=False), nn.GELU(), nn.BatchNorm2d(dim),
        *[nn.Sequential(
            Residual(nn.Sequential(nn.Conv2d(dim, dim, kernel, groups=dim, padding="same", bias=False), nn.GELU(), nn.BatchNorm2d(dim))),
            nn.Conv2d(dim, dim, 1, bias=False), nn.GELU(), nn.BatchNorm2d(dim),
        ) for _ in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(dim, classes, bias=False),
    )


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    m = spec["model"]
    model = conv_mixer(m["dim"], m["depth"], m["kernel"], m["patch"], m["classes"], m["channels"]).eval()
    x = torch.randn(spec["batch"], m["channels"], m["size"], m["size"])
    times = []
    with torch.no_grad():
        for _ in range(2):
            model(x)
        start = time.perf_counter()
        while len(times) < spec["minIterations"] or time.perf_counter() - start < spec["minSeconds"]:
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    print(json.dumps({"img_per_s": spec["batch"] / statistics.median(times)}))


if __name__ == "__main__":
    main()
