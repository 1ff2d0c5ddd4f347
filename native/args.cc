#include <cmath>
#include <limits>

#include "addon.h"

namespace pemn {

namespace {
std::string Ordinal(size_t i) { return "argument " + std::to_string(i + 1); }
}  // namespace

void Args::fail(size_t i, const std::string& expected) const {
  throw std::invalid_argument(Ordinal(i) + " must be " + expected);
}

bool Args::has(size_t i) const {
  return i < info_.Length() && !info_[i].IsUndefined() && !info_[i].IsNull();
}

// Tensors arrive as ids (numbers). Where a tensor or a scalar may stand, the addon has
// two functions (e.g. add and addScalar): an id is never guessed from its value.
at::Tensor& Args::tensor(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsNumber()) fail(i, "a tensor");
  return TensorTable::Get(info_[i].As<Napi::Number>().DoubleValue());
}

c10::optional<at::Tensor> Args::optionalTensor(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return tensor(i);
}

std::vector<at::Tensor> Args::tensors(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsArray()) fail(i, "an array of tensors");
  Napi::Array array = info_[i].As<Napi::Array>();
  std::vector<at::Tensor> result;
  result.reserve(array.Length());
  for (uint32_t k = 0; k < array.Length(); k++) {
    Napi::Value item = array.Get(k);
    if (!item.IsNumber()) fail(i, "an array of tensors (element " + std::to_string(k) + " is not)");
    result.push_back(TensorTable::Get(item.As<Napi::Number>().DoubleValue()));
  }
  return result;
}

std::vector<int64_t> Args::ints(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsArray()) fail(i, "an array of integers");
  Napi::Array array = info_[i].As<Napi::Array>();
  std::vector<int64_t> result(array.Length());
  for (uint32_t k = 0; k < array.Length(); k++) {
    Napi::Value item = array.Get(k);
    if (!item.IsNumber()) fail(i, "an array of integers");
    double value = item.As<Napi::Number>().DoubleValue();
    if (std::trunc(value) != value) fail(i, "an array of integers (got " + std::to_string(value) + ")");
    result[k] = static_cast<int64_t>(value);
  }
  return result;
}

int64_t Args::integer(size_t i) const {
  double value = number(i);
  if (std::trunc(value) != value || std::fabs(value) > 9007199254740992.0) {
    fail(i, "an integer (got " + std::to_string(value) + ")");
  }
  return static_cast<int64_t>(value);
}

double Args::number(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsNumber()) fail(i, "a number");
  return info_[i].As<Napi::Number>().DoubleValue();
}

bool Args::boolean(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsBoolean()) fail(i, "a boolean");
  return info_[i].As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i) const {
  if (i >= info_.Length() || !info_[i].IsString()) fail(i, "a string");
  return info_[i].As<Napi::String>().Utf8Value();
}

at::Scalar Args::scalar(size_t i) const {
  if (i < info_.Length() && info_[i].IsBoolean()) return at::Scalar(info_[i].As<Napi::Boolean>().Value());
  return at::Scalar(number(i));
}

at::ScalarType Args::dtype(size_t i) const { return ParseDtype(string(i)); }

Napi::Value Args::wrapPair(std::tuple<at::Tensor, at::Tensor> pair) const {
  Napi::Array result = Napi::Array::New(env(), 2);
  result.Set(0u, wrap(std::move(std::get<0>(pair))));
  result.Set(1u, wrap(std::move(std::get<1>(pair))));
  return result;
}

at::ScalarType ParseDtype(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "float16") return at::kHalf;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "uint8") return at::kByte;
  if (name == "bool") return at::kBool;
  throw std::invalid_argument("unknown dtype '" + name + "' (known: float32, float64, float16, bfloat16, int64, int32, uint8, bool)");
}

std::string DtypeName(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return std::string("unsupported:") + c10::toString(type);
  }
}

}  // namespace pemn
