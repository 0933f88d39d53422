// One-way latency of the engine<->anim link, and the CPU the bridge spends on
// it. This one process plays both vic-anim and vic-engine, each with its own
// socket and the firmware's socket rules (AF_UNIX, SOCK_DGRAM, non-blocking,
// 256 KiB buffers; anim binds _engine_anim_server_0 and connects back to its
// first sender; the engine binds _engine_anim_client_0, connects, sends
// ANKICONN and waits for RobotAvailable). Between the two there is either
// nothing (the direct path, the baseline) or a bridge already started on the
// same directory (`vic-r1 run`), which must interpose on anim's socket and
// greet it before our engine connects.
//
// Timed datagrams carry the CLOCK_MONOTONIC time of their send() at a fixed
// offset; the receiving side takes the time again as soon as recv() returns.
// Both sides live in this process, so one clock serves both ends. Every
// datagram has a real tag and the real size of its message (the bridge reads
// tags and sizes to route; the firmware drops a datagram whose size is
// wrong); the small ones (AnimationState, MicDataState, track locks) have no
// room for a time and travel as load only.
//
// Phases:
//   idle        (bridge only) no traffic: the bridge's own timers' CPU cost;
//   robot rates anim->engine RobotState 33 Hz + MicDirection 100 Hz (timed),
//               AnimationState 15 Hz + MicDataState 30 Hz (load); engine->anim
//               20 Hz of SetBackpackLights / PlayAnim / track locks, with a
//               TextToSpeechPrepare (1039 bytes) every 2 s; for --seconds;
//   bursts      --burst-size timed datagrams each way, back to back (the two
//               directions interleaved), --bursts times, the link drained in
//               between. A full socket queue makes the sender wait for room
//               and take the time again, so a figure starts when the kernel
//               took the datagram, as the bridge would see it.
//
// Prints one `name value` line per figure and judges nothing (the bench
// script sets the goals beside them). Exit status 0 when every phase ran,
// 1 when the link could not be set up or broke, 2 for bad arguments.
//
// usage: anim_bridge_latency --socket-dir DIR [--through-bridge PID]
//          [--seconds S] [--bursts N] [--burst-size N] [--idle-seconds S]
//          [--connect-timeout-seconds S]

#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr int kExitCannotMeasure = 1;
constexpr int kExitUsage = 2;

// ------------------------------------------------------------ the robot's rules

constexpr std::string_view kServerName = "_engine_anim_server_0";
constexpr std::string_view kClientName = "_engine_anim_client_0";
constexpr std::string_view kGreeting = "ANKICONN";
constexpr int kRobotSocketBufferBytes = 256 * 1024;
constexpr std::size_t kReceiveBufferBytes = 2048;  // vic-anim's and vic-engine's
constexpr std::uint8_t kTagRobotAvailable = 0xD4;

// The messages we send, with their real tags and sizes (1.8 layouts: the
// firmware's .clad files, as tests/virtual_vector/clad_layouts.py derives
// them). A timed message carries its send time, 8 bytes little-endian, at
// `time_offset`: in a field the firmware would read as a number, or in the
// zero padding of TextToSpeechPrepare's text, never in a tag or a length.
struct MessageKind {
  const char* name;
  std::uint8_t tag;
  std::size_t size;
  std::size_t time_offset;  // 0: no room for a time, load only
};

// anim -> engine
constexpr MessageKind kRobotState{"RobotState", 0xF0, 219, 1};
constexpr MessageKind kMicDirection{"MicDirection", 0xDA, 77, 1};
constexpr MessageKind kAnimationState{"AnimationState", 0xF3, 3, 0};
constexpr MessageKind kMicDataState{"MicDataState", 0xE9, 5, 0};
// engine -> anim
constexpr MessageKind kSetBackpackLights{"SetBackpackLights", 0x1E, 62, 1};
constexpr std::string_view kClipName = "anim_neutral_eyes_01";
// u32 numLoops, u32 startAt_ms, u8 tag, bool renderInEyeHue, u8 length + name
constexpr MessageKind kPlayAnim{"PlayAnim", 0x50, 1 + 4 + 4 + 1 + 1 + 1 + kClipName.size(), 1};
constexpr MessageKind kSetTrackLocks{"SetFullAnimTrackLockState", 0x51, 2, 0};
// u32 style, f32 durationScalar, f32 pitchScalar, u8 triggerMode, u8 ttsID,
// int8 text[1024]: the time goes after the text's NUL.
constexpr std::string_view kSpeechText = "Hello.";
constexpr std::size_t kSpeechTextOffset = 1 + 4 + 4 + 4 + 1 + 1;
constexpr MessageKind kTextToSpeechPrepare{"TextToSpeechPrepare", 0x92, kSpeechTextOffset + 1024,
                                           kSpeechTextOffset + kSpeechText.size() + 1};

