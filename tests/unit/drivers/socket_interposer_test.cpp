// Standard and project headers before CppUTest's (its macros must not reach them).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drivers/ipc/socket_interposer.h"
#include "drivers/ipc/unix_datagram_socket.h"
#include "tests/unit/support/bound_socket.h"
#include "tests/unit/support/temporary_directory.h"

#include <CppUTest/TestHarness.h>

using vic_r1::ipc::copy_socket_permissions;
using vic_r1::ipc::SendOutcome;
using vic_r1::ipc::SocketInterposer;
using vic_r1::ipc::UnixDatagramSocket;
using vic_r1::test::TemporaryDirectory;
using vic_r1::test::bound_socket;

// Real AF_UNIX datagram sockets in a scratch directory, arranged as on the
// robot: the firmware's server (vic-engine's ai_sock), our socket under a
// private name, and the firmware's clients (vic-cloud).

namespace {

// A path where a socket was bound and closed: the file stays, nobody listens.
void make_stale_socket_file(const std::string& path) { bound_socket(path); }

bool send_text(UnixDatagramSocket& socket, const std::string& path, std::string_view text) {
  return socket.send_to(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size()) ==
         SendOutcome::kSent;
}

// The next datagram waiting at `socket`, "<nothing>" when none is.
std::string received_text(UnixDatagramSocket& socket, std::string* sender = nullptr) {
  std::uint8_t buffer[256];
  const ssize_t size = socket.receive(buffer, sizeof(buffer), sender);
  if (size < 0) return "<nothing>";
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
}

bool exists(const std::string& path) {
  struct stat status;
  return ::lstat(path.c_str(), &status) == 0;
}

ino_t inode_of(const std::string& path) {
  struct stat status;
  if (::lstat(path.c_str(), &status) != 0) FAIL(("no file at " + path).c_str());
  return status.st_ino;
}

mode_t mode_of(const std::string& path) {
  struct stat status;
  if (::lstat(path.c_str(), &status) != 0) FAIL(("no file at " + path).c_str());
  return status.st_mode & 07777;
}

}  // namespace

TEST_GROUP(SocketInterposer) {
  TemporaryDirectory directory;
  std::string public_path;
  std::string aside_path;
  std::string our_path;
  std::string client_path;
  UnixDatagramSocket ours;

  void setup() override {
    public_path = directory.file("ai_sock");
    aside_path = public_path + ".vic-engine";
    our_path = directory.file("ai_sock.vic-r1");
    client_path = directory.file("ai_sock_cp_ai");
    ours = bound_socket(our_path);
  }

  SocketInterposer make_interposer() const { return SocketInterposer(public_path, aside_path, our_path); }

  // The firmware's server at the public path, moved aside by `interposer`.
  UnixDatagramSocket interpose(SocketInterposer & interposer) {
    UnixDatagramSocket firmware = bound_socket(public_path);
    bool moved = false;
    CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
    CHECK_TRUE(moved);
    return firmware;
  }
};

TEST(SocketInterposer, WaitsWhileTheFirmwareHasNotBound) {
  SocketInterposer interposer = make_interposer();
  bool moved = true;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kWaiting);
  CHECK_FALSE(moved);
  CHECK_TRUE(interposer.state() == SocketInterposer::State::kWaiting);
  CHECK_FALSE(exists(public_path));
  CHECK_FALSE(exists(aside_path));
  STRCMP_EQUAL("", interposer.error().c_str());
}

TEST(SocketInterposer, InterposingMovesTheFirmwareSocketAsideAndLinksOurs) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket firmware = bound_socket(public_path);
  const ino_t firmware_inode = inode_of(public_path);

  bool moved = false;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
  CHECK_TRUE(moved);
  CHECK_TRUE(inode_of(public_path) == inode_of(our_path));
  CHECK_TRUE(inode_of(aside_path) == firmware_inode);
  CHECK_TRUE(SocketInterposer::socket_is_live(aside_path));
  STRCMP_EQUAL("", interposer.error().c_str());
}

