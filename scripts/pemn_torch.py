"""PyTorch modules of pemn's networks, named as pemn names their state, and safetensors read and
written by hand from the specification (no `safetensors` package needed). docs/interop.md.

Every module's attributes are pemn's module paths (`blocks.0.pointwise`, `stemNorm`), so a
state dict's names are pemn's state names with PyTorch's last part (`weight`, `bias`,
`running_mean`, `running_var`): `pemn export --safetensors` writes them, `pemn import` reads
them (with `scores` beside each masked layer's `weight`).

As a library (python3 -c 'import sys; sys.path.insert(0, "scripts"); import pemn_torch'):
    model, metadata = pemn_torch.load_folded("model.safetensors")     # --form folded
    model, metadata = pemn_torch.load_masked("model.safetensors")     # --form masked
    model = pemn_torch.build_model(config)                             # config: pemn's JSON
    model = pemn_torch.build_model(config, supermask_keep=0.5)         # edge-popup layers
    tensors, metadata = pemn_torch.read_safetensors(path)
    pemn_torch.write_safetensors(path, tensors, metadata)

As a command:
    python3 scripts/pemn_torch.py logits model.safetensors inputs.safetensors out.safetensors
        the logits of the model (either form) on the F32 tensor "input" [N, C, H, W]
    python3 scripts/pemn_torch.py to-safetensors checkpoint.pt out.safetensors [--key state_dict]
        a torch.save state dict (or the dict under --key) as safetensors, for `pemn import`

Needs only torch (Debian: python3-torch, PyTorch 1.13 or later).
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# safetensors dtypes, in the specification's order (increasing alignment).
DTYPES = {
    "BOOL": torch.bool,
    "U8": torch.uint8,
    "I8": torch.int8,
    "I16": torch.int16,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I32": torch.int32,
    "F32": torch.float32,
    "F64": torch.float64,
    "I64": torch.int64,
}
DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def read_safetensors(path):
    """(tensors by name, metadata): an 8-byte little-endian header length, the JSON header,
    then each tensor's bytes at its data_offsets (little-endian, row-major)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + length :]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if end == begin:
            tensors[name] = torch.zeros(info["shape"], dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype).reshape(info["shape"])
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors (name -> tensor) as the reference writer lays them out: larger dtypes
    first, then by name; the header padded with spaces to 8 bytes."""
    names = sorted(tensors, key=lambda name: (-DTYPE_ORDER.index(DTYPE_NAMES[tensors[name].dtype]), name.encode("utf-8")))
    header = {}
    if metadata:
        header["__metadata__"] = {key: metadata[key] for key in sorted(metadata)}
    chunks = []
    offset = 0
    for name in names:
        tensor = tensors[name].detach().cpu().contiguous()
        raw = tensor.numpy().tobytes() if tensor.dtype != torch.bfloat16 else tensor.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


# -- edge-popup layers: the reference code's GetSubnet (PEMN, hidden-networks) --------------

class GetSubnet(torch.autograd.Function):
    """The top-k fraction of |scores| kept: the int((1 - k) n) smallest are dropped."""

    @staticmethod
    def forward(ctx, scores, keep):
        mask = torch.zeros_like(scores)
        order = scores.flatten().argsort()
        dropped = int((1 - keep) * scores.numel())
        mask.view(-1)[order[dropped:]] = 1
        return mask

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class SupermaskConv2d(nn.Conv2d):
    """A conv over fixed `weight` (not trained) masked by the top-k of trained `scores`."""

    def __init__(self, *args, keep=0.5, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep = keep
        self.scores = nn.Parameter(torch.empty_like(self.weight))
        nn.init.kaiming_uniform_(self.scores, a=math.sqrt(5))
        nn.init.kaiming_normal_(self.weight, mode="fan_in", nonlinearity="relu")
        self.weight.requires_grad = False

    def forward(self, x):
        weight = self.weight * GetSubnet.apply(self.scores.abs(), self.keep)
        return F.conv2d(x, weight, None, self.stride, self.padding, self.dilation, self.groups)


class SupermaskLinear(nn.Linear):
    """A linear layer over fixed `weight` masked by the top-k of trained `scores`."""

    def __init__(self, *args, keep=0.5, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep = keep
        self.scores = nn.Parameter(torch.empty_like(self.weight))
        nn.init.kaiming_uniform_(self.scores, a=math.sqrt(5))
        nn.init.kaiming_normal_(self.weight, mode="fan_in", nonlinearity="relu")
        self.weight.requires_grad = False

    def forward(self, x):
        return F.linear(x, self.weight * GetSubnet.apply(self.scores.abs(), self.keep))


class Layers:
    """Makes the masked layers: plain (bias-free) ones, or edge-popup ones keeping `keep`."""

    def __init__(self, keep=None):
        self.keep = keep

    def conv(self, *args, **kwargs):
        if self.keep is None:
            return nn.Conv2d(*args, bias=False, **kwargs)
        return SupermaskConv2d(*args, bias=False, keep=self.keep, **kwargs)

    def linear(self, inputs, outputs):
        if self.keep is None:
            return nn.Linear(inputs, outputs, bias=False)
        return SupermaskLinear(inputs, outputs, bias=False, keep=self.keep)


EPS = 1e-5  # pemn's BatchNorm and LayerNorm eps (src/models/network.ts NORM_DEFAULTS)


def batch_norm(features, affine, dims=2):
    return (nn.BatchNorm2d if dims == 2 else nn.BatchNorm1d)(features, eps=EPS, affine=affine)


# -- the backbones (docs/models.md) ----------------------------------------------------------

class ConvMixerBlock(nn.Module):
    def __init__(self, c, layers):
        super().__init__()
        dim, affine = c["dim"], c["affineBatchNorm"]
        self.depthwise = layers.conv(dim, dim, c["kernel"], groups=dim, padding="same")
        self.depthwiseNorm = batch_norm(dim, affine)
        self.pointwise = layers.conv(dim, dim, 1)
        self.pointwiseNorm = batch_norm(dim, affine)

    def forward(self, x):
        x = x + self.depthwiseNorm(F.gelu(self.depthwise(x)))
        return self.pointwiseNorm(F.gelu(self.pointwise(x)))


class ConvMixer(nn.Module):
    """patch conv -> GELU -> BN; blocks of residual(depthwise -> GELU -> BN), 1x1 -> GELU -> BN; mean; classifier."""

    def __init__(self, c, layers):
        super().__init__()
        dim = c["dim"]
        self.patchEmbed = layers.conv(c["input"]["channels"], dim, c["patch"], stride=c["patch"])
        self.patchEmbedNorm = batch_norm(dim, c["affineBatchNorm"])
        self.blocks = nn.ModuleList([ConvMixerBlock(c, layers) for _ in range(c["depth"])])
        self.classifier = layers.linear(dim, c["classes"])

    def forward(self, x):
        x = self.patchEmbedNorm(F.gelu(self.patchEmbed(x)))
        for block in self.blocks:
            x = block(x)
        return self.classifier(x.mean((2, 3)))


class Attention(nn.Module):
    def __init__(self, dim, heads, layers):
        super().__init__()
        self.heads = heads
        self.qkv = layers.linear(dim, 3 * dim)
        self.proj = layers.linear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        head = d // self.heads
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, head).permute(2, 0, 3, 1, 4)
        weights = torch.softmax((qkv[0] * (1 / math.sqrt(head))) @ qkv[1].transpose(2, 3), -1)
        return self.proj((weights @ qkv[2]).transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, layers):
        super().__init__()
        self.fc1 = layers.linear(dim, hidden)
        self.fc2 = layers.linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VitBlock(nn.Module):
    def __init__(self, c, layers):
        super().__init__()
        dim = c["dim"]
        self.attentionNorm = nn.LayerNorm(dim, eps=EPS)
        self.attention = Attention(dim, c["heads"], layers)
        self.mlpNorm = nn.LayerNorm(dim, eps=EPS)
        self.mlp = Mlp(dim, int(round(dim * c["mlpRatio"])), layers)

    def forward(self, x):
        x = x + self.attention(self.attentionNorm(x))
        return x + self.mlp(self.mlpNorm(x))


def sincos_position_embedding(rows, columns, dim):
    """pemn's fixed 2-D codes: [sin(column w), cos(column w), sin(row w), cos(row w)], w_i = 10000^(-i / (dim / 4))."""
    quarter = dim // 4
    out = torch.zeros(rows * columns, dim, dtype=torch.float64)
    for row in range(rows):
        for column in range(columns):
            for i in range(quarter):
                omega = 10000 ** (-i / quarter)
                token = row * columns + column
                out[token, i] = math.sin(column * omega)
                out[token, quarter + i] = math.cos(column * omega)
                out[token, 2 * quarter + i] = math.sin(row * omega)
                out[token, 3 * quarter + i] = math.cos(row * omega)
    return out.float()