constexpr std::array<const MessageKind*, 2> kTimedAnimToEngine{&kRobotState, &kMicDirection};
constexpr std::array<const MessageKind*, 3> kTimedEngineToAnim{&kSetBackpackLights, &kPlayAnim,
                                                               &kTextToSpeechPrepare};

template <std::size_t N>
const MessageKind* timed_kind(const std::array<const MessageKind*, N>& kinds, const std::uint8_t* bytes,
                              std::size_t size) {
  if (size == 0) return nullptr;
  for (const MessageKind* kind : kinds)
    if (kind->tag == bytes[0] && kind->size == size) return kind;
  return nullptr;
}

void put_u32(std::uint8_t* at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

void put_u64(std::uint8_t* at, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint64_t get_u64(const std::uint8_t* at) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | at[i];
  return value;
}

// A datagram of `kind`, its payload plausible enough for the bridge's
// decoders (which read PlayAnim and TextToSpeechPrepare to track ids).
std::vector<std::uint8_t> make_datagram(const MessageKind& kind) {
  std::vector<std::uint8_t> bytes(kind.size, 0);
  bytes[0] = kind.tag;
  if (&kind == &kPlayAnim) {
    bytes[9] = 1;   // tag (changed per send)
    bytes[10] = 1;  // renderInEyeHue
    bytes[11] = static_cast<std::uint8_t>(kClipName.size());
    std::memcpy(&bytes[12], kClipName.data(), kClipName.size());
  } else if (&kind == &kTextToSpeechPrepare) {
    put_u32(&bytes[1], 1906807385u);  // style Default_Processed
    put_u32(&bytes[5], 0x3F800000u);  // durationScalar 1.0f
    bytes[13] = 2;                    // triggerMode Manual
    bytes[14] = 1;                    // ttsID (changed per send)
    std::memcpy(&bytes[kSpeechTextOffset], kSpeechText.data(), kSpeechText.size());
  } else if (&kind == &kSetTrackLocks) {
    bytes[1] = 0x01;  // HEAD
  }
  return bytes;
}

// ------------------------------------------------------------ clocks and /proc

std::uint64_t now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u + static_cast<std::uint64_t>(now.tv_nsec);
}

void sleep_until_ns(std::uint64_t deadline) {
  timespec at{};
  at.tv_sec = static_cast<time_t>(deadline / 1000000000u);
  at.tv_nsec = static_cast<long>(deadline % 1000000000u);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
  }
}

// A process's CPU time, two ways: utime + stime from /proc/PID/stat (the
// figure top and ps show, in clock ticks of 10 ms, so short phases round),
// and the sum of its threads' run time from /proc/PID/task/*/schedstat
// (nanoseconds; the same quantity, exact). A qemu-user bridge is one process
// with more than one thread, so both count every thread. schedstat also
// says how long the threads waited for a CPU after being woken, and how
// often they ran: the machine's share of the bridge's latency.
struct ProcessCpu {
  bool ok = false;
  double stat_seconds = 0;
  double schedstat_seconds = 0;
  double runqueue_wait_seconds = 0;
  unsigned long long runs = 0;
  bool has_schedstat = false;
};

