// c10d process groups: TCPStore rendezvous, then Gloo collectives (NCCL when libtorch was
// built with CUDA). Every blocking call waits at most the group's timeout, so a lost peer
// becomes an error, never a hang; a heartbeat in the store names the rank that was lost.
// PEMN_WITH_GLOO and PEMN_WITH_NCCL say which groups' headers the build found (PyTorch's
// wheels ship no Gloo headers: such a build has NCCL alone).
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef PEMN_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include <torch/version.h>
#ifdef PEMN_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "addon.h"

namespace pemn {

namespace {
using std::chrono::milliseconds;

// The Gloo and NCCL groups derive from c10d::ProcessGroup in libtorch 1.x; from 2.0 on they
// are c10d::Backends (which a c10d::ProcessGroup dispatches to by device), with the same
// collectives. The addon drives one backend directly either way.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif

constexpr milliseconds kHeartbeatPeriod{200};
// A rank whose heartbeat did not move in this window is taken as lost.
constexpr milliseconds kHeartbeatWindow{1200};

std::string HeartbeatKey(int rank) { return "pemn/heartbeat/" + std::to_string(rank); }

// Beats in the store from its own client connection, off the JavaScript thread.
class Heartbeat {
 public:
  Heartbeat(const std::string& host, const c10d::TCPStoreOptions& client_options, int rank) {
    store_ = c10::make_intrusive<c10d::TCPStore>(host, client_options);
    thread_ = std::thread([this, rank] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        try {
          store_->add(HeartbeatKey(rank), 1);
        } catch (const std::exception&) {
          return;  // the store is gone: the collectives will say so
        }
        lock.lock();
        wake_.wait_for(lock, kHeartbeatPeriod, [this] { return stopping_; });
      }
    });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // Ranks (other than `self`) whose counter did not move within the window; -1 when the
  // store itself cannot be reached (then rank 0, its host, is the one lost).
  std::vector<int> LostRanks(int world_size, int self) {
    try {
      std::vector<int64_t> before = Counters(world_size);
      std::this_thread::sleep_for(kHeartbeatWindow);
      std::vector<int64_t> after = Counters(world_size);
      std::vector<int> lost;
      for (int rank = 0; rank < world_size; rank++) {
        if (rank != self && after[rank] == before[rank]) lost.push_back(rank);
      }
      return lost;
    } catch (const std::exception&) {
      return {-1};
    }
  }

