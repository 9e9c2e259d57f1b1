// setThreadPolicy(tid, policy): sched_setscheduler(2) on one thread of this process, with
// policy "normal" (SCHED_OTHER), "batch" (SCHED_BATCH) or "idle" (SCHED_IDLE).
//
// Why: the event loop thread owns the share path (nonce -> mining.submit). V8's background
// workers (concurrent compile and GC), libuv's threadpool and the UART reader threads are woken
// by it; under CFS/EEVDF a freshly woken thread of the same policy may preempt its waker on the
// waker's CPU, and the event loop then waits ~0.5-1 ms for a compile job to finish
// (perf sched, docs/performance.md). A SCHED_BATCH thread never preempts on wake-up but keeps
// its full CPU share. src/app/helperThreads.ts applies "batch" to every thread but the loop.
//
// Returns true when set, false when the thread is not (or no longer) one of this process's;
// other errors throw.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#if defined(__linux__)
#include <sched.h>
#include <unistd.h>
#endif

namespace kabosu {

namespace {

Napi::Value Fail(Napi::Error e) {
  e.ThrowAsJavaScriptException();
  return e.Env().Undefined();
}

}  // namespace

Napi::Value SetThreadPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    return Fail(Napi::TypeError::New(env, "setThreadPolicy(tid: number, policy: 'normal' | 'batch' | 'idle')"));
  }
  const int64_t tid = info[0].As<Napi::Number>().Int64Value();
  const std::string name = info[1].As<Napi::String>().Utf8Value();
  if (tid <= 0 || tid > 0x3fffffff) return Fail(Napi::RangeError::New(env, "setThreadPolicy: tid must be a positive thread id"));
#if defined(__linux__)
  int policy;
  if (name == "normal") {
    policy = SCHED_OTHER;
  } else if (name == "batch") {
    policy = SCHED_BATCH;
  } else if (name == "idle") {
    policy = SCHED_IDLE;
  } else {
    return Fail(Napi::RangeError::New(env, "setThreadPolicy: policy must be 'normal', 'batch' or 'idle', not '" + name + "'"));
  }
  // Only threads of this process: a tid from elsewhere is refused as if it were gone.
  const std::string own = "/proc/self/task/" + std::to_string(tid);
  if (access(own.c_str(), F_OK) != 0) return Napi::Boolean::New(env, false);
  struct sched_param p;
  std::memset(&p, 0, sizeof p);
  if (sched_setscheduler((pid_t)tid, policy, &p) == 0) return Napi::Boolean::New(env, true);
  if (errno == ESRCH) return Napi::Boolean::New(env, false);
  return Fail(Napi::Error::New(env, "setThreadPolicy: sched_setscheduler(" + std::to_string(tid) + ", " + name + "): " + std::strerror(errno)));
#else
  (void)tid;
  (void)name;
  return Napi::Boolean::New(env, false);
#endif
}

void InitSched(Napi::Env env, Napi::Object exports) { exports.Set("setThreadPolicy", Napi::Function::New(env, SetThreadPolicy)); }

}  // namespace kabosu