TEST(SocketInterposer, ClientOfThePublicPathReachesOurSocketAndTheFirmwareStillHearsAside) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket firmware = interpose(interposer);

  UnixDatagramSocket client = bound_socket(client_path);
  std::string error;
  CHECK_TRUE_TEXT(client.connect(public_path, error), error.c_str());
  const std::string_view greeting = "ANKICONN";
  CHECK_TRUE(client.send(reinterpret_cast<const std::uint8_t*>(greeting.data()), greeting.size()) ==
             SendOutcome::kSent);

  std::string sender;
  STRCMP_EQUAL("ANKICONN", received_text(ours, &sender).c_str());
  STRCMP_EQUAL(client_path.c_str(), sender.c_str());
  STRCMP_EQUAL("<nothing>", received_text(firmware).c_str());

  // Forwarded on, the firmware receives it at the aside path.
  CHECK_TRUE(send_text(ours, aside_path, "forwarded"));
  STRCMP_EQUAL("forwarded", received_text(firmware, &sender).c_str());
  STRCMP_EQUAL(our_path.c_str(), sender.c_str());
}

TEST(SocketInterposer, UpdateWhenAlreadyInterposedChangesNothing) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket firmware = interpose(interposer);
  const ino_t aside_inode = inode_of(aside_path);

  bool moved = true;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
  CHECK_FALSE(moved);
  CHECK_TRUE(inode_of(public_path) == inode_of(our_path));
  CHECK_TRUE(inode_of(aside_path) == aside_inode);
  CHECK_TRUE(send_text(ours, aside_path, "still there"));
  STRCMP_EQUAL("still there", received_text(firmware).c_str());
}

TEST(SocketInterposer, FirmwareRestartIsTakenAgain) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket old_firmware = interpose(interposer);

  // The firmware process dies and starts again: it unlinks its path (our
  // link) and binds a new socket there.
  old_firmware.close();
  CHECK_EQUAL(0, ::unlink(public_path.c_str()));
  bool moved = true;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kWaiting);
  CHECK_FALSE(moved);

  UnixDatagramSocket new_firmware = bound_socket(public_path);
  const ino_t new_inode = inode_of(public_path);
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
  CHECK_TRUE(moved);
  CHECK_TRUE(inode_of(public_path) == inode_of(our_path));
  CHECK_TRUE(inode_of(aside_path) == new_inode);
  CHECK_TRUE(send_text(ours, aside_path, "hello again"));
  STRCMP_EQUAL("hello again", received_text(new_firmware).c_str());
}

TEST(SocketInterposer, FirmwareRebindWithoutAPauseIsTakenAgain) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket old_firmware = interpose(interposer);
  old_firmware.close();
  CHECK_EQUAL(0, ::unlink(public_path.c_str()));
  UnixDatagramSocket new_firmware = bound_socket(public_path);

  bool moved = false;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
  CHECK_TRUE(moved);
  CHECK_TRUE(send_text(ours, aside_path, "hello again"));
  STRCMP_EQUAL("hello again", received_text(new_firmware).c_str());
}

TEST(SocketInterposer, StalePublicFileIsReplacedWhenTheAsideSocketIsLive) {
  // An earlier run left its link behind; the firmware's socket is still aside.
  UnixDatagramSocket firmware = bound_socket(aside_path);
  make_stale_socket_file(public_path);
  SocketInterposer interposer = make_interposer();

  bool moved = true;
  // Not on first sight: a file nobody is bound to may be a bind() under way.
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kWaiting);
  CHECK_TRUE(exists(public_path));
  CHECK_TRUE(interposer.update(moved, SocketInterposer::kStaleAfterMs - 1) == SocketInterposer::State::kWaiting);
  CHECK_TRUE(interposer.update(moved, SocketInterposer::kStaleAfterMs) == SocketInterposer::State::kInterposed);
  CHECK_FALSE(moved);
  CHECK_TRUE(inode_of(public_path) == inode_of(our_path));

  UnixDatagramSocket client = bound_socket(client_path);
  CHECK_TRUE(send_text(client, public_path, "to us"));
  STRCMP_EQUAL("to us", received_text(ours).c_str());
  STRCMP_EQUAL("<nothing>", received_text(firmware).c_str());
}

