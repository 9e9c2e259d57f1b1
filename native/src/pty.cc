// openpty(3) for the simulator's PTY transport: the simulator keeps the master fd, the firmware
// opens the slave path with serialport exactly as it opens a real UART. ttySpeed reads the line
// speed the slave side set (on Linux tcgetattr on the master reports the slave's termios), so
// the simulator can honour baud switches.
#include <napi.h>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace kabosu {

Napi::Value OpenPty(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int master = -1, slave = -1;
  char name[256] = {0};
  if (openpty(&master, &slave, name, nullptr, nullptr) != 0) {
    Napi::Error::New(env, std::string("openpty failed: ") + strerror(errno)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // Raw line discipline on the slave so bytes pass unchanged until the firmware configures it.
  struct termios t;
  if (tcgetattr(slave, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
  }
  // Keep the slave open in this process too, so the master never sees EIO/hangup while the
  // firmware reopens the port; the caller closes it with closeFd when done.
  fcntl(master, F_SETFD, FD_CLOEXEC);
  fcntl(slave, F_SETFD, FD_CLOEXEC);
  Napi::Object o = Napi::Object::New(env);
  o.Set("masterFd", master);
  o.Set("slaveFd", slave);
  o.Set("slavePath", std::string(name));
  return o;
}

static int speedToBaud(speed_t s) {
  switch (s) {
    case B0: return 0; case B50: return 50; case B75: return 75; case B110: return 110; case B134: return 134;
    case B150: return 150; case B200: return 200; case B300: return 300; case B600: return 600; case B1200: return 1200;
    case B1800: return 1800; case B2400: return 2400; case B4800: return 4800; case B9600: return 9600;
    case B19200: return 19200; case B38400: return 38400; case B57600: return 57600; case B115200: return 115200;
    case B230400: return 230400; case B460800: return 460800; case B500000: return 500000; case B576000: return 576000;
    case B921600: return 921600; case B1000000: return 1000000; case B1152000: return 1152000; case B1500000: return 1500000;
    case B2000000: return 2000000; case B2500000: return 2500000; case B3000000: return 3000000;
    case B3500000: return 3500000; case B4000000: return 4000000;
    default: return -1;
  }
}

Napi::Value TtySpeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "ttySpeed(fd) needs a file descriptor").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct termios t;
  if (tcgetattr(info[0].As<Napi::Number>().Int32Value(), &t) != 0) {
    Napi::Error::New(env, std::string("tcgetattr failed: ") + strerror(errno)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, speedToBaud(cfgetospeed(&t)));
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

}  // namespace kabosu
