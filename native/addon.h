// A thin Node-API face over libtorch's ATen: tensor handles, operations, autograd.
// It knows nothing of PEMN; the TypeScript engine layer (src/engine) builds on it.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pemn {

// Raised when a disposed tensor is passed to an operation; JavaScript sees its own class for it.
struct DisposedTensorError : std::logic_error {
  DisposedTensorError() : std::logic_error("tensor used after dispose()") {}
};

// The addon's tensors, named to JavaScript by number ids (as tfjs names its data).
// JavaScript objects per tensor would need Node-API finalizers, which Node defers to the
// event loop: a synchronous training loop would pile them up. dispose() releases a tensor
// at once; the JavaScript side adds a FinalizationRegistry as a backstop.
class TensorTable {
 public:
  static Napi::Value Insert(Napi::Env env, at::Tensor tensor);
  // Throws DisposedTensorError for released or unknown ids.
  static at::Tensor& Get(double id);
  static bool IsLive(double id);
  static void Release(Napi::Env env, double id);
  // Counts a host tensor's bytes as V8 external memory until it is released (once).
  static void ReportExternal(Napi::Env env, double id);
  static int64_t LiveCount();
};

// Argument reader for one call; every failure names the operation and the argument.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* op) : info_(info), op_(op) {}

  Napi::Env env() const { return info_.Env(); }
  const char* op() const { return op_; }
  size_t size() const { return info_.Length(); }
  bool has(size_t i) const;  // present and neither undefined nor null
  Napi::Value raw(size_t i) const { return info_[i]; }

  at::Tensor& tensor(size_t i) const;
  c10::optional<at::Tensor> optionalTensor(size_t i) const;
  std::vector<at::Tensor> tensors(size_t i) const;
  std::vector<int64_t> ints(size_t i) const;
  int64_t integer(size_t i) const;
  double number(size_t i) const;
  bool boolean(size_t i) const;
  std::string string(size_t i) const;
  at::Scalar scalar(size_t i) const;  // a JS number or boolean
  at::ScalarType dtype(size_t i) const;

  Napi::Value wrap(at::Tensor tensor) const { return TensorTable::Insert(env(), std::move(tensor)); }
  Napi::Value wrapPair(std::tuple<at::Tensor, at::Tensor> pair) const;

 private:
  [[noreturn]] void fail(size_t i, const std::string& expected) const;
  const Napi::CallbackInfo& info_;
  const char* op_;
};

// A collective or rendezvous failed (peer lost, timeout, bad address); JavaScript sees a
// CollectiveError. lost_rank is the rank found lost, or -1 when none is known.
struct CollectiveFailure : std::runtime_error {
  CollectiveFailure(const std::string& message, int lost_rank) : std::runtime_error(message), lost_rank(lost_rank) {}
  int lost_rank;
};

using OpFunction = Napi::Value (*)(Args&);

// Adds a function to the module. Exceptions raised inside become the JavaScript error
// made by the registered factory from (message, op name, kind[, lost rank]), where kind is
// "torch" (libtorch refused), "argument" (bad argument), "disposed", "collective" or
// "out-of-memory" (a device allocation failed).
void Define(Napi::Env env, Napi::Object exports, const char* name, OpFunction fn);

at::ScalarType ParseDtype(const std::string& name);
std::string DtypeName(at::ScalarType type);

void RegisterRuntime(Napi::Env env, Napi::Object exports);
void RegisterTensorOps(Napi::Env env, Napi::Object exports);
void RegisterMathOps(Napi::Env env, Napi::Object exports);
void RegisterNnOps(Napi::Env env, Napi::Object exports);
void RegisterProcessGroup(Napi::Env env, Napi::Object exports);

// Per-addon-instance state (Node-API instance data).
struct AddonState {
  Napi::FunctionReference error_factory;
};
AddonState& State(Napi::Env env);

}  // namespace pemn
