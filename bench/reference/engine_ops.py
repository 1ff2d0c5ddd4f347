"""PyTorch side of bench/engine-ops.bench.ts: the same ops, sizes and timing rules.

Run with Debian's /usr/bin/python3 (python3-torch). Prints one JSON object:
{"torch": version, "threads": n, "results": {case: seconds per iteration (median)}}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def measure(step, min_seconds, min_iterations):
    for _ in range(3):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < min_iterations or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def conv_case(batch, channels, size, kernel, groups, channels_last):
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.randn(batch, channels, size, size).contiguous(memory_format=fmt).requires_grad_()
    w = (torch.randn(channels, channels // groups, kernel, kernel) * 0.05).contiguous(memory_format=fmt).requires_grad_()
    y = F.conv2d(x, w, padding="same", groups=groups)
    g = torch.randn_like(y)

    def step():
        out = F.conv2d(x, w, padding="same", groups=groups)
        out.backward(g)
        x.grad = None
        w.grad = None

    return step


def matmul_case(rows, features):
    a = torch.randn(rows, features).requires_grad_()
    b = (torch.randn(features, features) * 0.05).requires_grad_()
    g = torch.randn(rows, features)

    def step():
        out = a.matmul(b)
        out.backward(g)
        a.grad = None
        b.grad = None

    return step


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    results = {}
    for case in spec["cases"]:
        if case["kind"] == "conv":
            step = conv_case(case["batch"], case["channels"], case["size"], case["kernel"], case["groups"], case["channelsLast"])
        else:
            step = matmul_case(case["rows"], case["features"])
        results[case["name"]] = measure(step, spec["minSeconds"], spec["minIterations"])
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
