// UartReader: a chain UART read on its own thread, which frames the chips' replies, hashes every
// nonce frame (scrypt, or scrypt-sim's scrypt + SHA-256) as soon as it is read, and wakes the
// event loop only when JavaScript must act now:
//   - a nonce whose hash meets the job's "urgent" target (the pool's share target),
//   - any other frame (register replies: the driver is waiting for them), bytes that do not
//     frame (noise), a nonce for a job id the reader has no header for,
//   - a read error or end of file.
// Everything else (ticket-level nonces: hashrate statistics only) is held and delivered at most
// `lazyMs` after the first held byte, with the hashes already computed. JavaScript still gets
// every byte verbatim, in order, and frames it itself (src/chips/responseParser.ts); the hashes
// come alongside as records it matches to the frames it parses. So this is an accelerator with
// a wake-up policy, never a second source of truth: a frame the reader misreads just arrives
// without a hash and is verified the ordinary way.
//
// Why: on the event loop each nonce costs a loop wake-up (measured ~0.1 ms of CPU in the
// 2-core VM, against ~25 us for a thread blocked in poll()), the hash (~0.17 ms) and ~40 us of
// JavaScript. Here the thread pays its wake-up and the hash, and the loop runs once per batch.
#include <napi.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include "scrypt.h"
#include "sha256.h"

