#include <deque>

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
  } catch (const c10::Error& error) {
    ThrowEngineError(info.Env(), entry->name, "torch", error.what_without_backtrace());
  } catch (const std::exception& error) {
    ThrowEngineError(info.Env(), entry->name, "torch", error.what());
  }
}
}  // namespace

AddonState& State(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

void Define(Napi::Env env, Napi::Object exports, const char* name, OpFunction fn) {
  Entries().push_back(OpEntry{name, fn});
  exports.Set(name, Napi::Function::New(env, Dispatch, name, &Entries().back()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
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
