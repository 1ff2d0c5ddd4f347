// Tensor creation, conversion to and from typed arrays, metadata, shape ops, autograd.
#include <cstring>

#include "addon.h"

namespace pemn {

namespace {

at::TensorOptions Options(at::ScalarType dtype) { return at::TensorOptions().dtype(dtype); }

// The typed array that carries each dtype across the boundary.
napi_typedarray_type ArrayTypeFor(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat: return napi_float32_array;
    case at::kDouble: return napi_float64_array;
    case at::kLong: return napi_bigint64_array;
    case at::kInt: return napi_int32_array;
    case at::kByte:
    case at::kBool: return napi_uint8_array;
    default: throw std::invalid_argument("no typed array for dtype " + DtypeName(dtype));
  }
}

const char* ArrayTypeName(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint8_array: return "Uint8Array";
    default: return "an unsupported typed array";
  }
}

Napi::Value FromArray(Args& a) {
  if (!a.raw(0).IsTypedArray()) throw std::invalid_argument("argument 1 must be a typed array");
  Napi::TypedArray array = a.raw(0).As<Napi::TypedArray>();
  std::vector<int64_t> shape = a.ints(1);
  at::ScalarType dtype = a.dtype(2);
  // Page-locked host memory lets a later copy to a GPU run asynchronously (non_blocking).
  bool pinned = a.has(3) && a.boolean(3);
  if (array.TypedArrayType() != ArrayTypeFor(dtype)) {
    throw std::invalid_argument(std::string("dtype ") + DtypeName(dtype) + " needs a " +
                                ArrayTypeName(ArrayTypeFor(dtype)) + ", got " +
                                ArrayTypeName(array.TypedArrayType()));
  }
  at::Tensor tensor = at::empty(shape, Options(dtype).pinned_memory(pinned));
  size_t bytes = static_cast<size_t>(tensor.numel() * tensor.element_size());
  if (array.ByteLength() != bytes) {
    throw std::invalid_argument("shape " + c10::str(shape) + " holds " + std::to_string(tensor.numel()) +
                                " elements but the array has " + std::to_string(array.ElementLength()));
  }
  auto* source = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  std::memcpy(tensor.data_ptr(), source, bytes);
  return a.wrap(tensor);
}

Napi::Value ToArray(Args& a) {
  at::Tensor tensor = a.tensor(0).detach().to(at::kCPU).contiguous();
  napi_typedarray_type type = ArrayTypeFor(tensor.scalar_type());
  size_t bytes = static_cast<size_t>(tensor.numel() * tensor.element_size());
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(a.env(), bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), tensor.data_ptr(), bytes);
  size_t length = static_cast<size_t>(tensor.numel());
  switch (type) {
    case napi_float32_array: return Napi::Float32Array::New(a.env(), length, buffer, 0);
    case napi_float64_array: return Napi::Float64Array::New(a.env(), length, buffer, 0);
    case napi_bigint64_array: return Napi::BigInt64Array::New(a.env(), length, buffer, 0);
    case napi_int32_array: return Napi::Int32Array::New(a.env(), length, buffer, 0);
    default: return Napi::Uint8Array::New(a.env(), length, buffer, 0);
  }
}

Napi::Value IntArray(Napi::Env env, c10::IntArrayRef values) {
  Napi::Array result = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++) result.Set(i, Napi::Number::New(env, static_cast<double>(values[i])));
  return result;
}

at::MemoryFormat ParseMemoryFormat(const std::string& name) {
  if (name == "contiguous") return at::MemoryFormat::Contiguous;
  if (name == "channels_last") return at::MemoryFormat::ChannelsLast;
  throw std::invalid_argument("unknown memory format '" + name + "' (known: contiguous, channels_last)");
}

}  // namespace