class Vit(nn.Module):
    """patch conv -> tokens + position embedding -> pre-norm blocks -> LayerNorm -> mean over tokens -> classifier."""

    def __init__(self, c, layers):
        super().__init__()
        dim, patch = c["dim"], c["patch"]
        rows, columns = c["input"]["height"] // patch, c["input"]["width"] // patch
        self.patchEmbed = layers.conv(c["input"]["channels"], dim, patch, stride=patch)
        if c["positionEmbedding"] == "learned":
            self.positionEmbedding = nn.Parameter(torch.zeros(rows * columns, dim))
        else:
            self.register_buffer("positionEmbedding", sincos_position_embedding(rows, columns, dim), persistent=False)
        self.blocks = nn.ModuleList([VitBlock(c, layers) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.classifier = layers.linear(dim, c["classes"])

    def forward(self, x):
        x = self.patchEmbed(x).flatten(2).transpose(1, 2) + self.positionEmbedding
        for block in self.blocks:
            x = block(x)
        return self.classifier(self.norm(x).mean(1))


class Shortcut(nn.Module):
    def __init__(self, inputs, width, stride, affine, layers):
        super().__init__()
        self.conv = layers.conv(inputs, width, 1, stride=stride)
        self.norm = batch_norm(width, affine)

    def forward(self, x):
        return self.norm(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, inputs, width, stride, c, layers):
        super().__init__()
        affine = c["affineBatchNorm"]
        self.conv1 = layers.conv(inputs, width, 3, stride=stride, padding=1)
        self.norm1 = batch_norm(width, affine)
        self.conv2 = layers.conv(width, width, 3, padding=1)
        self.norm2 = batch_norm(width, affine)
        self.stride = stride
        self.pad = (width - inputs) // 2, width - inputs - (width - inputs) // 2
        self.reshapes = stride != 1 or inputs != width
        if self.reshapes and c["shortcut"] == "B":
            self.shortcut = Shortcut(inputs, width, stride, affine, layers)

    def forward(self, x):
        out = self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))
        if not self.reshapes:
            shortcut = x
        elif hasattr(self, "shortcut"):
            shortcut = self.shortcut(x)
        else:  # option A: every stride-th pixel, new channels zero on both sides
            shortcut = F.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, *self.pad))
        return F.relu(out + shortcut)