TEST(SocketInterposer, StalePublicFileWithNothingAsideIsRemovedAndWaitedOn) {
  make_stale_socket_file(public_path);
  make_stale_socket_file(aside_path);
  SocketInterposer interposer = make_interposer();

  bool moved = true;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kWaiting);
  CHECK_TRUE(exists(public_path));
  CHECK_TRUE(interposer.update(moved, SocketInterposer::kStaleAfterMs) == SocketInterposer::State::kWaiting);
  CHECK_FALSE(moved);
  CHECK_FALSE(exists(public_path));

  // The firmware comes up: it is moved aside over the stale file.
  UnixDatagramSocket firmware = bound_socket(public_path);
  CHECK_TRUE(interposer.update(moved, 1000) == SocketInterposer::State::kInterposed);
  CHECK_TRUE(moved);
  CHECK_TRUE(send_text(ours, aside_path, "up"));
  STRCMP_EQUAL("up", received_text(firmware).c_str());
}

TEST(SocketInterposer, ReplacedFileRestartsTheStaleClock) {
  // A dead file, then a new one (another bind under way): the new inode is
  // watched afresh, not removed on the old one's time.
  make_stale_socket_file(public_path);
  SocketInterposer interposer = make_interposer();
  bool moved = false;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kWaiting);
  // Kept under another name, so the new file cannot get the same inode.
  CHECK_EQUAL(0, ::rename(public_path.c_str(), (public_path + ".old").c_str()));
  make_stale_socket_file(public_path);
  CHECK_TRUE(interposer.update(moved, SocketInterposer::kStaleAfterMs) == SocketInterposer::State::kWaiting);
  CHECK_TRUE(exists(public_path));
}

TEST(SocketInterposer, FailedRenameIsReportedWithThePaths) {
  SocketInterposer interposer(directory.file("ai_sock"), directory.file("missing/dir/ai_sock.aside"), our_path);
  UnixDatagramSocket firmware = bound_socket(public_path);

  bool moved = true;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kFailed);
  CHECK_FALSE(moved);
  const std::string& error = interposer.error();
  CHECK_TRUE_TEXT(error.find("rename " + public_path) != std::string::npos, error.c_str());
  CHECK_TRUE_TEXT(error.find("missing/dir/ai_sock.aside") != std::string::npos, error.c_str());
  CHECK_TRUE_TEXT(error.find("No such file or directory") != std::string::npos, error.c_str());
  // The firmware keeps its path.
  CHECK_TRUE(send_text(ours, public_path, "untouched"));
  STRCMP_EQUAL("untouched", received_text(firmware).c_str());
}

TEST(SocketInterposer, RestorePutsTheFirmwareSocketBackAndRemovesOurs) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket firmware = interpose(interposer);
  const ino_t firmware_inode = inode_of(aside_path);

  interposer.restore();
  CHECK_TRUE(interposer.state() == SocketInterposer::State::kWaiting);
  CHECK_TRUE(inode_of(public_path) == firmware_inode);
  CHECK_FALSE(exists(aside_path));
  CHECK_FALSE(exists(our_path));

  UnixDatagramSocket client = bound_socket(client_path);
  CHECK_TRUE(send_text(client, public_path, "back to normal"));
  STRCMP_EQUAL("back to normal", received_text(firmware).c_str());
}

TEST(SocketInterposer, RestoreLeavesAFirmwareSocketThatRetookThePath) {
  SocketInterposer interposer = make_interposer();
  UnixDatagramSocket old_firmware = interpose(interposer);
  old_firmware.close();
  CHECK_EQUAL(0, ::unlink(public_path.c_str()));
  UnixDatagramSocket new_firmware = bound_socket(public_path);
  const ino_t new_inode = inode_of(public_path);

  interposer.restore();
  CHECK_TRUE(inode_of(public_path) == new_inode);
  CHECK_FALSE(exists(our_path));
}