ProcessCpu read_process_cpu(pid_t pid) {
  ProcessCpu cpu;
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return cpu;
  // The command name (field 2) may hold spaces and parentheses: count
  // fields from the last ')'. Then field 3 is the state; 14 utime, 15 stime.
  const std::size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return cpu;
  std::istringstream fields(stat.substr(name_end + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (number == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) return cpu;
  cpu.stat_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
  cpu.ok = true;

  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* directory = opendir(tasks.c_str())) {
    unsigned long long total_ns = 0, total_wait_ns = 0;
    bool any = false;
    while (const dirent* entry = readdir(directory)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream schedstat(tasks + "/" + entry->d_name + "/schedstat");
      unsigned long long run_ns = 0, wait_ns = 0, runs = 0;
      if (schedstat >> run_ns >> wait_ns >> runs) {
        total_ns += run_ns;
        total_wait_ns += wait_ns;
        cpu.runs += runs;
        any = true;
      }
    }
    closedir(directory);
    cpu.has_schedstat = any;
    cpu.schedstat_seconds = static_cast<double>(total_ns) * 1e-9;
    cpu.runqueue_wait_seconds = static_cast<double>(total_wait_ns) * 1e-9;
  }
  return cpu;
}

// ------------------------------------------------------------ sockets

std::string errno_text(const char* what, const std::string& path = std::string()) {
  return std::string(what) + (path.empty() ? "" : " " + path) + ": " + std::strerror(errno);
}

bool make_address(const std::string& path, sockaddr_un& address, socklen_t& length) {
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

// One of the robot's engine<->anim sockets, set up as vic-anim and
// vic-engine set up theirs.
class RobotSocket {
 public:
  RobotSocket() = default;
  RobotSocket(const RobotSocket&) = delete;
  RobotSocket& operator=(const RobotSocket&) = delete;
  ~RobotSocket() {
    if (fd_ >= 0) ::close(fd_);
    if (!bound_path_.empty()) ::unlink(bound_path_.c_str());
  }

  bool open_and_bind(const std::string& path, std::string& error) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error = errno_text("socket(AF_UNIX, SOCK_DGRAM)");
      return false;
    }
    const int size = kRobotSocketBufferBytes;
    if (::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) != 0 ||
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
      error = errno_text("setsockopt(SO_SNDBUF/SO_RCVBUF)");
      return false;
    }
    // Both firmware processes unlink before they bind: a stale file from a
    // crashed run must not stop them.
    ::unlink(path.c_str());
    sockaddr_un address;
    socklen_t length = 0;
    if (!make_address(path, address, length)) {
      error = "socket path too long: " + path;
      return false;
    }
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      error = errno_text("bind", path);
      return false;
    }
    bound_path_ = path;
    return true;
  }

  bool connect_to(const std::string& path, std::string& error) {
    sockaddr_un address;
    socklen_t length = 0;
    if (!make_address(path, address, length)) {
      error = "socket path too long: " + path;
      return false;
    }
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      error = errno_text("connect", path);
      return false;
    }
    return true;
  }

  // Sends one datagram, waiting for room when the peer's queue is full
  // (where vic-engine would give up the link and vic-anim disconnect: such
  // datagrams are counted). A timed datagram gets the time of each attempt,
  // so the figure starts when the kernel takes it. False (with `error`) when
  // the peer refused it or is gone.
  bool send(std::uint8_t* bytes, std::size_t size, std::size_t time_offset, std::string& error) {
    bool found_full = false;
    for (;;) {
      if (time_offset != 0) put_u64(bytes + time_offset, now_ns());
      if (::send(fd_, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        error = errno_text("send");
        return false;
      }
      if (!found_full) ++found_full_;
      found_full = true;
      pollfd room{fd_, POLLOUT, 0};
      if (::poll(&room, 1, 5000) == 0) {
        error = "send: the peer's queue stayed full for 5 s";
        return false;
      }
    }
  }

  // The next datagram within `timeout_ms`, with its sender's path; -1 on
  // timeout or error (with `error`).
  ssize_t receive_from(std::uint8_t* buffer, std::size_t capacity, std::string& sender, int timeout_ms,
                       std::string& error) {
    const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(timeout_ms) * 1000000u;
    for (;;) {
      sockaddr_un address;
      socklen_t length = sizeof(address);
      const ssize_t size =
          ::recvfrom(fd_, buffer, capacity, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address), &length);
      if (size >= 0) {
        sender.clear();
        if (length > offsetof(sockaddr_un, sun_path) && address.sun_path[0] != '\0')
          sender.assign(address.sun_path, strnlen(address.sun_path, length - offsetof(sockaddr_un, sun_path)));
        return size;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        error = errno_text("recvfrom");
        return -1;
      }
      const std::uint64_t now = now_ns();
      if (now >= deadline) {
        error = "nothing arrived";
        return -1;
      }
      pollfd readable{fd_, POLLIN, 0};
      ::poll(&readable, 1, static_cast<int>((deadline - now) / 1000000u) + 1);
    }
  }

  int fd() const { return fd_; }
  std::uint64_t found_full() const { return found_full_; }

 private:
  int fd_ = -1;
  std::string bound_path_;
  std::uint64_t found_full_ = 0;  // datagrams whose send met a full queue
};

// ------------------------------------------------------------ one direction

enum Direction { kAnimToEngine = 0, kEngineToAnim = 1 };
constexpr const char* kDirectionNames[] = {"anim_to_engine", "engine_to_anim"};

struct Sample {
  std::uint64_t sent_ns;
  std::uint64_t latency_ns;
};

// What arrived on one side: a thread per receiving socket takes the time
// the moment recv() returns, so neither side's sending delays the other's
// figures (vic-anim and vic-engine are separate processes too).
class Receiver {
 public:
  Receiver(RobotSocket& socket, Direction direction) : socket_(socket), direction_(direction) {
    samples_.reserve(1u << 18);
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t received() const { return received_.load(std::memory_order_acquire); }
  std::uint64_t untimed() const { return untimed_.load(std::memory_order_acquire); }
  std::uint64_t cut() const { return cut_.load(); }

  // The samples of datagrams sent in [from_ns, to_ns].
  std::vector<Sample> samples_sent_between(std::uint64_t from_ns, std::uint64_t to_ns) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Sample> chosen;
    for (const Sample& sample : samples_)
      if (sample.sent_ns >= from_ns && sample.sent_ns <= to_ns) chosen.push_back(sample);
    return chosen;
  }

