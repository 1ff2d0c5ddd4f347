// Threading rule: the addon serves exactly one JavaScript thread per process, the main
// thread. Its state is process-global and unlocked (the tensor table, the op entries below,
// libtorch's grad mode and seed), so a worker_thread loading it would share, and race on,
// the main thread's tensors and handles. Init refuses every other thread (see docs/engine.md).
#include <unistd.h>

#include <deque>

#if defined(__APPLE__)
#include <pthread.h>
#else
#include <sys/syscall.h>
#endif

#include "addon.h"

namespace pemn {

namespace {
struct OpEntry {
  const char* name;
  OpFunction fn;
};
// Stable addresses for the lifetime of the process: Node-API keeps pointers to them.
std::deque<OpEntry>& Entries() {
  static std::deque<OpEntry> entries;
  return entries;
}

[[noreturn]] void ThrowEngineError(Napi::Env env, const char* op, const char* kind, const std::string& message,
                                   int lost_rank = -1) {
  AddonState& state = State(env);
  if (!state.error_factory.IsEmpty()) {
    Napi::Value lost = lost_rank >= 0 ? Napi::Number::New(env, lost_rank) : env.Undefined();
    Napi::Value error = state.error_factory.Call(
        {Napi::String::New(env, message), Napi::String::New(env, op), Napi::String::New(env, kind), lost});
    throw Napi::Error(env, error);
  }
  throw Napi::Error::New(env, std::string(op) + ": " + message);
}

Napi::Value Dispatch(const Napi::CallbackInfo& info) {
  const OpEntry* entry = static_cast<const OpEntry*>(info.Data());
  Args args(info, entry->name);
  try {
    return entry->fn(args);
  } catch (const Napi::Error&) {
    throw;
  } catch (const DisposedTensorError& error) {
    ThrowEngineError(info.Env(), entry->name, "disposed", error.what());
  } catch (const CollectiveFailure& error) {
    ThrowEngineError(info.Env(), entry->name, "collective", error.what(), error.lost_rank);
  } catch (const std::invalid_argument& error) {
    ThrowEngineError(info.Env(), entry->name, "argument", error.what());
  } catch (const c10::OutOfMemoryError& error) {
    ThrowEngineError(info.Env(), entry->name, "out-of-memory", error.what_without_backtrace());
  } catch (const c10::Error& error) {
    ThrowEngineError(info.Env(), entry->name, "torch", error.what_without_backtrace());
  } catch (const std::exception& error) {
    ThrowEngineError(info.Env(), entry->name, "torch", error.what());
  }
}

bool OnProcessMainThread() {
#if defined(__APPLE__)
  return pthread_main_np() == 1;
#else
  return syscall(SYS_gettid) == getpid();
#endif
}

constexpr const char* kThreadRule =
    "the pemn native addon may only be used from the main JavaScript thread of a process, "
    "not from a worker_thread (its tensor table is process-wide and unlocked, so threads "
    "would share and race on each other's tensor handles). Use a child process "
    "(node:child_process) for parallel engine work.";

// Only the main thread gets past the thread check, so `owner` is read and written by it alone.
void ClaimForThisThread(Napi::Env env) {
  static napi_env owner = nullptr;
  if (!OnProcessMainThread() || (owner != nullptr && owner != static_cast<napi_env>(env))) {
    throw Napi::Error::New(env, kThreadRule);
  }
  owner = env;
}
}  // namespace

AddonState& State(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

void Define(Napi::Env env, Napi::Object exports, const char* name, OpFunction fn) {
  Entries().push_back(OpEntry{name, fn});
  exports.Set(name, Napi::Function::New(env, Dispatch, name, &Entries().back()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ClaimForThisThread(env);
  auto* state = new AddonState();
  env.SetInstanceData(state);
  RegisterRuntime(env, exports);
  RegisterTensorOps(env, exports);
  RegisterMathOps(env, exports);
  RegisterNnOps(env, exports);
  RegisterProcessGroup(env, exports);
  return exports;
}

}  // namespace pemn

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return pemn::Init(env, exports); }

NODE_API_MODULE(pemn_native, InitModule)