namespace kabosu {

namespace {

double monoNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

// CRC5 (x^5 + x^2 + 1, init 0x1f, MSB first) over a bit count: src/chips/common/crc.ts.
uint8_t crc5Bits(const uint8_t* b, int bits) {
  uint8_t reg = 0x1f;
  for (int i = 0; i < bits; i++) {
    const int bit = (b[i >> 3] >> (7 - (i & 7))) & 1;
    const int fb = ((reg >> 4) & 1) ^ bit;
    reg = (reg << 1) & 0x1f;
    if (fb) reg ^= 0x05;
  }
  return reg;
}

// Little-endian 256-bit numbers: a <= b.
bool leq256(const uint8_t* a, const uint8_t* b) {
  for (int i = 31; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return true;
}

struct FrameSpec {
  int length = 0;
  uint8_t preamble[2] = {0, 0};
  int preambleLength = 0;
  int crcStart = 0, crcBits = 0, crcByte = 0;
  int flagByte = 0;
  uint8_t flagMask = 0, flagValue = 0;
  int nonceOffset = 0;
  int jobByte = 0;
  uint8_t jobMask = 0;
  int jobShift = 0;
  bool sim = false;  // scrypt-sim instead of scrypt
  double lazyNs = 100e6;
};

struct Job {
  bool set = false;
  uint8_t header[80];
  uint8_t urgent[32];
  uint32_t gen = 0;
};

// One record per hashed nonce frame, delivered next to the bytes (src/hal/linux/uartReader.ts).
constexpr size_t kRecord = 56;  // u32 nonce, u32 wire job, u32 gen, u32 flags, hash[32], f64 read time
constexpr uint32_t kUrgent = 1;

struct Delivery {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> records;
  std::string error;
};

// scrypt-sim (src/pow/scryptSim.ts): base = scrypt(header, nonce field zeroed); d = sha256(base
// || LE32(nonce without its check byte)); a wrong check byte gives all ones, else LE256(d) >> s.
void simHash(const ScryptPath* path, const uint8_t header[80], uint32_t nonce, uint8_t out[32]) {
  uint8_t z[80];
  memcpy(z, header, 76);
  memset(z + 76, 0, 4);
  uint8_t base[32];
  scrypt_batch(z, 1, base, path);
  const uint32_t noCheck = nonce & ~0x0000ff00u;
  uint8_t msg[36];
  memcpy(msg, base, 32);
  msg[32] = noCheck & 0xff;
  msg[33] = (noCheck >> 8) & 0xff;
  msg[34] = (noCheck >> 16) & 0xff;
  msg[35] = (noCheck >> 24) & 0xff;
  Sha256 s;
  s.update(msg, 36);
  uint8_t d[32];
  s.final(d);
  if (((nonce >> 8) & 0xff) != d[0]) {
    memset(out, 0xff, 32);
    return;
  }
  const int shift = nonce & 0x7f;
  const int bytes = shift >> 3, bits = shift & 7;
  for (int i = 0; i < 32; i++) {
    const int src = i + bytes;
    const unsigned lo = src < 32 ? d[src] : 0;
    const unsigned hi = src + 1 < 32 ? d[src + 1] : 0;
    out[i] = (uint8_t)(bits == 0 ? lo : ((lo >> bits) | (hi << (8 - bits))) & 0xff);
  }
}

int intProp(Napi::Object o, const char* k, int dflt = 0) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}

}  // namespace

// new UartReader(fd, onData(bytes | null, records | errorMessage), spec): see the file comment.
// setJob(wireJobId, header76, urgentTarget32 | null, gen); stop() (idempotent; joins the thread;
// the fd stays open: the caller closes it).
class UartReader : public Napi::ObjectWrap<UartReader> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UartReader", {InstanceMethod("stop", &UartReader::Stop), InstanceMethod("setJob", &UartReader::SetJob)});
  }

  explicit UartReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UartReader>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsFunction() || !info[2].IsObject()) {
      Napi::TypeError::New(env, "new UartReader(fd, onData, spec) needs a file descriptor, a function and a frame spec").ThrowAsJavaScriptException();
      return;
    }
    fd_ = info[0].As<Napi::Number>().Int32Value();
    Napi::Object s = info[2].As<Napi::Object>();
    spec_.length = intProp(s, "length");
    spec_.crcStart = intProp(s, "crcStart");
    spec_.crcBits = intProp(s, "crcBits");
    spec_.crcByte = intProp(s, "crcByte");
    spec_.flagByte = intProp(s, "flagByte");
    spec_.flagMask = (uint8_t)intProp(s, "flagMask");
    spec_.flagValue = (uint8_t)intProp(s, "flagValue");
    spec_.nonceOffset = intProp(s, "nonceOffset");
    spec_.jobByte = intProp(s, "jobByte");
    spec_.jobMask = (uint8_t)intProp(s, "jobMask");
    spec_.jobShift = intProp(s, "jobShift");
    spec_.sim = s.Get("pow").IsString() && s.Get("pow").As<Napi::String>().Utf8Value() == "scrypt-sim";
    spec_.lazyNs = (double)intProp(s, "lazyMs", 100) * 1e6;
    Napi::Value pre = s.Get("preamble");
    if (pre.IsArray()) {
      Napi::Array a = pre.As<Napi::Array>();
      spec_.preambleLength = (int)std::min<uint32_t>(2, a.Length());
      for (int i = 0; i < spec_.preambleLength; i++) spec_.preamble[i] = (uint8_t)a.Get((uint32_t)i).As<Napi::Number>().Int32Value();
    }
    const int L = spec_.length;
    const bool sane = L >= 5 && L <= 64 && spec_.crcByte < L && spec_.flagByte < L && spec_.jobByte < L && spec_.nonceOffset + 4 <= L && spec_.crcStart + (spec_.crcBits + 7) / 8 <= L && spec_.crcBits > 0;
    if (!sane) {
      Napi::RangeError::New(env, "UartReader: frame spec out of range (length 5..64, every field inside the frame)").ThrowAsJavaScriptException();
      return;
    }
    // scrypt_batch with n = 1 skips to the first one-lane path: the in-block SIMD kernel.
    path_ = &available_paths().front();
    if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
      Napi::Error::New(env, std::string("pipe2: ") + strerror(errno)).ThrowAsJavaScriptException();
      return;
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "kabosu:uart-reader", 0, 1);
    Ref();  // alive while reading, even if JS drops its reference
    running_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  ~UartReader() override {
    if (wake_[0] >= 0) close(wake_[0]);
    if (wake_[1] >= 0) close(wake_[1]);
  }

 private:
  void Run() {
#if defined(__linux__)
    // SCHED_BATCH: waking on new bytes must not preempt the event loop on its CPU; the loop
    // has to run after this thread anyway (native/src/sched.cc says why).
    struct sched_param sp;
    memset(&sp, 0, sizeof sp);
    (void)sched_setscheduler(0, SCHED_BATCH, &sp);
#endif
    // `pend`: bytes read and not yet framed. Frame() moves complete frames (and noise bytes)
    // from its front into the delivery, so an urgent frame is handed over before the frames
    // read behind it are hashed. What stays in `pend` is the start of a frame still arriving;
    // its first `pendSent` bytes already went to JS (JS frames across deliveries, and the
    // frame's record comes with the delivery that completes it).
    std::vector<uint8_t> pend;
    size_t pendSent = 0;
    Delivery* cur = new Delivery;
    double firstNs = 0;  // when `cur` got its first byte
    double tailNs = 0;   // when pend's oldest unsent byte was read (0: none)
    const auto attachTail = [&]() {
      if (pend.size() <= pendSent) return;
      if (cur->bytes.empty()) firstNs = tailNs;
      cur->bytes.insert(cur->bytes.end(), pend.begin() + (ptrdiff_t)pendSent, pend.end());
      pendSent = pend.size();
      tailNs = 0;
    };
    const auto take = [&](double t) {
      // Frames what `pend` holds, sending each urgent frame at once; true if noise was seen.
      bool noise = false;
      for (;;) {
        const bool had = !cur->bytes.empty();
        const FrameResult r = Frame(pend, pendSent, t, cur);
        if (!had && !cur->bytes.empty()) firstNs = t;
        noise |= r.noise;
        if (!r.urgentFrame) break;
        Send(cur);
        cur = new Delivery;
      }
      tailNs = pend.size() <= pendSent ? 0 : (tailNs == 0 ? t : tailNs);
      return noise;
    };
    uint8_t buf[4096];
    for (;;) {
      int timeout = -1;
      double due = 0;
      if (!cur->bytes.empty()) due = firstNs + spec_.lazyNs;
      if (tailNs != 0 && (due == 0 || tailNs + spec_.lazyNs < due)) due = tailNs + spec_.lazyNs;
      if (due != 0) {
        const double left = due - monoNs();
        timeout = left <= 0 ? 0 : (int)(left / 1e6) + 1;
      }
      struct pollfd p[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      const int k = poll(p, 2, timeout);
      if (k < 0 && errno != EINTR) {
        attachTail();
        if (!cur->bytes.empty()) Send(cur), cur = new Delivery;
        cur->error = std::string("poll failed: ") + strerror(errno);
        Send(cur);
        return;
      }
      if (p[1].revents) break;  // stop()
      if (k > 0 && p[0].revents) {
        bool noise = false;
        for (;;) {
          const ssize_t n = read(fd_, buf, sizeof buf);
          if (n > 0) {
            pend.insert(pend.end(), buf, buf + n);
            noise |= take(monoNs());
            if ((size_t)n < sizeof buf) break;
            continue;
          }
          if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
          // End of file or a read error: hand over what there is, then the reason, and stop.
          attachTail();
          if (!cur->bytes.empty()) Send(cur), cur = new Delivery;
          cur->error = n == 0 ? "end of file" : std::string("read failed: ") + strerror(errno);
          Send(cur);
          return;
        }
        if (noise) attachTail();  // JS sees noise at once, a frame start after it included
        if ((noise && !cur->bytes.empty()) || cur->bytes.size() >= 16384) {
          Send(cur);
          cur = new Delivery;
          continue;
        }
      }
      const double now = monoNs();
      if ((tailNs != 0 && now - tailNs >= spec_.lazyNs) || (!cur->bytes.empty() && now - firstNs >= spec_.lazyNs)) {
        attachTail();  // not empty: one of the two holds bytes
        Send(cur);
        cur = new Delivery;
      }
    }
    // Stopping: whatever was read is still handed over (JS drops it once closed).
    attachTail();
    if (!cur->bytes.empty()) Send(cur);
    else delete cur;
  }

  struct FrameResult {
    bool urgentFrame;  // stopped right after a frame JS must see now: send, then call again
    bool noise;        // bytes that did not frame were passed over (JS must see them soon)
  };

  // Frames `pend` as src/chips/responseParser.ts does (one byte dropped per rejected start),
  // hashes nonce frames, and moves what it framed (less what JS already has) into `d`. Stops after the first frame JS must
  // see now (a share-level nonce, a register reply, an unknown job id).
  FrameResult Frame(std::vector<uint8_t>& pend, size_t& pendSent, double readNs, Delivery* d) {
    const FrameSpec& s = spec_;
    FrameResult res{false, false};
    size_t off = 0;
    while (off < pend.size()) {
      const uint8_t* b = pend.data() + off;
      const size_t avail = pend.size() - off;
      bool bad = false;
      for (int i = 0; i < s.preambleLength && (size_t)i < avail; i++) {
        if (b[i] != s.preamble[i]) {
          bad = true;
          break;
        }
      }
      if (!bad && avail < (size_t)s.length) break;
      if (bad || crc5Bits(b + s.crcStart, s.crcBits) != (b[s.crcByte] & 0x1f)) {
        off++;
        res.noise = true;
        continue;
      }
      off += s.length;
      if ((b[s.flagByte] & s.flagMask) != s.flagValue) {
        res.urgentFrame = true;  // a register reply (or a frame kind this reader does not know)
        break;
      }
      const uint32_t nonce = ((uint32_t)b[s.nonceOffset] << 24) | ((uint32_t)b[s.nonceOffset + 1] << 16) | ((uint32_t)b[s.nonceOffset + 2] << 8) | b[s.nonceOffset + 3];
      const int wire = (b[s.jobByte] & s.jobMask) >> s.jobShift;
      Job job;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        job = jobs_[wire & 0xff];
      }
      if (!job.set) {
        res.urgentFrame = true;  // unknown work: the driver counts it
        break;
      }
      // The chip's four wire bytes go verbatim into header bytes 76..79 (chips.md §5.1).
      memcpy(job.header + 76, b + s.nonceOffset, 4);
      uint8_t hash[32];
      if (s.sim) simHash(path_, job.header, nonce, hash);
      else scrypt_batch(job.header, 1, hash, path_);
      const bool now = leq256(hash, job.urgent);
      uint8_t rec[kRecord];
      const uint32_t flags = now ? kUrgent : 0;
      const uint32_t w = (uint32_t)wire;
      memcpy(rec, &nonce, 4);
      memcpy(rec + 4, &w, 4);
      memcpy(rec + 8, &job.gen, 4);
      memcpy(rec + 12, &flags, 4);
      memcpy(rec + 16, hash, 32);
      memcpy(rec + 48, &readNs, 8);
      d->records.insert(d->records.end(), rec, rec + kRecord);
      if (now) {
        res.urgentFrame = true;
        break;
      }
    }
    // Framed bytes JS has not had yet go into this delivery.
    if (off > pendSent) d->bytes.insert(d->bytes.end(), pend.begin() + (ptrdiff_t)pendSent, pend.begin() + (ptrdiff_t)off);
    pendSent = off >= pendSent ? 0 : pendSent - off;
    pend.erase(pend.begin(), pend.begin() + (ptrdiff_t)off);
    return res;
  }

  void Send(Delivery* d) {
    const napi_status st = tsfn_.NonBlockingCall(d, [](Napi::Env env, Napi::Function fn, Delivery* d) {
      if (env != nullptr && fn != nullptr) {
        if (!d->error.empty()) {
          fn.Call({env.Null(), Napi::String::New(env, d->error)});
        } else {
          // Read times become ages (ms) here, on the loop thread: JS turns them into
          // performance.now() values without sharing a clock origin with C++.
          const double now = monoNs();
          for (size_t i = 0; i + kRecord <= d->records.size(); i += kRecord) {
            double t;
            memcpy(&t, d->records.data() + i + 48, 8);
            t = (now - t) / 1e6;
            memcpy(d->records.data() + i + 48, &t, 8);
          }
          Napi::Value recs = d->records.empty() ? env.Undefined() : (Napi::Value)Napi::Buffer<uint8_t>::Copy(env, d->records.data(), d->records.size());
          fn.Call({Napi::Buffer<uint8_t>::Copy(env, d->bytes.data(), d->bytes.size()), recs});
        }
      }
      delete d;
    });
    if (st != napi_ok) delete d;
  }

  Napi::Value SetJob(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsBuffer() || !info[3].IsNumber()) {
      Napi::TypeError::New(env, "setJob(wireJobId, header76, urgentTarget | null, gen)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int wire = info[0].As<Napi::Number>().Int32Value();
    auto h = info[1].As<Napi::Buffer<uint8_t>>();
    if (wire < 0 || wire > 255 || h.Length() < 76) {
      Napi::RangeError::New(env, "setJob: wire job id 0..255 and a 76-byte header").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Job j;
    j.set = true;
    memcpy(j.header, h.Data(), 76);
    memset(j.header + 76, 0, 4);
    if (info[2].IsBuffer() && info[2].As<Napi::Buffer<uint8_t>>().Length() == 32) memcpy(j.urgent, info[2].As<Napi::Buffer<uint8_t>>().Data(), 32);
    else memset(j.urgent, 0xff, 32);  // no target known: every nonce is delivered at once
    j.gen = (uint32_t)info[3].As<Napi::Number>().Int64Value();
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_[wire] = j;
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (running_) {
      running_ = false;
      const char c = 1;
      ssize_t ignored = write(wake_[1], &c, 1);
      (void)ignored;
      if (thread_.joinable()) thread_.join();
      tsfn_.Release();
      Unref();
    }
    return info.Env().Undefined();
  }

  int fd_ = -1;
  int wake_[2] = {-1, -1};
  FrameSpec spec_;
  const ScryptPath* path_ = nullptr;
  std::mutex mutex_;
  Job jobs_[256];
  std::thread thread_;
  std::atomic<bool> running_{false};
  Napi::ThreadSafeFunction tsfn_;
};

void InitUartReader(Napi::Env env, Napi::Object exports) {
  exports.Set("UartReader", UartReader::Define(env));
}

}  // namespace kabosu
