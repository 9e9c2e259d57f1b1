// kabosu native addon entry: batch scrypt on the libuv thread pool (never on the event loop),
// synchronous scrypt for benchmarks and cross-checks, the list of SIMD paths, and openpty.
#include <napi.h>
#include <string>
#include <vector>
#include "scrypt.h"
#include "sha256.h"

namespace kabosu {
Napi::Value OpenPty(const Napi::CallbackInfo& info);
Napi::Value TtySpeed(const Napi::CallbackInfo& info);
Napi::Value CloseFd(const Napi::CallbackInfo& info);
void InitUart(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
void InitSched(Napi::Env env, Napi::Object exports);
void InitSdNotify(Napi::Env env, Napi::Object exports);
void InitUartReader(Napi::Env env, Napi::Object exports);

namespace {

const ScryptPath* pathArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsString()) {
    const ScryptPath* p = find_path(info[i].As<Napi::String>().Utf8Value());
    if (!p) Napi::Error::New(info.Env(), "unknown or unsupported scrypt path '" + info[i].As<Napi::String>().Utf8Value() + "'").ThrowAsJavaScriptException();
    return p;
  }
  return &available_paths().front();
}

bool headersArg(const Napi::CallbackInfo& info, Napi::Buffer<uint8_t>* out) {
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(info.Env(), "scrypt needs a Buffer of 80-byte headers").ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::Buffer<uint8_t>>();
  if (out->Length() == 0 || out->Length() % 80 != 0) {
    Napi::RangeError::New(info.Env(), "the headers buffer length must be a positive multiple of 80, got " + std::to_string(out->Length()))
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

class ScryptWorker : public Napi::AsyncWorker {
 public:
  ScryptWorker(Napi::Env env, const uint8_t* data, size_t n, const ScryptPath* path)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), headers_(data, data + n * 80), out_(n * 32), n_(n), path_(path) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { scrypt_batch(headers_.data(), n_, out_.data(), path_); }
  void OnOK() override { deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(Env(), out_.data(), out_.size())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> headers_;
  std::vector<uint8_t> out_;
  size_t n_;
  const ScryptPath* path_;
};

// scryptBatch(headers: Buffer (n x 80), path?: string): Promise<Buffer (n x 32)>
Napi::Value ScryptBatch(const Napi::CallbackInfo& info) {
  Napi::Buffer<uint8_t> headers;
  if (!headersArg(info, &headers)) return info.Env().Undefined();
  const ScryptPath* path = pathArg(info, 1);
  if (!path) return info.Env().Undefined();
  auto* w = new ScryptWorker(info.Env(), headers.Data(), headers.Length() / 80, path);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// scryptSync(headers, path?): Buffer — blocks the caller; src/pow/native.ts uses it for batches
// within its inline budget (a lone hash is ~0.16 ms on x86-64), benchmarks and cross-checks.
Napi::Value ScryptSync(const Napi::CallbackInfo& info) {
  Napi::Buffer<uint8_t> headers;
  if (!headersArg(info, &headers)) return info.Env().Undefined();
  const ScryptPath* path = pathArg(info, 1);
  if (!path) return info.Env().Undefined();
  size_t n = headers.Length() / 80;
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), n * 32);
  scrypt_batch(headers.Data(), n, out.Data(), path);
  return out;
}

Napi::Value Paths(const Napi::CallbackInfo& info) {
  const auto& paths = available_paths();
  Napi::Array a = Napi::Array::New(info.Env(), paths.size());
  for (size_t i = 0; i < paths.size(); i++) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("name", paths[i].name);
    o.Set("lanes", paths[i].lanes);
    a.Set(i, o);
  }
  return a;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitUart(env, exports);
  InitMemory(env, exports);
  InitSched(env, exports);
  InitSdNotify(env, exports);
  InitUartReader(env, exports);
  exports.Set("scryptBatch", Napi::Function::New(env, ScryptBatch));
  exports.Set("scryptSync", Napi::Function::New(env, ScryptSync));
  exports.Set("paths", Napi::Function::New(env, Paths));
  exports.Set("openpty", Napi::Function::New(env, OpenPty));
  exports.Set("ttySpeed", Napi::Function::New(env, TtySpeed));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("sha256Impl", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::String::New(info.Env(), sha256_impl());
  }));
  exports.Set("abiVersion", Napi::Number::New(env, 3));
  return exports;
}

}  // namespace
}  // namespace kabosu

static Napi::Object KabosuInit(Napi::Env env, Napi::Object exports) { return kabosu::Init(env, exports); }
NODE_API_MODULE(kabosu, KabosuInit)
