// Neural-network ops: products, convolution, normalisation, activations, losses, pooling.
#include "addon.h"

namespace pemn {

namespace {

int64_t ParseReduction(const std::string& name) {
  if (name == "mean") return at::Reduction::Mean;
  if (name == "sum") return at::Reduction::Sum;
  if (name == "none") return at::Reduction::None;
  throw std::invalid_argument("unknown reduction '" + name + "' (known: mean, sum, none)");
}

// conv2d(input, weight, bias?, stride, padding: int[] | "same" | "valid", dilation, groups)
Napi::Value Conv2d(Args& a) {
  const at::Tensor& input = a.tensor(0);
  const at::Tensor& weight = a.tensor(1);
  c10::optional<at::Tensor> bias = a.optionalTensor(2);
  std::vector<int64_t> stride = a.ints(3);
  std::vector<int64_t> dilation = a.ints(5);
  int64_t groups = a.integer(6);
  if (a.raw(4).IsString()) {
    return a.wrap(at::conv2d(input, weight, bias, stride, a.string(4), dilation, groups));
  }
  return a.wrap(at::conv2d(input, weight, bias, stride, a.ints(4), dilation, groups));
}

}  // namespace

void RegisterNnOps(Napi::Env env, Napi::Object exports) {
  Define(env, exports, "matmul", [](Args& a) { return a.wrap(at::matmul(a.tensor(0), a.tensor(1))); });
  Define(env, exports, "linear", [](Args& a) {
    return a.wrap(at::linear(a.tensor(0), a.tensor(1), a.optionalTensor(2)));
  });
  Define(env, exports, "conv2d", Conv2d);
  Define(env, exports, "batchNorm", [](Args& a) {
    // (input, weight?, bias?, runningMean?, runningVar?, training, momentum, eps)
    return a.wrap(at::batch_norm(a.tensor(0), a.optionalTensor(1), a.optionalTensor(2), a.optionalTensor(3),
                                 a.optionalTensor(4), a.boolean(5), a.number(6), a.number(7),
                                 /*cudnn_enabled=*/true));
  });
  Define(env, exports, "layerNorm", [](Args& a) {
    // (input, normalizedShape, weight?, bias?, eps)
    return a.wrap(at::layer_norm(a.tensor(0), a.ints(1), a.optionalTensor(2), a.optionalTensor(3), a.number(4)));
  });
  Define(env, exports, "relu", [](Args& a) { return a.wrap(at::relu(a.tensor(0))); });
  Define(env, exports, "gelu", [](Args& a) {
    return a.wrap(at::gelu(a.tensor(0), a.has(1) ? a.string(1) : std::string("none")));
  });
  Define(env, exports, "softmax", [](Args& a) { return a.wrap(at::softmax(a.tensor(0), a.integer(1))); });
  Define(env, exports, "logSoftmax", [](Args& a) { return a.wrap(at::log_softmax(a.tensor(0), a.integer(1))); });
  Define(env, exports, "crossEntropy", [](Args& a) {
    // (logits, target, weight?, reduction, ignoreIndex, labelSmoothing)
    return a.wrap(at::cross_entropy_loss(a.tensor(0), a.tensor(1), a.optionalTensor(2), ParseReduction(a.string(3)),
                                         a.integer(4), a.number(5)));
  });
  Define(env, exports, "mseLoss", [](Args& a) {
    return a.wrap(at::mse_loss(a.tensor(0), a.tensor(1), ParseReduction(a.string(2))));
  });
  Define(env, exports, "dropout", [](Args& a) {
    return a.wrap(at::dropout(a.tensor(0), a.number(1), a.boolean(2)));
  });
  Define(env, exports, "adaptiveAvgPool2d", [](Args& a) {
    return a.wrap(at::adaptive_avg_pool2d(a.tensor(0), a.ints(1)));
  });
  Define(env, exports, "avgPool2d", [](Args& a) {
    // (input, kernel, stride, padding)
    return a.wrap(at::avg_pool2d(a.tensor(0), a.ints(1), a.ints(2), a.ints(3)));
  });
  Define(env, exports, "maxPool2d", [](Args& a) {
    return a.wrap(at::max_pool2d(a.tensor(0), a.ints(1), a.ints(2), a.ints(3)));
  });
}

}  // namespace pemn
