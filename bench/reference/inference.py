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

from training_step import conv_mixer


def plain_conv(*args, **kwargs):
    return nn.Conv2d(*args, bias=False, **kwargs)


def plain_linear(*args):
    return nn.Linear(*args, bias=False)


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    m = spec["model"]
    model = conv_mixer(m["dim"], m["depth"], m["kernel"], m["patch"], m["classes"], m["channels"], plain_conv, plain_linear).eval()
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
