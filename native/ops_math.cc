// Elementwise math, comparisons, reductions, selection, and in-place updates for optimizers.
#include "addon.h"

namespace pemn {

namespace {

// Binary ops come in two functions: NAME(tensor, tensor) and NAMEScalar(tensor, number).
template <at::Tensor (*WithTensor)(const at::Tensor&, const at::Tensor&)>
Napi::Value Binary(Args& a) {
  return a.wrap(WithTensor(a.tensor(0), a.tensor(1)));
}

template <at::Tensor (*WithScalar)(const at::Tensor&, const at::Scalar&)>
Napi::Value BinaryScalar(Args& a) {
  return a.wrap(WithScalar(a.tensor(0), a.scalar(1)));
}

at::Tensor AddT(const at::Tensor& x, const at::Tensor& y) { return at::add(x, y); }
at::Tensor AddS(const at::Tensor& x, const at::Scalar& y) { return at::add(x, y); }
at::Tensor SubT(const at::Tensor& x, const at::Tensor& y) { return at::sub(x, y); }
at::Tensor SubS(const at::Tensor& x, const at::Scalar& y) { return at::sub(x, y); }
at::Tensor MulT(const at::Tensor& x, const at::Tensor& y) { return at::mul(x, y); }
at::Tensor MulS(const at::Tensor& x, const at::Scalar& y) { return at::mul(x, y); }
at::Tensor DivT(const at::Tensor& x, const at::Tensor& y) { return at::div(x, y); }
at::Tensor DivS(const at::Tensor& x, const at::Scalar& y) { return at::div(x, y); }
at::Tensor PowT(const at::Tensor& x, const at::Tensor& y) { return at::pow(x, y); }
at::Tensor PowS(const at::Tensor& x, const at::Scalar& y) { return at::pow(x, y); }
at::Tensor MaxT(const at::Tensor& x, const at::Tensor& y) { return at::maximum(x, y); }
at::Tensor MaxS(const at::Tensor& x, const at::Scalar& y) { return at::clamp_min(x, y); }
at::Tensor MinT(const at::Tensor& x, const at::Tensor& y) { return at::minimum(x, y); }
at::Tensor MinS(const at::Tensor& x, const at::Scalar& y) { return at::clamp_max(x, y); }
at::Tensor EqT(const at::Tensor& x, const at::Tensor& y) { return at::eq(x, y); }
at::Tensor EqS(const at::Tensor& x, const at::Scalar& y) { return at::eq(x, y); }
at::Tensor NeT(const at::Tensor& x, const at::Tensor& y) { return at::ne(x, y); }
at::Tensor NeS(const at::Tensor& x, const at::Scalar& y) { return at::ne(x, y); }
at::Tensor LtT(const at::Tensor& x, const at::Tensor& y) { return at::lt(x, y); }
at::Tensor LtS(const at::Tensor& x, const at::Scalar& y) { return at::lt(x, y); }
at::Tensor LeT(const at::Tensor& x, const at::Tensor& y) { return at::le(x, y); }
at::Tensor LeS(const at::Tensor& x, const at::Scalar& y) { return at::le(x, y); }
at::Tensor GtT(const at::Tensor& x, const at::Tensor& y) { return at::gt(x, y); }
at::Tensor GtS(const at::Tensor& x, const at::Scalar& y) { return at::gt(x, y); }
at::Tensor GeT(const at::Tensor& x, const at::Tensor& y) { return at::ge(x, y); }
at::Tensor GeS(const at::Tensor& x, const at::Scalar& y) { return at::ge(x, y); }

template <at::Tensor (*Fn)(const at::Tensor&)>
Napi::Value Unary(Args& a) {
  return a.wrap(Fn(a.tensor(0)));
}

// Reductions over all elements when no dims are given, else over the given dims.
template <at::Tensor (*All)(const at::Tensor&, c10::optional<at::ScalarType>),
          at::Tensor (*Dims)(const at::Tensor&, at::OptionalIntArrayRef, bool, c10::optional<at::ScalarType>)>
Napi::Value Reduce(Args& a) {
  if (!a.has(1)) return a.wrap(All(a.tensor(0), c10::nullopt));
  return a.wrap(Dims(a.tensor(0), a.ints(1), a.has(2) && a.boolean(2), c10::nullopt));
}

at::Tensor SumAll(const at::Tensor& x, c10::optional<at::ScalarType> t) { return at::sum(x, t); }
at::Tensor SumDims(const at::Tensor& x, at::OptionalIntArrayRef d, bool k, c10::optional<at::ScalarType> t) {
  return at::sum(x, d, k, t);
}
at::Tensor MeanAll(const at::Tensor& x, c10::optional<at::ScalarType> t) { return at::mean(x, t); }
at::Tensor MeanDims(const at::Tensor& x, at::OptionalIntArrayRef d, bool k, c10::optional<at::ScalarType> t) {
  return at::mean(x, d, k, t);
}

// Index-returning reductions: over everything (flattened) or along one dim.
Napi::Value ValuesAndIndices(Args& a, bool maximum) {
  if (!a.has(1)) return a.wrap(maximum ? at::max(a.tensor(0)) : at::min(a.tensor(0)));
  bool keepdim = a.has(2) && a.boolean(2);
  return a.wrapPair(maximum ? at::max(a.tensor(0), a.integer(1), keepdim) : at::min(a.tensor(0), a.integer(1), keepdim));
}

}  // namespace

void RegisterMathOps(Napi::Env env, Napi::Object exports) {
  Define(env, exports, "add", Binary<AddT>);
  Define(env, exports, "addScalar", BinaryScalar<AddS>);
  Define(env, exports, "sub", Binary<SubT>);
  Define(env, exports, "subScalar", BinaryScalar<SubS>);
  Define(env, exports, "mul", Binary<MulT>);
  Define(env, exports, "mulScalar", BinaryScalar<MulS>);
  Define(env, exports, "div", Binary<DivT>);
  Define(env, exports, "divScalar", BinaryScalar<DivS>);
  Define(env, exports, "pow", Binary<PowT>);
  Define(env, exports, "powScalar", BinaryScalar<PowS>);
  Define(env, exports, "maximum", Binary<MaxT>);
  Define(env, exports, "maximumScalar", BinaryScalar<MaxS>);
  Define(env, exports, "minimum", Binary<MinT>);
  Define(env, exports, "minimumScalar", BinaryScalar<MinS>);
  Define(env, exports, "eq", Binary<EqT>);
  Define(env, exports, "eqScalar", BinaryScalar<EqS>);
  Define(env, exports, "ne", Binary<NeT>);
  Define(env, exports, "neScalar", BinaryScalar<NeS>);
  Define(env, exports, "lt", Binary<LtT>);
  Define(env, exports, "ltScalar", BinaryScalar<LtS>);
  Define(env, exports, "le", Binary<LeT>);
  Define(env, exports, "leScalar", BinaryScalar<LeS>);
  Define(env, exports, "gt", Binary<GtT>);
  Define(env, exports, "gtScalar", BinaryScalar<GtS>);
  Define(env, exports, "ge", Binary<GeT>);
  Define(env, exports, "geScalar", BinaryScalar<GeS>);
  Define(env, exports, "where", [](Args& a) { return a.wrap(at::where(a.tensor(0), a.tensor(1), a.tensor(2))); });
  Define(env, exports, "clamp", [](Args& a) {
    c10::optional<at::Scalar> low = a.has(1) ? c10::optional<at::Scalar>(a.scalar(1)) : c10::nullopt;
    c10::optional<at::Scalar> high = a.has(2) ? c10::optional<at::Scalar>(a.scalar(2)) : c10::nullopt;
    return a.wrap(at::clamp(a.tensor(0), low, high));
  });

  Define(env, exports, "neg", Unary<at::neg>);
  Define(env, exports, "abs", Unary<at::abs>);
  Define(env, exports, "sign", Unary<at::sign>);
  Define(env, exports, "exp", Unary<at::exp>);
  Define(env, exports, "log", Unary<at::log>);
  Define(env, exports, "sqrt", Unary<at::sqrt>);
  Define(env, exports, "rsqrt", Unary<at::rsqrt>);
  Define(env, exports, "square", Unary<at::square>);
  Define(env, exports, "reciprocal", Unary<at::reciprocal>);
  Define(env, exports, "sigmoid", Unary<at::sigmoid>);
  Define(env, exports, "tanh", Unary<at::tanh>);
  Define(env, exports, "floor", Unary<at::floor>);
  Define(env, exports, "round", Unary<at::round>);
  Define(env, exports, "logicalNot", Unary<at::logical_not>);

  Define(env, exports, "sum", Reduce<SumAll, SumDims>);
  Define(env, exports, "mean", Reduce<MeanAll, MeanDims>);
  Define(env, exports, "max", [](Args& a) { return ValuesAndIndices(a, true); });
  Define(env, exports, "min", [](Args& a) { return ValuesAndIndices(a, false); });
  Define(env, exports, "argmax", [](Args& a) {
    c10::optional<int64_t> dim = a.has(1) ? c10::optional<int64_t>(a.integer(1)) : c10::nullopt;
    return a.wrap(at::argmax(a.tensor(0), dim, a.has(2) && a.boolean(2)));
  });
  Define(env, exports, "variance", [](Args& a) {
    // (input, dims, unbiased, keepdim)
    std::vector<int64_t> dims = a.ints(1);
    return a.wrap(at::var(a.tensor(0), at::IntArrayRef(dims), a.boolean(2), a.has(3) && a.boolean(3)));
  });
  Define(env, exports, "norm", [](Args& a) { return a.wrap(at::norm(a.tensor(0), a.scalar(1))); });
  Define(env, exports, "cumsum", [](Args& a) {
    c10::optional<at::ScalarType> dtype = a.has(2) ? c10::optional<at::ScalarType>(a.dtype(2)) : c10::nullopt;
    return a.wrap(at::cumsum(a.tensor(0), a.integer(1), dtype));
  });
  Define(env, exports, "countNonzero", [](Args& a) { return a.wrap(at::count_nonzero(a.tensor(0))); });

  Define(env, exports, "topk", [](Args& a) {
    return a.wrapPair(at::topk(a.tensor(0), a.integer(1), a.integer(2), a.boolean(3), a.boolean(4)));
  });
  Define(env, exports, "kthvalue", [](Args& a) {
    return a.wrapPair(at::kthvalue(a.tensor(0), a.integer(1), a.integer(2), a.has(3) && a.boolean(3)));
  });
  Define(env, exports, "sort", [](Args& a) {
    return a.wrapPair(at::sort(a.tensor(0), a.boolean(3), a.integer(1), a.boolean(2)));
  });

  // In place, for optimizers: they return nothing, the first tensor changes.
  Define(env, exports, "add_", [](Args& a) -> Napi::Value {
    a.tensor(0).add_(a.tensor(1), a.has(2) ? a.scalar(2) : at::Scalar(1));
    return a.env().Undefined();
  });
  Define(env, exports, "addScalar_", [](Args& a) -> Napi::Value {
    a.tensor(0).add_(a.scalar(1));
    return a.env().Undefined();
  });
  Define(env, exports, "mul_", [](Args& a) -> Napi::Value {
    a.tensor(0).mul_(a.tensor(1));
    return a.env().Undefined();
  });
  Define(env, exports, "mulScalar_", [](Args& a) -> Napi::Value {
    a.tensor(0).mul_(a.scalar(1));
    return a.env().Undefined();
  });
  Define(env, exports, "addcmul_", [](Args& a) -> Napi::Value {
    a.tensor(0).addcmul_(a.tensor(1), a.tensor(2), a.scalar(3));
    return a.env().Undefined();
  });
  Define(env, exports, "addcdiv_", [](Args& a) -> Napi::Value {
    a.tensor(0).addcdiv_(a.tensor(1), a.tensor(2), a.scalar(3));
    return a.env().Undefined();
  });
  Define(env, exports, "zero_", [](Args& a) -> Napi::Value {
    a.tensor(0).zero_();
    return a.env().Undefined();
  });
  Define(env, exports, "fill_", [](Args& a) -> Napi::Value {
    a.tensor(0).fill_(a.scalar(1));
    return a.env().Undefined();
  });
  Define(env, exports, "copy_", [](Args& a) -> Napi::Value {
    a.tensor(0).copy_(a.tensor(1));
    return a.env().Undefined();
  });
}

}  // namespace pemn
