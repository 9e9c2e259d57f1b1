// mallocTrim(): hands free heap pages back to the kernel (glibc malloc_trim(0), which since
// glibc 2.8 also releases whole free pages inside every arena with MADV_DONTNEED, not only the
// top of the main heap). glibc keeps freed memory for reuse; on a controller with a fixed RSS
// budget the daemon calls this after start-up and then periodically (src/app/memoryTrim.ts).
// Returns true when memory was released. Elsewhere (non-glibc) it does nothing.
#include <napi.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kabosu {

Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

void InitMemory(Napi::Env env, Napi::Object exports) { exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim)); }

}  // namespace kabosu
