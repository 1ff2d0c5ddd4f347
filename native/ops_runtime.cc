// Process-wide facts and switches: versions, threads, seeds, grad mode, autocast, devices,
// error factory.
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
#include <ATen/core/grad_mode.h>  // ATen.h includes it in 1.13, not in 2.x
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>
#ifdef PEMN_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "addon.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace pemn {

namespace {
at::DeviceType AutocastDeviceType(const std::string& name) {
  if (name == "cuda") return at::kCUDA;
  if (name == "cpu") return at::kCPU;
  throw std::invalid_argument("autocast device type must be 'cuda' or 'cpu', got '" + name + "'");
}

// libtorch 2.4 made autocast's switches per device type; 1.13 has one function per type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool AutocastEnabled(at::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
void SetAutocast(at::DeviceType type, bool enabled, at::ScalarType dtype) {
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
}
#else
bool AutocastEnabled(at::DeviceType type) {
  return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void SetAutocast(at::DeviceType type, bool enabled, at::ScalarType dtype) {
  if (type == at::kCUDA) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}
#endif
}  // namespace

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
  // What CUDA this addon can use: { built, devices: [{name, memoryBytes, capability}],
  // error } where error says why no device is usable (no driver, no GPU), else null.
  Define(env, exports, "cudaStatus", [](Args& a) -> Napi::Value {
    Napi::Object status = Napi::Object::New(a.env());
    Napi::Array devices = Napi::Array::New(a.env());
    status.Set("devices", devices);
    status.Set("error", a.env().Null());
#ifdef PEMN_WITH_CUDA
    status.Set("built", true);
    try {
      c10::cuda::device_count_ensure_non_zero();
      for (int i = 0; i < static_cast<int>(c10::cuda::device_count()); i++) {
        const auto* properties = at::cuda::getDeviceProperties(i);
        Napi::Object device = Napi::Object::New(a.env());
        device.Set("name", std::string(properties->name));
        device.Set("memoryBytes", static_cast<double>(properties->totalGlobalMem));
        device.Set("capability", std::to_string(properties->major) + "." + std::to_string(properties->minor));
        devices.Set(static_cast<uint32_t>(i), device);
      }
    } catch (const c10::Error& error) {
      status.Set("error", std::string(error.what_without_backtrace()));
    }
#else
    // Built without CUDA's headers: libtorch's hooks still say whether it has CUDA and how
    // many GPUs it sees, not their names.
    int count = at::detail::getCUDAHooks().getNumGPUs();
    status.Set("built", at::hasCUDA());
    for (int i = 0; i < count; i++) {
      Napi::Object device = Napi::Object::New(a.env());
      device.Set("name", std::string("unknown (built without CUDA headers)"));
      device.Set("memoryBytes", 0.0);
      device.Set("capability", std::string("unknown"));
      devices.Set(static_cast<uint32_t>(i), device);
    }
#endif
    return status;
  });
  Define(env, exports, "cudaDeviceCount", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), at::detail::getCUDAHooks().getNumGPUs());
  });
  // Waits until every queued operation on the device has run (timing, not correctness:
  // reading a tensor back already waits for it).
  Define(env, exports, "synchronize", [](Args& a) -> Napi::Value {
    at::Device device(a.string(0));
    if (device.is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(device.has_index() ? device.index() : 0);
    return a.env().Undefined();
  });
  // (deviceType, enabled, dtype) -> whether it was enabled before. Ops called while it is on
  // run in `dtype` where autocast's lists say so; leaving clears its cast cache.
  Define(env, exports, "setAutocast", [](Args& a) -> Napi::Value {
    at::DeviceType type = AutocastDeviceType(a.string(0));
    bool enabled = a.boolean(1);
    bool previous = AutocastEnabled(type);
    SetAutocast(type, enabled, a.dtype(2));
    if (!enabled) at::autocast::clear_cache();
    return Napi::Boolean::New(a.env(), previous);
  });
  // Gradient scaling (fp16): divides every gradient by the scale in place and sets foundInf
  // to 1 where one is not finite: (grads, foundInf, invScale). CUDA's kernels, one launch.
  Define(env, exports, "ampUnscale_", [](Args& a) -> Napi::Value {
    at::_amp_foreach_non_finite_check_and_unscale_(a.tensors(0), a.tensor(1), a.tensor(2));
    return a.env().Undefined();
  });
  // (scale, growthTracker, foundInf, growthFactor, backoffFactor, growthInterval): PyTorch's
  // GradScaler update, on the device, so no value has to be read back.
  Define(env, exports, "ampUpdateScale_", [](Args& a) -> Napi::Value {
    at::_amp_update_scale_(a.tensor(0), a.tensor(1), a.tensor(2), a.number(3), a.number(4), a.integer(5));
    return a.env().Undefined();
  });
  Define(env, exports, "liveTensorCount", [](Args& a) -> Napi::Value {
    return Napi::Number::New(a.env(), static_cast<double>(TensorTable::LiveCount()));
  });
  Define(env, exports, "dispose", [](Args& a) -> Napi::Value {
    TensorTable::Release(a.env(), a.number(0));
    return a.env().Undefined();
  });
  Define(env, exports, "reportExternal", [](Args& a) -> Napi::Value {
    TensorTable::ReportExternal(a.env(), a.number(0));
    return a.env().Undefined();
  });
  Define(env, exports, "isDisposed", [](Args& a) -> Napi::Value {
    return Napi::Boolean::New(a.env(), !TensorTable::IsLive(a.number(0)));
  });
}

}  // namespace pemn