void RegisterTensorOps(Napi::Env env, Napi::Object exports) {
  // Conversion
  Define(env, exports, "fromArray", FromArray);
  Define(env, exports, "toArray", ToArray);
  Define(env, exports, "item", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), a.tensor(0).item<double>());
  });

  // Metadata
  Define(env, exports, "shape", [](Args& a) -> Napi::Value { return IntArray(a.env(), a.tensor(0).sizes()); });
  Define(env, exports, "strides", [](Args& a) -> Napi::Value { return IntArray(a.env(), a.tensor(0).strides()); });
  Define(env, exports, "dtype", [](Args& a) -> Napi::Value {
    return Napi::String::New(a.env(), DtypeName(a.tensor(0).scalar_type()));
  });
  Define(env, exports, "device", [](Args& a) -> Napi::Value {
    return Napi::String::New(a.env(), a.tensor(0).device().str());
  });
  Define(env, exports, "isContiguous", [](Args& a) -> Napi::Value {
    at::MemoryFormat format = a.has(1) ? ParseMemoryFormat(a.string(1)) : at::MemoryFormat::Contiguous;
    return Napi::Boolean::New(a.env(), a.tensor(0).is_contiguous(format));
  });

  // Creation
  Define(env, exports, "zeros", [](Args& a) { return a.wrap(at::zeros(a.ints(0), Options(a.dtype(1)))); });
  Define(env, exports, "ones", [](Args& a) { return a.wrap(at::ones(a.ints(0), Options(a.dtype(1)))); });
  Define(env, exports, "full", [](Args& a) {
    return a.wrap(at::full(a.ints(0), a.scalar(1), Options(a.dtype(2))));
  });
  Define(env, exports, "arange", [](Args& a) {
    return a.wrap(at::arange(a.scalar(0), a.scalar(1), a.scalar(2), Options(a.dtype(3))));
  });
  Define(env, exports, "rand", [](Args& a) { return a.wrap(at::rand(a.ints(0), Options(a.dtype(1)))); });
  Define(env, exports, "randn", [](Args& a) { return a.wrap(at::randn(a.ints(0), Options(a.dtype(1)))); });
  Define(env, exports, "randint", [](Args& a) {
    return a.wrap(at::randint(a.integer(0), a.integer(1), a.ints(2), Options(at::kLong)));
  });
  Define(env, exports, "randperm", [](Args& a) { return a.wrap(at::randperm(a.integer(0), Options(at::kLong))); });
  Define(env, exports, "zerosLike", [](Args& a) { return a.wrap(at::zeros_like(a.tensor(0))); });
  Define(env, exports, "onesLike", [](Args& a) { return a.wrap(at::ones_like(a.tensor(0))); });
  Define(env, exports, "fullLike", [](Args& a) { return a.wrap(at::full_like(a.tensor(0), a.scalar(1))); });

  // Copies and conversions
  Define(env, exports, "clone", [](Args& a) { return a.wrap(a.tensor(0).clone()); });
  Define(env, exports, "contiguous", [](Args& a) {
    at::MemoryFormat format = a.has(1) ? ParseMemoryFormat(a.string(1)) : at::MemoryFormat::Contiguous;
    return a.wrap(a.tensor(0).contiguous(format));
  });
  Define(env, exports, "toDtype", [](Args& a) { return a.wrap(a.tensor(0).to(a.dtype(1))); });
  // (tensor, device, nonBlocking?): non-blocking only overlaps from pinned host memory.
  Define(env, exports, "toDevice", [](Args& a) {
    return a.wrap(a.tensor(0).to(at::Device(a.string(1)), /*non_blocking=*/a.has(2) && a.boolean(2)));
  });
  Define(env, exports, "isPinned", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), a.tensor(0).is_pinned());
  });
  // Points the tensor at another's data (PyTorch's `param.data = ...`): a module moves to a
  // device in place, so every handle to its parameters stays valid.
  Define(env, exports, "setData", [](Args& a) -> Napi::Value {
    a.tensor(0).set_data(a.tensor(1));
    return a.env().Undefined();
  });

  // Shape
  Define(env, exports, "reshape", [](Args& a) { return a.wrap(a.tensor(0).reshape(a.ints(1))); });
  Define(env, exports, "permute", [](Args& a) { return a.wrap(a.tensor(0).permute(a.ints(1))); });
  Define(env, exports, "transpose", [](Args& a) {
    return a.wrap(a.tensor(0).transpose(a.integer(1), a.integer(2)));
  });
  Define(env, exports, "flatten", [](Args& a) {
    return a.wrap(a.tensor(0).flatten(a.integer(1), a.integer(2)));
  });
  Define(env, exports, "slice", [](Args& a) {
    return a.wrap(a.tensor(0).slice(a.integer(1), a.integer(2), a.integer(3), a.integer(4)));
  });
  Define(env, exports, "select", [](Args& a) { return a.wrap(a.tensor(0).select(a.integer(1), a.integer(2))); });
  Define(env, exports, "cat", [](Args& a) { return a.wrap(at::cat(a.tensors(0), a.integer(1))); });
  Define(env, exports, "stack", [](Args& a) { return a.wrap(at::stack(a.tensors(0), a.integer(1))); });
  Define(env, exports, "constantPad", [](Args& a) {
    return a.wrap(at::constant_pad_nd(a.tensor(0), a.ints(1), a.scalar(2)));
  });
  Define(env, exports, "unsqueeze", [](Args& a) { return a.wrap(a.tensor(0).unsqueeze(a.integer(1))); });
  Define(env, exports, "squeeze", [](Args& a) {
    return a.wrap(a.has(1) ? a.tensor(0).squeeze(a.integer(1)) : a.tensor(0).squeeze());
  });
  Define(env, exports, "expand", [](Args& a) { return a.wrap(a.tensor(0).expand(a.ints(1))); });
  Define(env, exports, "repeat", [](Args& a) { return a.wrap(a.tensor(0).repeat(a.ints(1))); });
  Define(env, exports, "flip", [](Args& a) { return a.wrap(a.tensor(0).flip(a.ints(1))); });
  Define(env, exports, "indexSelect", [](Args& a) {
    return a.wrap(a.tensor(0).index_select(a.integer(1), a.tensor(2)));
  });
  Define(env, exports, "gather", [](Args& a) { return a.wrap(a.tensor(0).gather(a.integer(1), a.tensor(2))); });
  Define(env, exports, "scatter", [](Args& a) {
    return a.wrap(a.tensor(0).scatter(a.integer(1), a.tensor(2), a.tensor(3)));
  });
  Define(env, exports, "scatterScalar", [](Args& a) {
    return a.wrap(a.tensor(0).scatter(a.integer(1), a.tensor(2), a.scalar(3)));
  });

  // Autograd
  Define(env, exports, "requiresGrad", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), a.tensor(0).requires_grad());
  });
  Define(env, exports, "setRequiresGrad", [](Args& a) -> Napi::Value {
    a.tensor(0).requires_grad_(a.boolean(1));
    return a.env().Undefined();
  });
  // Bumped by every in-place change: lets callers cache values derived from a tensor.
  Define(env, exports, "version", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), static_cast<double>(a.tensor(0)._version()));
  });
  Define(env, exports, "isLeaf", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), a.tensor(0).is_leaf());
  });
  Define(env, exports, "grad", [](Args& a) -> Napi::Value {
    const at::Tensor& grad = a.tensor(0).grad();
    return grad.defined() ? a.wrap(grad) : a.env().Null();
  });
  Define(env, exports, "clearGrad", [](Args& a) -> Napi::Value {
    a.tensor(0).mutable_grad().reset();
    return a.env().Undefined();
  });
  Define(env, exports, "detach", [](Args& a) { return a.wrap(a.tensor(0).detach()); });
  Define(env, exports, "backward", [](Args& a) -> Napi::Value {
    c10::optional<at::Tensor> gradient = a.optionalTensor(1);
    bool retain_graph = a.has(2) && a.boolean(2);
    a.tensor(0).backward(gradient.value_or(at::Tensor()), retain_graph);
    return a.env().Undefined();
  });
}

}  // namespace pemn