class ResNet(nn.Module):
    """CIFAR ResNet: 3x3 stem -> BN -> ReLU, three stages of (depth - 2) / 6 basic blocks, mean, classifier."""

    def __init__(self, c, layers):
        super().__init__()
        widths = [16, 32, 64]
        blocks = (c["depth"] - 2) // 6
        self.stem = layers.conv(c["input"]["channels"], widths[0], 3, padding=1)
        self.stemNorm = batch_norm(widths[0], c["affineBatchNorm"])
        stages = []
        inputs = widths[0]
        for stage, width in enumerate(widths):
            stage_blocks = []
            for index in range(blocks):
                stage_blocks.append(BasicBlock(inputs, width, 2 if stage > 0 and index == 0 else 1, c, layers))
                inputs = width
            stages.append(nn.ModuleList(stage_blocks))
        self.stages = nn.ModuleList(stages)
        self.classifier = layers.linear(widths[-1], c["classes"])

    def forward(self, x):
        x = F.relu(self.stemNorm(self.stem(x)))
        for stage in self.stages:
            for block in stage:
                x = block(x)
        return self.classifier(x.mean((2, 3)))


class MlpHidden(nn.Module):
    def __init__(self, inputs, width, c, layers):
        super().__init__()
        self.linear = layers.linear(inputs, width)
        if c["batchNorm"]:
            self.norm = batch_norm(width, c["affineBatchNorm"], dims=1)

    def forward(self, x):
        x = self.linear(x)
        return F.relu(self.norm(x) if hasattr(self, "norm") else x)


