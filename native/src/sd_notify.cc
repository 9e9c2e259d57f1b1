// sdNotify(socket, message): one datagram to systemd's notification socket (sd_notify(3)'s
// protocol without libsystemd): `socket` is $NOTIFY_SOCKET, a filesystem path or "@name" for
// the abstract namespace; `message` is "READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=...".
// src/app/systemdNotify.ts decides when. Node's dgram has no AF_UNIX datagram sockets, hence
// this. Returns true when sent; throws with the reason otherwise.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#if defined(__linux__)
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace kabosu {

namespace {

Napi::Value NotifyFail(Napi::Env env, const std::string& why) {
  Napi::Error::New(env, "sdNotify: " + why).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

Napi::Value SdNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) return NotifyFail(env, "needs (socket: string, message: string)");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const std::string msg = info[1].As<Napi::String>().Utf8Value();
#if defined(__linux__)
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() < 2 || path.size() >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) {
    return NotifyFail(env, "the socket must be an absolute path or @abstract name shorter than " + std::to_string(sizeof addr.sun_path) + " bytes");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  const socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return NotifyFail(env, std::string("socket: ") + std::strerror(errno));
  const ssize_t n = sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, (struct sockaddr*)&addr, len);
  const int err = errno;
  close(fd);
  if (n < 0) return NotifyFail(env, "sendto " + path + ": " + std::strerror(err));
  return Napi::Boolean::New(env, (size_t)n == msg.size());
#else
  (void)path;
  (void)msg;
  return Napi::Boolean::New(env, false);
#endif
}

void InitSdNotify(Napi::Env env, Napi::Object exports) { exports.Set("sdNotify", Napi::Function::New(env, SdNotify)); }

}  // namespace kabosu