TEST(SocketInterposer, InterposedSocketGetsTheFirmwaresMode) {
  CHECK_EQUAL(0, ::chmod(our_path.c_str(), 0600));
  UnixDatagramSocket firmware = bound_socket(public_path);
  CHECK_EQUAL(0, ::chmod(public_path.c_str(), 0666));
  SocketInterposer interposer = make_interposer();
  bool moved = false;
  CHECK_TRUE(interposer.update(moved, 0) == SocketInterposer::State::kInterposed);
  LONGS_EQUAL(0666, mode_of(public_path));
  LONGS_EQUAL(0666, mode_of(our_path));
}

TEST(SocketInterposer, CopySocketPermissionsCopiesTheMode) {
  UnixDatagramSocket firmware = bound_socket(public_path);
  for (const mode_t mode : {mode_t{0660}, mode_t{0777}, mode_t{0600}, mode_t{0640}}) {
    CHECK_EQUAL(0, ::chmod(public_path.c_str(), mode));
    std::string error;
    CHECK_TRUE_TEXT(copy_socket_permissions(public_path, our_path, error), error.c_str());
    LONGS_EQUAL(mode, mode_of(our_path));
    // The owner too (the same one here, the only one an unprivileged test can give).
    struct stat model;
    struct stat copy;
    CHECK_EQUAL(0, ::lstat(public_path.c_str(), &model));
    CHECK_EQUAL(0, ::lstat(our_path.c_str(), &copy));
    LONGS_EQUAL(model.st_uid, copy.st_uid);
  }
}

TEST(SocketInterposer, CopySocketPermissionsNamesAMissingModel) {
  std::string error;
  const std::string missing = directory.file("nothing_here");
  CHECK_FALSE(copy_socket_permissions(missing, our_path, error));
  CHECK_TRUE_TEXT(error.find("stat " + missing) != std::string::npos, error.c_str());
  CHECK_TRUE_TEXT(error.find("No such file or directory") != std::string::npos, error.c_str());
}

TEST(SocketInterposer, CopySocketPermissionsNamesAMissingTarget) {
  UnixDatagramSocket firmware = bound_socket(public_path);
  std::string error;
  const std::string missing = directory.file("nothing_here");
  CHECK_FALSE(copy_socket_permissions(public_path, missing, error));
  CHECK_TRUE_TEXT(error.find("chmod " + missing) != std::string::npos, error.c_str());
}

TEST(SocketInterposer, LiveSocketIsLive) {
  UnixDatagramSocket firmware = bound_socket(public_path);
  CHECK_TRUE(SocketInterposer::socket_is_live(public_path));
}

TEST(SocketInterposer, ServerConnectedToAnotherClientIsLive) {
  // Like vic-anim after the engine's first datagram: connect() of anyone else
  // is refused with EPERM, which still means somebody is there.
  UnixDatagramSocket server = bound_socket(public_path);
  UnixDatagramSocket client = bound_socket(client_path);
  std::string error;
  CHECK_TRUE_TEXT(server.connect(client_path, error), error.c_str());
  CHECK_TRUE(SocketInterposer::socket_is_live(public_path));
}

TEST(SocketInterposer, StaleMissingAndOrdinaryFilesAreNotLive) {
  make_stale_socket_file(public_path);
  CHECK_FALSE(SocketInterposer::socket_is_live(public_path));
  CHECK_FALSE(SocketInterposer::socket_is_live(directory.file("nothing_here")));
  CHECK_FALSE(SocketInterposer::socket_is_live(directory.write("ordinary", "not a socket")));
  CHECK_FALSE(SocketInterposer::socket_is_live(directory.path() + "/" + std::string(120, 'x')));
}