class MlpNet(nn.Module):
    """Flatten; per hidden width linear -> BN -> ReLU; classifier."""

    def __init__(self, c, layers):
        super().__init__()
        i = c["input"]
        sizes = [i["channels"] * i["height"] * i["width"], *c["hidden"]]
        self.hidden = nn.ModuleList([MlpHidden(sizes[k], sizes[k + 1], c, layers) for k in range(len(c["hidden"]))])
        self.classifier = layers.linear(sizes[-1], c["classes"])

    def forward(self, x):
        x = x.flatten(1)
        for hidden in self.hidden:
            x = hidden(x)
        return self.classifier(x)


class ConvPair(nn.Module):
    def __init__(self, inputs, channels, layers):
        super().__init__()
        self.conv1 = layers.conv(inputs, channels, 3, padding=1)
        self.conv2 = layers.conv(channels, channels, 3, padding=1)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)


class ConvHidden(nn.Module):
    def __init__(self, inputs, width, layers):
        super().__init__()
        self.linear = layers.linear(inputs, width)

    def forward(self, x):
        return F.relu(self.linear(x))


class ConvNet(nn.Module):
    """Conv-2/4/6/8: 3x3 conv pairs (64, 128, 256, 512 x width) with 2x2 max pooling, linears 256, 256, classes."""

    def __init__(self, c, layers):
        super().__init__()

        def scaled(features):
            return max(1, int(math.floor(features * c["width"] + 0.5)))  # JavaScript's Math.round

        i = c["input"]
        pairs = []
        inputs, height, width = i["channels"], i["height"], i["width"]
        for pair in range(c["depth"] // 2):
            channels = scaled([64, 128, 256, 512][pair])
            pairs.append(ConvPair(inputs, channels, layers))
            inputs, height, width = channels, height // 2, width // 2
        self.pairs = nn.ModuleList(pairs)
        features = inputs * height * width
        hidden = []
        for size in (256, 256):
            hidden.append(ConvHidden(features, scaled(size), layers))
            features = scaled(size)
        self.hidden = nn.ModuleList(hidden)
        self.classifier = layers.linear(features, c["classes"])

    def forward(self, x):
        for pair in self.pairs:
            x = pair(x)
        x = x.flatten(1)
        for hidden in self.hidden:
            x = hidden(x)
        return self.classifier(x)


class TorchvisionBlock(nn.Module):
    """torchvision's BasicBlock (bottleneck=False) or Bottleneck (stride on the 3x3), same names."""

    def __init__(self, inputs, planes, stride, bottleneck, affine, layers):
        super().__init__()
        expansion = 4 if bottleneck else 1
        self.bottleneck = bottleneck
        if bottleneck:
            self.conv1 = layers.conv(inputs, planes, 1)
            self.bn1 = batch_norm(planes, affine)
            self.conv2 = layers.conv(planes, planes, 3, stride=stride, padding=1)
            self.bn2 = batch_norm(planes, affine)
            self.conv3 = layers.conv(planes, planes * expansion, 1)
            self.bn3 = batch_norm(planes * expansion, affine)
        else:
            self.conv1 = layers.conv(inputs, planes, 3, stride=stride, padding=1)
            self.bn1 = batch_norm(planes, affine)
            self.conv2 = layers.conv(planes, planes, 3, padding=1)
            self.bn2 = batch_norm(planes, affine)
        if stride != 1 or inputs != planes * expansion:
            self.downsample = nn.Sequential(
                layers.conv(inputs, planes * expansion, 1, stride=stride),
                batch_norm(planes * expansion, affine),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.bottleneck:
            out = self.bn3(self.conv3(F.relu(self.bn2(self.conv2(out)))))
        else:
            out = self.bn2(self.conv2(out))
        identity = self.downsample(x) if hasattr(self, "downsample") else x
        return F.relu(out + identity)


class ImagenetResNet(nn.Module):
    """torchvision's ResNet-18/34/50 (7x7 stem + max pool, or a 3x3 one), widths scaled by `width`, bias-free fc."""

    ARCHITECTURES = {18: (False, [2, 2, 2, 2]), 34: (False, [3, 4, 6, 3]), 50: (True, [3, 4, 6, 3])}

    def __init__(self, c, layers):
        super().__init__()
        bottleneck, blocks = self.ARCHITECTURES[c["depth"]]
        affine = c["affineBatchNorm"]
        scaled = lambda channels: max(1, round(channels * c["width"]))
        expansion = 4 if bottleneck else 1
        stem = scaled(64)
        self.small_stem = c["stem"] == "small"
        if self.small_stem:
            self.conv1 = layers.conv(c["input"]["channels"], stem, 3, padding=1)
        else:
            self.conv1 = layers.conv(c["input"]["channels"], stem, 7, stride=2, padding=3)
        self.bn1 = batch_norm(stem, affine)
        inputs = stem
        for stage, planes in enumerate([64, 128, 256, 512]):
            stage_blocks = []
            for index in range(blocks[stage]):
                stride = 2 if stage > 0 and index == 0 else 1
                stage_blocks.append(TorchvisionBlock(inputs, scaled(planes), stride, bottleneck, affine, layers))
                inputs = scaled(planes) * expansion
            setattr(self, f"layer{stage + 1}", nn.Sequential(*stage_blocks))
        self.fc = layers.linear(inputs, c["classes"])

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if not self.small_stem:
            x = F.max_pool2d(x, 3, 2, 1)
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return self.fc(x.mean((2, 3)))


BACKBONES = {
    "convmixer": ConvMixer,
    "vit": Vit,
    "resnet": ResNet,
    "imagenet-resnet": ImagenetResNet,
    "mlp": MlpNet,
    "conv": ConvNet,
}


def build_model(config, supermask_keep=None):
    """The module of a pemn model config (the JSON `pemn export` stores in `pemn.model`, every
    field given). With supermask_keep, masked layers are edge-popup layers keeping that fraction."""
    return BACKBONES[config["name"]](config, Layers(supermask_keep))


def load_folded(path):
    """A `pemn export --form folded` file as its module in evaluation mode, and its metadata."""
    tensors, metadata = read_safetensors(path)
    model = build_model(json.loads(metadata["pemn.model"]))
    model.load_state_dict(tensors)
    return model.eval(), metadata


def unpack_mask(bits, shape):
    """pemn's packed mask: bit i of the row-major weights is bit i % 8 of byte i // 8, least significant first."""
    count = math.prod(shape)
    flags = (bits.to(torch.int32).unsqueeze(1) >> torch.arange(8, dtype=torch.int32)) & 1
    return flags.flatten()[:count].reshape(shape).float()


def load_masked(path):
    """A `pemn export --form masked` file as its module (weights W x M) in evaluation mode, and its metadata."""
    tensors, metadata = read_safetensors(path)
    state = {}
    for name, tensor in tensors.items():
        if name.endswith(".mask"):
            continue
        mask = tensors.get(name[: -len("weight")] + "mask") if name.endswith(".weight") else None
        state[name] = tensor * unpack_mask(mask, tensor.shape) if mask is not None else tensor
    model = build_model(json.loads(metadata["pemn.model"]))
    model.load_state_dict(state)
    return model.eval(), metadata


def load(path):
    """Either form, by its `pemn.form` metadata."""
    _, metadata = read_safetensors(path)
    return load_masked(path) if metadata.get("pemn.form") == "masked" else load_folded(path)


def to_safetensors(source, target, key=None):
    """A torch.save state dict (or the dict under `key`) as safetensors, names and dtypes kept."""
    checkpoint = torch.load(source, map_location="cpu")
    if key is not None:
        checkpoint = checkpoint[key]
    elif "state_dict" in checkpoint and isinstance(checkpoint["state_dict"], dict):
        checkpoint = checkpoint["state_dict"]
    tensors = {name: value for name, value in checkpoint.items() if isinstance(value, torch.Tensor)}
    write_safetensors(target, tensors, {"format": "pt"})
    return len(tensors)


def main(argv):
    if len(argv) >= 4 and argv[0] == "logits":
        model, _ = load(argv[1])
        inputs, _ = read_safetensors(argv[2])
        with torch.no_grad():
            logits = model(inputs["input"].float())
        write_safetensors(argv[3], {"logits": logits.contiguous()})
        return 0
    if len(argv) >= 3 and argv[0] == "to-safetensors":
        key = argv[argv.index("--key") + 1] if "--key" in argv else None
        count = to_safetensors(argv[1], argv[2], key)
        print(f"{argv[2]}: {count} tensors")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