 private:
  std::vector<int64_t> Counters(int world_size) {
    std::vector<int64_t> counters(world_size, 0);
    for (int rank = 0; rank < world_size; rank++) {
      // add(key, 0) reads without blocking, even for a rank that never beat.
      counters[rank] = store_->add(HeartbeatKey(rank), 0);
    }
    return counters;
  }

  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

struct Group {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<Collectives> group;
  std::unique_ptr<Heartbeat> heartbeat;
  int rank;
  int world_size;
  milliseconds timeout;
};

// Never destroyed at exit: a group's destructor joins threads that may wait on dead peers.
std::map<int64_t, Group>& Groups() {
  static auto* groups = new std::map<int64_t, Group>();
  return *groups;
}
int64_t next_group_id = 1;

Group& GetGroup(Args& a, size_t i) {
  int64_t id = a.integer(i);
  auto found = Groups().find(id);
  if (found == Groups().end()) {
    throw std::invalid_argument("process group " + std::to_string(id) + " was destroyed or never created");
  }
  return found->second;
}

// Runs one collective to completion; any failure becomes a CollectiveFailure naming the op
// and, when the heartbeat shows it, the rank that was lost.
void Complete(Group& g, const char* op, const std::function<c10::intrusive_ptr<c10d::Work>()>& start) {
  std::string message;
  try {
    c10::intrusive_ptr<c10d::Work> work = start();
    if (work->wait(g.timeout)) return;
    message = "did not complete";
  } catch (const c10::Error& error) {
    message = error.what_without_backtrace();
  } catch (const std::exception& error) {
    message = error.what();
  }
  std::vector<int> lost = g.heartbeat ? g.heartbeat->LostRanks(g.world_size, g.rank) : std::vector<int>{};
  int lost_rank = lost.empty() ? -2 : lost.front();
  std::string who;
  if (lost_rank == -1) {
    lost_rank = 0;
    who = "; the store on rank 0 cannot be reached: rank 0 was lost";
  } else if (lost_rank >= 0) {
    who = "; rank " + std::to_string(lost_rank) + " was lost (its heartbeat stopped)";
    for (size_t k = 1; k < lost.size(); k++) who += ", rank " + std::to_string(lost[k]) + " too";
  } else {
    who = " (timeout " + std::to_string(g.timeout.count()) +
          " ms; every rank's heartbeat goes on: a peer is alive but did not join, or calls collectives in another order)";
  }
  throw CollectiveFailure(
      "rank " + std::to_string(g.rank) + " of " + std::to_string(g.world_size) + ": " + message + who,
      lost_rank >= 0 ? lost_rank : -1);
}

// One flat buffer per call: one collective instead of one per tensor.
at::Tensor Flatten(const std::vector<at::Tensor>& tensors, const char* op) {
  if (tensors.empty()) throw std::invalid_argument("needs at least one tensor");
  std::vector<at::Tensor> flat;
  flat.reserve(tensors.size());
  for (const at::Tensor& t : tensors) {
    if (t.scalar_type() != tensors[0].scalar_type()) {
      throw std::invalid_argument(std::string("all tensors must share one dtype (") + DtypeName(tensors[0].scalar_type()) +
                                  " and " + DtypeName(t.scalar_type()) + " given)");
    }
    flat.push_back(t.detach().reshape({-1}));
  }
  return flat.size() == 1 ? flat[0].clone() : at::cat(flat);
}

void Unflatten(const at::Tensor& flat, std::vector<at::Tensor>& tensors) {
  at::NoGradGuard no_grad;
  int64_t offset = 0;
  for (at::Tensor& t : tensors) {
    int64_t n = t.numel();
    t.detach().copy_(flat.slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

double SumInPlace(Group& g, const char* op, at::Tensor& flat) {
  Complete(g, op, [&] {
    std::vector<at::Tensor> buffers{flat};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;  // Gloo has no AVG: averages divide after
    options.timeout = g.timeout;
    return g.group->allreduce(buffers, options);
  });
  return static_cast<double>(flat.numel() * flat.element_size());
}

// all_reduce(sum) whose backward is all_reduce(sum) of the gradient: each rank's input
// feeds every rank's output (torch.distributed.nn.functional.all_reduce does the same).
struct DifferentiableSum : public torch::autograd::Function<DifferentiableSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, int64_t group_id) {
    ctx->saved_data["group"] = group_id;
    Group& g = Groups().at(group_id);
    at::Tensor result = input.detach().contiguous().clone();
    SumInPlace(g, "allReduceWithGrad", result);
    return result;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto found = Groups().find(ctx->saved_data["group"].toInt());
    if (found == Groups().end()) throw std::invalid_argument("the process group was destroyed before backward");
    at::Tensor grad = grads[0].contiguous().clone();
    SumInPlace(found->second, "allReduceWithGrad (backward)", grad);
    return {grad, at::Tensor()};
  }
};

#ifdef PEMN_WITH_GLOO
std::shared_ptr<::gloo::transport::Device> GlooDevice(const std::string& spec) {
  const std::string interface = "interface:", hostname = "hostname:";
  if (spec.rfind(interface, 0) == 0) return c10d::ProcessGroupGloo::createDeviceForInterface(spec.substr(interface.size()));
  if (spec.rfind(hostname, 0) == 0) return c10d::ProcessGroupGloo::createDeviceForHostname(spec.substr(hostname.size()));
  if (spec == "default") return c10d::ProcessGroupGloo::createDefaultDevice();
  throw std::invalid_argument("device must be 'default', 'hostname:<address>' or 'interface:<name>', got '" + spec + "'");
}
#endif

std::string Rendezvous(const std::string& host, int port, int rank, int world_size) {
  return "rendezvous at " + host + ":" + std::to_string(port) + " (rank " + std::to_string(rank) + " of " +
         std::to_string(world_size) + ")";
}

// Every rank checks its world size against rank 0's, so a mismatch is named, not waited on.
void CheckWorldSize(c10d::TCPStore& store, int rank, int world_size, milliseconds timeout) {
  std::string size = std::to_string(world_size);
  if (rank == 0) store.set("pemn/world_size", std::vector<uint8_t>(size.begin(), size.end()));
  store.wait({"pemn/world_size"}, timeout);
  std::vector<uint8_t> value = store.get("pemn/world_size");
  std::string expected(value.begin(), value.end());
  if (expected != size) {
    throw std::runtime_error("rank " + std::to_string(rank) + " was started with world size " + size +
                             ", rank 0 with " + expected);
  }
}
// Whether rank 0's store listens on the master's address only. libtorch 1.13's TCPStore
// listens on every interface (and has no option to do otherwise), which exposes an
// unauthenticated store to the network even for a local run on 127.0.0.1; from 2.x a server
// can take over a socket bound by the caller (TCPStoreOptions::masterListenFd). The gate is
// 2.6, the release whose headers scripts/check-libtorch2.sh compiles against; older 2.x may
// have the fields too, unchecked, and keep the 1.13 behaviour.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 6)
#define PEMN_STORE_BINDS_MASTER 1
// A listening socket on host:port (the first of host's addresses that binds), for the store
// to take over; the store owns it from then on.
int ListenOn(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (status != 0) throw std::runtime_error("cannot resolve " + host + ": " + gai_strerror(status));
  std::string error = "no address";
  int fd = -1;
  for (addrinfo* address = found; address != nullptr && fd < 0; address = address->ai_next) {
    fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, address->ai_addr, address->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error("cannot listen on " + host + ":" + service + ": " + error);
  return fd;
}
#endif

// Meets the store within the timeout. TCPStore's own waits can overrun it, and a client
// that reached a listener which is not a store waits for an answer forever: the meeting
// runs on its own thread, which is left behind (with its socket) when the deadline passes.
c10::intrusive_ptr<c10d::TCPStore> MeetStore(const std::string& host, const c10d::TCPStoreOptions& options, int rank,
                                             int world_size) {
  auto meeting = std::make_shared<std::packaged_task<c10::intrusive_ptr<c10d::TCPStore>()>>([=] {
    auto store = c10::make_intrusive<c10d::TCPStore>(host, options);
    CheckWorldSize(*store, rank, world_size, options.timeout);
    return store;
  });
  std::future<c10::intrusive_ptr<c10d::TCPStore>> met = meeting->get_future();
  std::thread([meeting] { (*meeting)(); }).detach();
  if (met.wait_for(options.timeout) != std::future_status::ready) {
    throw std::runtime_error("no complete group met within " + std::to_string(options.timeout.count()) +
                             " ms (a rank missing, a wrong world size, or a program that is not a pemn store on the port)");
  }
  return met.get();
}
}  // namespace

void RegisterProcessGroup(Napi::Env env, Napi::Object exports) {
  // (rank, worldSize, host, port, timeoutMs, backend, device) -> group id
  Define(env, exports, "processGroupInit", [](Args& a) -> Napi::Value {
    int64_t rank = a.integer(0), world_size = a.integer(1);
    std::string host = a.string(2);
    int64_t port = a.integer(3), timeout_ms = a.integer(4);
    std::string backend = a.string(5), device = a.string(6);
    if (world_size < 1) throw std::invalid_argument("worldSize must be at least 1, got " + std::to_string(world_size));
    if (rank < 0 || rank >= world_size) {
      throw std::invalid_argument("rank must be in [0, " + std::to_string(world_size) + "), got " + std::to_string(rank));
    }
    if (port < 1 || port > 65535) throw std::invalid_argument("port must be in [1, 65535], got " + std::to_string(port));
    if (timeout_ms < 1) throw std::invalid_argument("timeoutMs must be positive");
    if (backend != "gloo" && backend != "nccl") throw std::invalid_argument("backend must be 'gloo' or 'nccl', got '" + backend + "'");
#ifndef PEMN_WITH_NCCL
    if (backend == "nccl") throw std::invalid_argument("backend 'nccl' needs libtorch built with CUDA and NCCL; this one has neither");
#endif
#ifndef PEMN_WITH_GLOO
    if (backend == "gloo") {
      throw std::invalid_argument(
          "backend 'gloo': this addon was built without Gloo's headers (PyTorch's wheels ship none; "
          "apt-get install -y libgloo-dev and rebuild), use 'nccl'");
    }
#endif
    Group g;
    g.rank = static_cast<int>(rank);
    g.world_size = static_cast<int>(world_size);
    g.timeout = milliseconds(timeout_ms);
    std::string where = Rendezvous(host, static_cast<int>(port), g.rank, g.world_size);
    try {
      c10d::TCPStoreOptions options;
      options.port = static_cast<uint16_t>(port);
      options.isServer = rank == 0;
      options.numWorkers = static_cast<size_t>(world_size);
      options.waitWorkers = true;
      options.timeout = g.timeout;
#ifdef PEMN_STORE_BINDS_MASTER
      if (options.isServer) {
        options.masterListenFd = ListenOn(host, static_cast<int>(port));
        // libtorch's classic server takes the socket over; its libuv server (2.6's default)
        // gained masterListenFd support only later (pytorch#150215).
        options.useLibUV = false;
      }
#endif
      g.store = MeetStore(host, options, g.rank, g.world_size);
      c10d::TCPStoreOptions client = options;
      client.isServer = false;
#ifdef PEMN_STORE_BINDS_MASTER
      client.masterListenFd.reset();
#endif
      client.waitWorkers = false;
      g.heartbeat = std::make_unique<Heartbeat>(host, client, g.rank);
      if (backend == "gloo") {
#ifdef PEMN_WITH_GLOO
        auto gloo = c10d::ProcessGroupGloo::Options::create(g.timeout);
        gloo->devices.push_back(GlooDevice(device));
        g.group = c10::make_intrusive<c10d::ProcessGroupGloo>(g.store, g.rank, g.world_size, gloo);
#endif
      } else {
#ifdef PEMN_WITH_NCCL
        auto nccl = c10d::ProcessGroupNCCL::Options::create();
        nccl->timeout = g.timeout;
        g.group = c10::make_intrusive<c10d::ProcessGroupNCCL>(g.store, g.rank, g.world_size, nccl);
#endif
      }
    } catch (const std::invalid_argument&) {
      throw;
    } catch (const c10::Error& error) {
      throw CollectiveFailure(where + " failed: " + error.what_without_backtrace(), -1);
    } catch (const std::exception& error) {
      throw CollectiveFailure(where + " failed: " + error.what(), -1);
    }
    int64_t id = next_group_id++;
    Groups().emplace(id, std::move(g));
    return Napi::Number::New(a.env(), static_cast<double>(id));
  });
  Define(env, exports, "processGroupDestroy", [](Args& a) -> Napi::Value {
    Groups().erase(a.integer(0));  // destroying twice is harmless
    return a.env().Undefined();
  });
  // (group, tensors, "sum" | "average") -> bytes all-reduced; in place.
  Define(env, exports, "allReduce", [](Args& a) -> Napi::Value {
    Group& g = GetGroup(a, 0);
    std::vector<at::Tensor> tensors = a.tensors(1);
    std::string op = a.string(2);
    if (op != "sum" && op != "average") throw std::invalid_argument("op must be 'sum' or 'average', got '" + op + "'");
    at::Tensor flat = Flatten(tensors, a.op());
    double bytes = SumInPlace(g, a.op(), flat);
    if (op == "average") flat.div_(g.world_size);
    Unflatten(flat, tensors);
    return Napi::Number::New(a.env(), bytes);
  });
  // (group, tensor) -> a new tensor: the sum over ranks, differentiable (see DifferentiableSum).
  Define(env, exports, "allReduceWithGrad", [](Args& a) -> Napi::Value {
    int64_t id = a.integer(0);
    GetGroup(a, 0);
    return a.wrap(DifferentiableSum::apply(a.tensor(1), id));
  });
  // (group, tensors, root) -> bytes sent or received; in place.
  Define(env, exports, "broadcast", [](Args& a) -> Napi::Value {
    Group& g = GetGroup(a, 0);
    std::vector<at::Tensor> tensors = a.tensors(1);
    int64_t root = a.integer(2);
    if (root < 0 || root >= g.world_size) throw std::invalid_argument("root must be a rank, got " + std::to_string(root));
    at::Tensor flat = Flatten(tensors, a.op());
    Complete(g, a.op(), [&] {
      std::vector<at::Tensor> buffers{flat};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      options.timeout = g.timeout;
      return g.group->broadcast(buffers, options);
    });
    Unflatten(flat, tensors);
    return Napi::Number::New(a.env(), static_cast<double>(flat.numel() * flat.element_size()));
  });
  Define(env, exports, "barrier", [](Args& a) -> Napi::Value {
    Group& g = GetGroup(a, 0);
    Complete(g, a.op(), [&] {
      c10d::BarrierOptions options;
      options.timeout = g.timeout;
      return g.group->barrier(options);
    });
    return a.env().Undefined();
  });
  Define(env, exports, "storeBindsMaster", [](Args& a) -> Napi::Value {
#ifdef PEMN_STORE_BINDS_MASTER
    return Napi::Boolean::New(a.env(), true);
#else
    return Napi::Boolean::New(a.env(), false);
#endif
  });
  Define(env, exports, "collectiveBackends", [](Args& a) -> Napi::Value {
    Napi::Array backends = Napi::Array::New(a.env());
#ifdef PEMN_WITH_GLOO
    backends.Set(backends.Length(), Napi::String::New(a.env(), "gloo"));
#endif
#ifdef PEMN_WITH_NCCL
    if (at::hasCUDA()) backends.Set(backends.Length(), Napi::String::New(a.env(), "nccl"));
#endif
    return backends;
  });
}

}  // namespace pemn
