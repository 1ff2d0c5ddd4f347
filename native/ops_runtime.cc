// Process-wide facts and switches: versions, threads, seeds, grad mode, error factory.
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/core/grad_mode.h>  // ATen.h includes it in 1.13, not in 2.x
#include <torch/version.h>

#include "addon.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace pemn {

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  Define(env, exports, "setErrorFactory", [](Args& a) -> Napi::Value {
    if (!a.raw(0).IsFunction()) throw std::invalid_argument("argument 1 must be a function");
    State(a.env()).error_factory = Napi::Persistent(a.raw(0).As<Napi::Function>());
    return a.env().Undefined();
  });
  Define(env, exports, "libtorchVersion", [](Args& a) -> Napi::Value {
    return Napi::String::New(a.env(), TORCH_VERSION);
  });
  Define(env, exports, "buildConfig", [](Args& a) -> Napi::Value {
    return Napi::String::New(a.env(), at::show_config());
  });
  Define(env, exports, "parallelInfo", [](Args& a) -> Napi::Value {
    return Napi::String::New(a.env(), at::get_parallel_info());
  });
  Define(env, exports, "setNumThreads", [](Args& a) -> Napi::Value {
    int64_t threads = a.integer(0);
    if (threads < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(threads));
    at::set_num_threads(static_cast<int>(threads));
    return a.env().Undefined();
  });
  Define(env, exports, "getNumThreads", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), at::get_num_threads());
  });
  Define(env, exports, "manualSeed", [](Args& a) -> Napi::Value {
    int64_t seed = a.integer(0);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_current_seed(static_cast<uint64_t>(seed));
    return a.env().Undefined();
  });
  Define(env, exports, "setGradEnabled", [](Args& a) -> Napi::Value {
    bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(a.boolean(0));
    return Napi::Boolean::New(a.env(), previous);
  });
  Define(env, exports, "isGradEnabled", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), at::GradMode::is_enabled());
  });
  // glibc's malloc serves large blocks with fresh mmap pages, so every activation-sized
  // tensor pays its page faults again; raising the thresholds keeps them in the heap.
  Define(env, exports, "tuneAllocator", [](Args& a) -> Napi::Value {
#ifdef __GLIBC__
    bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(a.integer(0))) == 1 &&
              mallopt(M_TRIM_THRESHOLD, static_cast<int>(a.integer(1))) == 1;
    return Napi::Boolean::New(a.env(), ok);
#else
    return Napi::Boolean::New(a.env(), false);
#endif
  });
  Define(env, exports, "cudaAvailable", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), at::hasCUDA());
  });
  Define(env, exports, "liveTensorCount", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), static_cast<double>(TensorTable::LiveCount()));
  });
  Define(env, exports, "dispose", [](Args& a) -> Napi::Value {
    TensorTable::Release(a.env(), a.number(0));
    return a.env().Undefined();
  });
  Define(env, exports, "isDisposed", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), !TensorTable::IsLive(a.number(0)));
  });
}

}  // namespace pemn
