#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "drivers/bridge/anim_link_router.h"
#include "drivers/bridge/datagram_queue.h"
#include "drivers/ipc/socket_interposer.h"
#include "drivers/ipc/unix_datagram_socket.h"
#include "platform/log/logger.h"

namespace vic_r1::bridge {

struct AnimBridgeCounters {
  std::uint64_t engine_to_anim = 0;          // forwarded
  std::uint64_t anim_to_engine = 0;          // forwarded
  std::uint64_t dropped_engine_to_anim = 0;  // the anim side's queue and ours were both full
  std::uint64_t dropped_anim_to_engine = 0;  // likewise towards the engine
  std::uint64_t anim_to_no_engine = 0;       // arrived while no engine was connected
  std::uint64_t dropped_agent = 0;           // the agent's messages that congestion turned away
  std::uint64_t cut_datagrams = 0;           // larger than our buffer (never seen on a robot)
  std::uint64_t engine_connections = 0;
  std::uint64_t anim_connections = 0;
  std::uint64_t refused_senders = 0;  // a datagram from a sender that is not our engine
};

// Sits between vic-engine and vic-anim on _engine_anim_server_0.
//
// Engine side: our socket takes the server's path; like vic-anim, it connects
// back to the first sender, so the kernel refuses every other process (EPERM)
// and the one-client rule holds. Anim side: our client socket connects to
// vic-anim's socket (moved aside) and greets it with ANKICONN, so vic-anim
// connects back to us and sends RobotAvailable, which we keep and hand to
// each engine that connects (the engine ignores all traffic until it has it).
//
// Every datagram is forwarded unchanged, in order, at once, from one fixed
// buffer. When a peer's queue is full the datagram waits in a fixed queue;
// the agent's messages are never queued, so under congestion they are the
// first to go. Nothing here blocks.
class AnimBridge final : public AnimLinkSink {
 public:
  static constexpr std::string_view kServerName = "_engine_anim_server_0";
  static constexpr std::string_view kAsideSuffix = ".vic-anim";
  // Our sockets: where vic-engine's datagrams arrive (linked at kServerName)
  // and the one vic-anim sees as its client.
  static constexpr std::string_view kOurServerName = "vic-r1.engine_anim_server";
  static constexpr std::string_view kOurClientName = "vic-r1.engine_anim_client";
  static constexpr std::size_t kQueueSlots = 256;

  AnimBridge(const std::string& socket_directory, FirmwareExpectation firmware, logging::Logger log);
  ~AnimBridge() override;

  // Binds our two sockets under private names. False (with `error`) when
  // the directory is unusable.
  bool open(std::string& error);

  // Call when something changed in the socket directory (and on start, and
  // on a slow timer): takes the server path when vic-anim has bound it,
  // notices an anim restart and a new engine client path.
  void on_directory_change(std::string_view name);

  // Both sockets as poll() entries, asking only for what the bridge can
  // take now; and what poll() found on them handled, room before datagrams.
  void poll_entries(pollfd& engine, pollfd& anim) const;
  void on_poll(const pollfd& engine, const pollfd& anim);

  void on_engine_readable();
  void on_anim_readable();
  void on_engine_writable() { flush(to_engine_queue_, engine_socket_, true); }
  void on_anim_writable() { flush(to_anim_queue_, anim_socket_, false); }
  void on_tick(std::uint64_t now_ms);

  // Wires the router's events to the agent (set by the bridge service).
  void set_agent_event_sink(std::function<void(const channel::Event&)> sink) {
    agent_event_sink_ = std::move(sink);
  }

  AnimLinkRouter& router() { return router_; }
  int engine_fd() const { return engine_socket_.fd(); }
  int anim_fd() const { return anim_socket_.fd(); }
  // A side with datagrams waiting for it is polled for room, and the other
  // side is not read until they are out (back-pressure, as with no bridge).
  bool wants_engine_writable() const { return !to_engine_queue_.empty(); }
  bool wants_anim_writable() const { return !to_anim_queue_.empty(); }
  bool wants_engine_readable() const { return to_anim_queue_.empty(); }
  bool wants_anim_readable() const { return to_engine_queue_.empty(); }
  bool interposed() const { return interposer_.state() == ipc::SocketInterposer::State::kInterposed; }
  bool engine_connected() const { return engine_connected_; }
  bool anim_connected() const { return anim_connected_; }
  // vic-anim refused us: vic-engine is its client already (connected before
  // vic-r1 took the path). vic-r1 stays out of the way until that ends.
  bool anim_serves_another() const { return anim_reach_ == AnimReach::kServingAnother; }
  const AnimBridgeCounters& counters() const { return counters_; }

  // Puts vic-anim's socket back at its path (on exit).
  void restore();

  // AnimLinkSink
  bool inject_to_anim(const std::uint8_t* bytes, std::size_t size) override;
  bool queue_to_anim(const std::uint8_t* bytes, std::size_t size) override;
  void tell_agent(const channel::Event& event) override;

 private:
  enum class AnimReach { kNotTried, kGreeted, kServingAnother, kUnreachable };
  void connect_to_anim();
  void report_anim_reach(AnimReach reach, std::string_view detail);
  void accept_engine(const std::string& sender);
  void engine_gone(const char* why);
  // forward() counts; deliver() sends, or queues behind what waits, and
  // says whether the datagram is on its way.
  void forward(ipc::UnixDatagramSocket& socket, DatagramQueue& queue, const std::uint8_t* bytes, std::size_t size,
               bool to_engine);
  bool deliver(ipc::UnixDatagramSocket& socket, DatagramQueue& queue, const std::uint8_t* bytes, std::size_t size,
               bool to_engine);
  void peer_gone(bool engine);
  void flush(DatagramQueue& queue, ipc::UnixDatagramSocket& socket, bool to_engine);
  void send_robot_available();

  std::string public_path_;
  std::string our_server_path_;
  std::string our_client_path_;
  logging::Logger log_;
  ipc::SocketInterposer interposer_;
  ipc::UnixDatagramSocket engine_socket_;  // our server, where vic-engine sends
  ipc::UnixDatagramSocket anim_socket_;    // our client of vic-anim
  AnimLinkRouter router_;
  DatagramQueue to_engine_queue_;
  DatagramQueue to_anim_queue_;
  std::function<void(const channel::Event&)> agent_event_sink_;

  bool engine_connected_ = false;
  std::string engine_path_;                      // the engine client's bound path
  std::string engine_path_name_;                 // its last component, to spot a restart in the directory
  ino_t engine_path_inode_ = 0;                  // what was bound there when the engine connected
  bool anim_connected_ = false;                  // we greeted vic-anim and it did not refuse
  AnimReach anim_reach_ = AnimReach::kNotTried;  // the last attempt's outcome
  bool have_robot_available_ = false;
  std::uint64_t last_anim_attempt_ms_ = 0;
  std::uint64_t last_directory_look_ms_ = 0;
  std::uint64_t now_ms_ = 0;
  AnimBridgeCounters counters_;
  std::uint8_t buffer_[clad::kMaxAnimDatagramBytes * 2];
};

}  // namespace vic_r1::bridge