 private:
  void run() {
    std::uint8_t buffer[kReceiveBufferBytes];
    while (!stop_.load()) {
      // A bounded wait, so stop() is noticed; the wake-up on a datagram is
      // the kernel's, as for the firmware's own poll loops.
      pollfd readable{socket_.fd(), POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      for (;;) {
        const ssize_t size = ::recv(socket_.fd(), buffer, sizeof(buffer), MSG_DONTWAIT | MSG_TRUNC);
        const std::uint64_t arrived = now_ns();
        if (size < 0) break;
        const auto length = static_cast<std::size_t>(size);
        if (length > sizeof(buffer)) {
          ++cut_;
        } else if (const MessageKind* kind = direction_ == kAnimToEngine
                                                 ? timed_kind(kTimedAnimToEngine, buffer, length)
                                                 : timed_kind(kTimedEngineToAnim, buffer, length)) {
          const std::uint64_t sent = get_u64(buffer + kind->time_offset);
          std::lock_guard<std::mutex> lock(mutex_);
          samples_.push_back({sent, arrived - sent});
        } else {
          // Load-only messages, and anything the link adds (a second
          // RobotAvailable, say): counted, never timed.
          untimed_.fetch_add(1, std::memory_order_relaxed);
        }
        received_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  RobotSocket& socket_;
  Direction direction_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> untimed_{0};
  std::atomic<std::uint64_t> cut_{0};
  std::mutex mutex_;
  std::vector<Sample> samples_;
};

// ------------------------------------------------------------ the harness

struct Arguments {
  std::string socket_directory;
  pid_t bridge_pid = 0;  // 0: the direct path
  double seconds = 20;
  int bursts = 10;
  int burst_size = 2000;
  double idle_seconds = 5;
  double connect_timeout_seconds = 10;
};

struct PhaseCounts {
  std::uint64_t sent[2] = {0, 0};
  std::uint64_t sent_timed[2] = {0, 0};
  // When the phase began: the receivers' untimed counts, the senders' full queues.
  std::uint64_t untimed_before[2] = {0, 0};
  std::uint64_t found_full_before[2] = {0, 0};
};

class LatencyBench {
 public:
  explicit LatencyBench(const Arguments& arguments)
      : arguments_(arguments),
        server_path_(arguments.socket_directory + "/" + std::string(kServerName)),
        client_path_(arguments.socket_directory + "/" + std::string(kClientName)),
        anim_receiver_(anim_, kEngineToAnim),
        engine_receiver_(engine_, kAnimToEngine) {}

  int run() {
    std::string error;
    if (!connect_link(error)) {
      std::fprintf(stderr, "anim_bridge_latency: cannot set up the link: %s\n", error.c_str());
      return kExitCannotMeasure;
    }
    anim_receiver_.start();
    engine_receiver_.start();
    const bool ok = measure(error);
    anim_receiver_.stop();
    engine_receiver_.stop();
    if (!ok) {
      std::fprintf(stderr, "anim_bridge_latency: %s\n", error.c_str());
      return kExitCannotMeasure;
    }
    return 0;
  }

 private:
  // --------------------------------------------------------- setting up

  bool connect_link(std::string& error) {
    const int timeout_ms = static_cast<int>(arguments_.connect_timeout_seconds * 1000);
    std::uint8_t buffer[kReceiveBufferBytes];
    std::string sender;

    // 1. vic-anim binds its server.
    if (!anim_.open_and_bind(server_path_, error)) return false;

    // 2. Through a bridge: it moves anim's socket aside, takes the path, and
    //    greets anim from its own client socket; anim takes that sender as
    //    its one client and answers RobotAvailable, which the bridge keeps
    //    for the engine.
    if (through_bridge() && !anim_accept_first_sender(buffer, timeout_ms, error)) {
      error = "the bridge (pid " + std::to_string(arguments_.bridge_pid) +
              ") did not greet vic-anim within the timeout: " + error;
      return false;
    }

    // 3. vic-engine binds its client path, connects to the server path (the
    //    bridge's socket if it took the path, anim's otherwise) and greets.
    if (!engine_.open_and_bind(client_path_, error) || !engine_.connect_to(server_path_, error)) return false;
    std::uint8_t greeting[kGreeting.size()];
    std::memcpy(greeting, kGreeting.data(), kGreeting.size());
    if (!engine_.send(greeting, sizeof(greeting), 0, error)) {
      error = "vic-engine's ANKICONN: " + error;
      return false;
    }

    // 4. Direct: anim takes the engine as its client.
    if (!through_bridge() && !anim_accept_first_sender(buffer, timeout_ms, error)) return false;

    // 5. The engine ignores everything until RobotAvailable.
    for (;;) {
      const ssize_t size = engine_.receive_from(buffer, sizeof(buffer), sender, timeout_ms, error);
      if (size < 0) {
        error = "vic-engine got no RobotAvailable: " + error;
        return false;
      }
      if (size == 1 && buffer[0] == kTagRobotAvailable) break;
    }
    std::printf("path %s\n", through_bridge() ? "bridge" : "direct");
    if (through_bridge()) std::printf("bridge_pid %d\n", static_cast<int>(arguments_.bridge_pid));
    std::printf("anim_client %s\n", anim_client_.c_str());
    return true;
  }

  bool anim_accept_first_sender(std::uint8_t* buffer, int timeout_ms, std::string& error) {
    // As vic-anim: the first datagram's sender becomes the client (an
    // unbound sender cannot be connected back to, so it is skipped).
    for (;;) {
      const ssize_t size = anim_.receive_from(buffer, kReceiveBufferBytes, anim_client_, timeout_ms, error);
      if (size < 0) return false;
      if (!anim_client_.empty()) break;
    }
    if (!anim_.connect_to(anim_client_, error)) return false;
    std::uint8_t robot_available = kTagRobotAvailable;
    return anim_.send(&robot_available, 1, 0, error);
  }

  bool through_bridge() const { return arguments_.bridge_pid != 0; }

  // --------------------------------------------------------- phases

  bool measure(std::string& error) {
    // Page faults, first wake-ups and the bridge's first look at each
    // message kind happen here, outside every figure.
    PhaseCounts warm_up;
    for (int i = 0; i < 50; ++i) {
      if (!send(kAnimToEngine, robot_state_, kRobotState, warm_up, error) ||
          !send(kEngineToAnim, backpack_lights_, kSetBackpackLights, warm_up, error))
        return false;
      sleep_until_ns(now_ns() + 2000000u);
    }
    drain();

    if (through_bridge() && arguments_.idle_seconds > 0) measure_idle();
    if (arguments_.seconds > 0 && !measure_robot_rates(error)) return false;
    if (arguments_.bursts > 0 && arguments_.burst_size > 0 && !measure_bursts(error)) return false;
    std::printf("cut_datagrams %llu\n",
                static_cast<unsigned long long>(anim_receiver_.cut() + engine_receiver_.cut()));
    return true;
  }

  void measure_idle() {
    const ProcessCpu before = read_process_cpu(arguments_.bridge_pid);
    const std::uint64_t start = now_ns();
    sleep_until_ns(start + static_cast<std::uint64_t>(arguments_.idle_seconds * 1e9));
    const ProcessCpu after = read_process_cpu(arguments_.bridge_pid);
    print_cpu("idle", before, after, now_ns() - start, 0);
  }

  // The robot's steady traffic: each stream sends on its own period, all
  // from one schedule, so coinciding ticks make the small bunches a real
  // anim tick makes.
  bool measure_robot_rates(std::string& error) {
    struct Stream {
      std::uint64_t period_ns;
      std::uint64_t next_ns;
      std::uint64_t sends;
    };
    constexpr std::uint64_t kMs = 1000000u;
    const std::uint64_t start = now_ns() + 10 * kMs;
    const std::uint64_t end = start + static_cast<std::uint64_t>(arguments_.seconds * 1e9);
    enum { kRobotStateStream, kMicDirectionStream, kAnimationStateStream, kMicDataStateStream, kEngineStream };
    Stream streams[] = {
        {30 * kMs, start, 0},       // anim -> engine RobotState, 33 Hz
        {10 * kMs, start, 0},       // anim -> engine MicDirection, 100 Hz
        {200 * kMs / 3, start, 0},  // anim -> engine AnimationState, 15 Hz
        {100 * kMs / 3, start, 0},  // anim -> engine MicDataState, each 33 ms anim tick
        {50 * kMs, start, 0},       // engine -> anim, the engine's mix, 20 Hz
    };
    PhaseCounts counts;
    begin_phase(counts);
    const ProcessCpu before = through_bridge() ? read_process_cpu(arguments_.bridge_pid) : ProcessCpu{};
    const std::uint64_t cpu_start = now_ns();
    for (;;) {
      Stream* due = &streams[0];
      for (Stream& stream : streams)
        if (stream.next_ns < due->next_ns) due = &stream;
      if (due->next_ns >= end) break;
      sleep_until_ns(due->next_ns);
      bool sent = false;
      switch (due - streams) {
        case kRobotStateStream:
          sent = send(kAnimToEngine, robot_state_, kRobotState, counts, error);
          break;
        case kMicDirectionStream:
          sent = send(kAnimToEngine, mic_direction_, kMicDirection, counts, error);
          break;
        case kAnimationStateStream:
          sent = send(kAnimToEngine, animation_state_, kAnimationState, counts, error);
          break;
        case kMicDataStateStream:
          sent = send(kAnimToEngine, mic_data_state_, kMicDataState, counts, error);
          break;
        default:
          sent = send_engine_mix(due->sends, counts, error);
          break;
      }
      if (!sent) return false;
      ++due->sends;
      due->next_ns += due->period_ns;
    }
    const ProcessCpu after = through_bridge() ? read_process_cpu(arguments_.bridge_pid) : ProcessCpu{};
    const std::uint64_t cpu_wall = now_ns() - cpu_start;
    drain();
    std::printf("robot.seconds %.2f\n", static_cast<double>(end - start) * 1e-9);
    report("robot", counts, start, end);
    if (through_bridge()) print_cpu("robot", before, after, cpu_wall, counts.sent[0] + counts.sent[1]);
    return true;
  }

  // Twenty engine messages a second: mostly lights and clips, a track lock
  // now and then, and every two seconds the largest message on the link.
  bool send_engine_mix(std::uint64_t number, PhaseCounts& counts, std::string& error) {
    if (number % 40 == 39) {
      speech_[14] = static_cast<std::uint8_t>(1 + (number / 40) % 255);  // ttsID
      return send(kEngineToAnim, speech_, kTextToSpeechPrepare, counts, error);
    }
    switch (number % 4) {
      case 1:
        play_anim_[9] = static_cast<std::uint8_t>(1 + (number / 4) % 255);  // animation tag
        return send(kEngineToAnim, play_anim_, kPlayAnim, counts, error);
      case 3:
        return send(kEngineToAnim, track_locks_, kSetTrackLocks, counts, error);
      default:
        return send(kEngineToAnim, backpack_lights_, kSetBackpackLights, counts, error);
    }
  }

  bool measure_bursts(std::string& error) {
    PhaseCounts counts;
    begin_phase(counts);
    const std::uint64_t start = now_ns();
    double cpu_seconds = 0;
    double schedstat_seconds = 0;
    bool cpu_ok = through_bridge();
    bool has_schedstat = true;
    std::uint64_t burst_wall = 0;
    for (int burst = 0; burst < arguments_.bursts; ++burst) {
      const ProcessCpu before = through_bridge() ? read_process_cpu(arguments_.bridge_pid) : ProcessCpu{};
      const std::uint64_t burst_start = now_ns();
      for (int i = 0; i < arguments_.burst_size; ++i) {
        const bool odd = (i & 1) != 0;
        if (odd) play_anim_[9] = static_cast<std::uint8_t>(1 + (i / 2) % 255);
        if (!send(kAnimToEngine, odd ? mic_direction_ : robot_state_, odd ? kMicDirection : kRobotState, counts,
                  error) ||
            !send(kEngineToAnim, odd ? play_anim_ : backpack_lights_, odd ? kPlayAnim : kSetBackpackLights, counts,
                  error))
          return false;
      }
      drain();
      burst_wall += now_ns() - burst_start;
      if (through_bridge()) {
        const ProcessCpu after = read_process_cpu(arguments_.bridge_pid);
        cpu_ok = cpu_ok && before.ok && after.ok;
        has_schedstat = has_schedstat && before.has_schedstat && after.has_schedstat;
        cpu_seconds += after.stat_seconds - before.stat_seconds;
        schedstat_seconds += after.schedstat_seconds - before.schedstat_seconds;
      }
      // A quiet gap: each burst starts on an idle link, as a real one would.
      sleep_until_ns(now_ns() + 100000000u);
    }
    report("burst", counts, start, now_ns());
    std::printf("burst.count %d\nburst.size_each_way %d\n", arguments_.bursts, arguments_.burst_size);
    std::printf("burst.wall_ms_per_burst %.2f\n", static_cast<double>(burst_wall) * 1e-6 / arguments_.bursts);
    if (cpu_ok) {
      const double datagrams = static_cast<double>(counts.sent[0] + counts.sent[1]);
      std::printf("burst.bridge_cpu_us_per_datagram %.2f\n", cpu_seconds * 1e6 / datagrams);
      if (has_schedstat)
        std::printf("burst.bridge_cpu_us_per_datagram_schedstat %.2f\n", schedstat_seconds * 1e6 / datagrams);
    }
    return true;
  }

  // --------------------------------------------------------- helpers

  bool send(Direction direction, std::vector<std::uint8_t>& bytes, const MessageKind& kind, PhaseCounts& counts,
            std::string& error) {
    RobotSocket& socket = direction == kAnimToEngine ? anim_ : engine_;
    if (!socket.send(bytes.data(), bytes.size(), kind.time_offset, error)) {
      error = std::string(kind.name) + " " + kDirectionNames[direction] + ": " + error;
      return false;
    }
    ++counts.sent[direction];
    ++sent_total_[direction];
    if (kind.time_offset != 0) ++counts.sent_timed[direction];
    return true;
  }

  // Waits until everything sent has arrived, for at most 2 s: a datagram
  // still missing then shows as "lost" in the figures.
  void drain() {
    const std::uint64_t deadline = now_ns() + 2000000000u;
    while ((anim_receiver_.received() < sent_total_[kEngineToAnim] ||
            engine_receiver_.received() < sent_total_[kAnimToEngine]) &&
           now_ns() < deadline)
      sleep_until_ns(now_ns() + 200000u);
  }

  void begin_phase(PhaseCounts& counts) {
    counts.untimed_before[kEngineToAnim] = anim_receiver_.untimed();
    counts.untimed_before[kAnimToEngine] = engine_receiver_.untimed();
    counts.found_full_before[kAnimToEngine] = anim_.found_full();
    counts.found_full_before[kEngineToAnim] = engine_.found_full();
  }

  void report(const char* phase, const PhaseCounts& counts, std::uint64_t from_ns, std::uint64_t to_ns) {
    for (int direction = 0; direction < 2; ++direction) {
      Receiver& receiver = direction == kAnimToEngine ? engine_receiver_ : anim_receiver_;
      std::vector<Sample> samples = receiver.samples_sent_between(from_ns, to_ns);
      std::vector<std::uint64_t> latencies;
      latencies.reserve(samples.size());
      for (const Sample& sample : samples) latencies.push_back(sample.latency_ns);
      std::sort(latencies.begin(), latencies.end());
      const std::string prefix = std::string(phase) + "." + kDirectionNames[direction] + ".";
      std::printf("%ssent %llu\n", prefix.c_str(), static_cast<unsigned long long>(counts.sent[direction]));
      std::printf("%stimed_sent %llu\n", prefix.c_str(),
                  static_cast<unsigned long long>(counts.sent_timed[direction]));
      std::printf("%stimed_received %zu\n", prefix.c_str(), latencies.size());
      std::printf("%slost %lld\n", prefix.c_str(),
                  static_cast<long long>(counts.sent_timed[direction]) - static_cast<long long>(latencies.size()));
      if (latencies.empty()) continue;
      // Nearest rank: the smallest figure at or above the given share.
      const auto percentile = [&latencies](double share) {
        const auto rank = static_cast<std::size_t>(std::ceil(share * static_cast<double>(latencies.size())));
        return static_cast<double>(latencies[std::max<std::size_t>(rank, 1) - 1]) * 1e-3;
      };
      std::printf("%sp50_us %.1f\n", prefix.c_str(), percentile(0.50));
      std::printf("%sp90_us %.1f\n", prefix.c_str(), percentile(0.90));
      std::printf("%sp99_us %.1f\n", prefix.c_str(), percentile(0.99));
      std::printf("%smax_us %.1f\n", prefix.c_str(), static_cast<double>(latencies.back()) * 1e-3);
      // When the worst one was sent: a maximum at the very start of a phase
      // is a cold path, one anywhere else the machine or the link stalling.
      const auto worst = std::max_element(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
        return a.latency_ns < b.latency_ns;
      });
      std::printf("%smax_at_s %.3f\n", prefix.c_str(), static_cast<double>(worst->sent_ns - from_ns) * 1e-9);
    }
    for (int direction = 0; direction < 2; ++direction) {
      const Receiver& receiver = direction == kAnimToEngine ? engine_receiver_ : anim_receiver_;
      std::printf("%s.%s.untimed_sent %llu\n", phase, kDirectionNames[direction],
                  static_cast<unsigned long long>(counts.sent[direction] - counts.sent_timed[direction]));
      std::printf("%s.%s.untimed_received %llu\n", phase, kDirectionNames[direction],
                  static_cast<unsigned long long>(receiver.untimed() - counts.untimed_before[direction]));
      const RobotSocket& sender = direction == kAnimToEngine ? anim_ : engine_;
      std::printf("%s.%s.sends_found_queue_full %llu\n", phase, kDirectionNames[direction],
                  static_cast<unsigned long long>(sender.found_full() - counts.found_full_before[direction]));
    }
  }

  void print_cpu(const char* phase, const ProcessCpu& before, const ProcessCpu& after, std::uint64_t wall_ns,
                 std::uint64_t datagrams) {
    if (!before.ok || !after.ok) {
      std::printf("%s.bridge_cpu_percent n/a\n", phase);
      return;
    }
    const double wall = static_cast<double>(wall_ns) * 1e-9;
    const double cpu = after.stat_seconds - before.stat_seconds;
    std::printf("%s.bridge_cpu_seconds %.3f\n", phase, cpu);
    std::printf("%s.bridge_cpu_percent %.3f\n", phase, 100 * cpu / wall);
    if (before.has_schedstat && after.has_schedstat) {
      const double exact = after.schedstat_seconds - before.schedstat_seconds;
      std::printf("%s.bridge_cpu_percent_schedstat %.3f\n", phase, 100 * exact / wall);
      if (datagrams > 0)
        std::printf("%s.bridge_cpu_us_per_datagram_schedstat %.2f\n", phase,
                    exact * 1e6 / static_cast<double>(datagrams));
      const unsigned long long runs = after.runs - before.runs;
      std::printf("%s.bridge_runs %llu\n", phase, runs);
      if (runs > 0) {
        std::printf("%s.bridge_cpu_us_per_run %.2f\n", phase, exact * 1e6 / static_cast<double>(runs));
        std::printf("%s.bridge_runqueue_wait_us_per_run %.2f\n", phase,
                    (after.runqueue_wait_seconds - before.runqueue_wait_seconds) * 1e6 /
                        static_cast<double>(runs));
      }
    }
  }

  const Arguments& arguments_;
  const std::string server_path_;
  const std::string client_path_;
  RobotSocket anim_;
  RobotSocket engine_;
  std::string anim_client_;   // whom anim took as its client
  Receiver anim_receiver_;    // engine -> anim arrives here
  Receiver engine_receiver_;  // anim -> engine arrives here
  std::uint64_t sent_total_[2] = {0, 0};

  std::vector<std::uint8_t> robot_state_ = make_datagram(kRobotState);
  std::vector<std::uint8_t> mic_direction_ = make_datagram(kMicDirection);
  std::vector<std::uint8_t> animation_state_ = make_datagram(kAnimationState);
  std::vector<std::uint8_t> mic_data_state_ = make_datagram(kMicDataState);
  std::vector<std::uint8_t> backpack_lights_ = make_datagram(kSetBackpackLights);
  std::vector<std::uint8_t> play_anim_ = make_datagram(kPlayAnim);
  std::vector<std::uint8_t> track_locks_ = make_datagram(kSetTrackLocks);
  std::vector<std::uint8_t> speech_ = make_datagram(kTextToSpeechPrepare);
};

// ------------------------------------------------------------ arguments

bool parse_number(const char* text, double& value) {
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text, &end);
  return errno == 0 && end != text && *end == '\0' && value >= 0;
}

bool parse_arguments(int argc, char** argv, Arguments& arguments) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "anim_bridge_latency: %s needs a value\n", argv[i]);
      return false;
    }
    const char* text = argv[++i];
    double value = 0;
    if (flag == "--socket-dir") {
      arguments.socket_directory = text;
      continue;
    }
    if (!parse_number(text, value)) {
      std::fprintf(stderr, "anim_bridge_latency: %s takes a number >= 0, not '%s'\n", argv[i - 1], text);
      return false;
    }
    if (flag == "--through-bridge") {
      arguments.bridge_pid = static_cast<pid_t>(value);
    } else if (flag == "--seconds") {
      arguments.seconds = value;
    } else if (flag == "--bursts") {
      arguments.bursts = static_cast<int>(value);
    } else if (flag == "--burst-size") {
      arguments.burst_size = static_cast<int>(value);
    } else if (flag == "--idle-seconds") {
      arguments.idle_seconds = value;
    } else if (flag == "--connect-timeout-seconds") {
      arguments.connect_timeout_seconds = value;
    } else {
      std::fprintf(stderr, "anim_bridge_latency: unexpected argument '%s'\n", argv[i - 1]);
      return false;
    }
  }
  if (arguments.socket_directory.empty()) {
    std::fprintf(stderr,
                 "usage: anim_bridge_latency --socket-dir DIR [--through-bridge PID] [--seconds S]\n"
                 "         [--bursts N] [--burst-size N] [--idle-seconds S] [--connect-timeout-seconds "
                 "S]\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  if (!parse_arguments(argc, argv, arguments)) return kExitUsage;
  return LatencyBench(arguments).run();
}