TEST(SocketInterposer, ProbingALiveSocketLeavesItFreeForItsClient) {
  // A probe connects without sending: the server must not adopt it.
  UnixDatagramSocket server = bound_socket(public_path);
  CHECK_TRUE(SocketInterposer::socket_is_live(public_path));
  UnixDatagramSocket client = bound_socket(client_path);
  CHECK_TRUE(send_text(client, public_path, "first"));
  STRCMP_EQUAL("first", received_text(server).c_str());
}

// ---------------------------------------------------------------------------------

TEST_GROUP(UnixDatagramSocket) {
  TemporaryDirectory directory;
  std::string server_path;
  std::string client_path;
  UnixDatagramSocket server;
  UnixDatagramSocket client;

  void setup() override {
    server_path = directory.file("server");
    client_path = directory.file("client");
    server = bound_socket(server_path);
    client = bound_socket(client_path);
  }

  SendOutcome send_bytes(UnixDatagramSocket & socket, std::size_t size) {
    const std::vector<std::uint8_t> bytes(size, 0x5A);
    return socket.send(bytes.data(), bytes.size());
  }
};

TEST(UnixDatagramSocket, OpenSocketIsNonBlockingAndCloseOnExec) {
  CHECK_TRUE(server.is_open());
  CHECK_TRUE((::fcntl(server.fd(), F_GETFL) & O_NONBLOCK) != 0);
  CHECK_TRUE((::fcntl(server.fd(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST(UnixDatagramSocket, ReceiveReturnsTheRealSizeOfADatagramLargerThanTheBuffer) {
  std::vector<std::uint8_t> datagram(3000);
  for (std::size_t i = 0; i < datagram.size(); ++i) datagram[i] = static_cast<std::uint8_t>(i * 7);
  CHECK_TRUE(client.send_to(server_path, datagram.data(), datagram.size()) == SendOutcome::kSent);

  std::vector<std::uint8_t> buffer(2048, 0);
  LONGS_EQUAL(3000, server.receive(buffer.data(), buffer.size()));
  for (std::size_t i = 0; i < buffer.size(); ++i) BYTES_EQUAL(datagram[i], buffer[i]);
  // The rest of the cut datagram is gone, not left for the next receive.
  LONGS_EQUAL(-1, server.receive(buffer.data(), buffer.size()));
}

TEST(UnixDatagramSocket, ReceiveNamesTheSendersPath) {
  CHECK_TRUE(send_text(client, server_path, "hi"));
  std::string sender = "something else";
  STRCMP_EQUAL("hi", received_text(server, &sender).c_str());
  STRCMP_EQUAL(client_path.c_str(), sender.c_str());
}

TEST(UnixDatagramSocket, ReceiveFromAnUnboundSenderGivesNoPath) {
  UnixDatagramSocket anonymous = bound_socket("");
  CHECK_TRUE(send_text(anonymous, server_path, "who?"));
  std::string sender = "something else";
  STRCMP_EQUAL("who?", received_text(server, &sender).c_str());
  STRCMP_EQUAL("", sender.c_str());
}

TEST(UnixDatagramSocket, ReceiveOfAnEmptyDatagramIsZero) {
  CHECK_TRUE(client.send_to(server_path, nullptr, 0) == SendOutcome::kSent);
  std::uint8_t buffer[16];
  LONGS_EQUAL(0, server.receive(buffer, sizeof(buffer)));
}

TEST(UnixDatagramSocket, ReceiveWithNothingWaitingIsMinusOne) {
  std::uint8_t buffer[16];
  std::string sender = "unchanged";
  LONGS_EQUAL(-1, server.receive(buffer, sizeof(buffer), &sender));
  STRCMP_EQUAL("unchanged", sender.c_str());
}

TEST(UnixDatagramSocket, SendToAFullPeerWouldBlock) {
  std::string error;
  CHECK_TRUE_TEXT(client.connect(server_path, error), error.c_str());
  int sent = 0;
  SendOutcome outcome = SendOutcome::kSent;
  while (outcome == SendOutcome::kSent && sent < 100000) {
    outcome = send_bytes(client, 1000);
    if (outcome == SendOutcome::kSent) ++sent;
  }
  CHECK_TRUE(outcome == SendOutcome::kWouldBlock);
  CHECK_TRUE(sent > 0);

  // Once the peer reads, there is room again.
  std::vector<std::uint8_t> buffer(2048);
  LONGS_EQUAL(1000, server.receive(buffer.data(), buffer.size()));
  CHECK_TRUE(send_bytes(client, 1000) == SendOutcome::kSent);
}

TEST(UnixDatagramSocket, SendToAClosedPeerIsPeerGone) {
  std::string error;
  CHECK_TRUE_TEXT(client.connect(server_path, error), error.c_str());
  CHECK_TRUE(send_bytes(client, 10) == SendOutcome::kSent);
  server.close();
  CHECK_TRUE(send_bytes(client, 10) == SendOutcome::kPeerGone);
  // And again, now that the kernel has dropped the dead peer.
  CHECK_TRUE(send_bytes(client, 10) == SendOutcome::kPeerGone);
}

TEST(UnixDatagramSocket, SendToAPathWithNobodyThereIsPeerGone) {
  CHECK_TRUE(send_text(client, server_path, "ok"));
  server.close();
  // The file stays, nobody is bound to it.
  const std::string_view text = "anyone?";
  CHECK_TRUE(client.send_to(server_path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size()) ==
             SendOutcome::kPeerGone);
  CHECK_TRUE(client.send_to(directory.file("nothing_here"), reinterpret_cast<const std::uint8_t*>(text.data()),
                            text.size()) == SendOutcome::kPeerGone);
}

TEST(UnixDatagramSocket, ThirdSocketIsRefusedByAServerConnectedToSomeoneElse) {
  std::string error;
  CHECK_TRUE_TEXT(server.connect(client_path, error), error.c_str());
  UnixDatagramSocket third = bound_socket(directory.file("third"));
  const std::string_view text = "let me in";
  CHECK_TRUE(third.send_to(server_path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size()) ==
             SendOutcome::kRefused);
  // The connected client is still heard.
  CHECK_TRUE(send_text(client, server_path, "me"));
  STRCMP_EQUAL("me", received_text(server).c_str());
}

TEST(UnixDatagramSocket, DisconnectedServerHearsAnySenderAgain) {
  std::string error;
  CHECK_TRUE_TEXT(server.connect(client_path, error), error.c_str());
  server.disconnect();
  UnixDatagramSocket third = bound_socket(directory.file("third"));
  CHECK_TRUE(send_text(third, server_path, "now me"));
  STRCMP_EQUAL("now me", received_text(server).c_str());
}

TEST(UnixDatagramSocket, BindAndConnectErrorsNameThePathAndTheCause) {
  UnixDatagramSocket second;
  std::string error;
  CHECK_TRUE(second.open(error));
  CHECK_FALSE(second.bind(server_path, error));
  CHECK_TRUE_TEXT(error.find("bind " + server_path) != std::string::npos, error.c_str());
  CHECK_TRUE_TEXT(error.find("Address already in use") != std::string::npos, error.c_str());

  const std::string missing = directory.file("nothing_here");
  CHECK_FALSE(second.connect(missing, error));
  CHECK_TRUE_TEXT(error.find("connect " + missing) != std::string::npos, error.c_str());
  CHECK_TRUE_TEXT(error.find("No such file or directory") != std::string::npos, error.c_str());

  const std::string too_long = directory.path() + "/" + std::string(120, 'x');
  CHECK_FALSE(second.bind(too_long, error));
  CHECK_TRUE_TEXT(error.find("socket path too long") != std::string::npos, error.c_str());
}

TEST(UnixDatagramSocket, MovedSocketKeepsTheDescriptorAndTheSourceLetsGo) {
  const int fd = server.fd();
  UnixDatagramSocket moved(std::move(server));
  LONGS_EQUAL(fd, moved.fd());
  CHECK_FALSE(server.is_open());
  CHECK_TRUE(send_text(client, server_path, "still bound"));
  STRCMP_EQUAL("still bound", received_text(moved).c_str());
}
