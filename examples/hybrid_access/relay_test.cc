// SPDX-License-Identifier: Apache-2.0
// The relay engine over loopback TCP, in-process: a source writes far more
// than pipe_bytes towards a reader that does not read (back-pressure must
// stop it with bounded buffering), then reads slowly (every byte arrives, in
// order), then EOF travels as a half-close while the other direction still
// works. Every wait is for a condition, with a 60 s deadline that names it.
#include "examples/hybrid_access/relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace hybrid_access {
namespace {

constexpr uint64_t kUpToken = 1;
constexpr uint64_t kDownToken = 2;
constexpr uint64_t kSourceToken = 3;
constexpr uint64_t kSinkToken = 4;
constexpr uint64_t kReaderToken = 5;
constexpr int kDeadlineMs = 60000;
constexpr uint32_t kPipeBytes = 65536;
constexpr int kSmallBuffer = 32768;  // socket buffers, so that back-pressure shows quickly

uint8_t PatternByte(size_t i) { return uint8_t(i ^ (i >> 8) ^ (i >> 16) ^ (i >> 24)); }

void SetBuffers(int fd) {
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSmallBuffer, sizeof(kSmallBuffer));
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSmallBuffer, sizeof(kSmallBuffer));
}

void SetNonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A connected loopback TCP pair: {the connecting end, the accepted end}.
std::pair<Socket, Socket> LoopbackPair() {
  Socket listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  SetBuffers(listener.fd());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(listener.fd(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(listen(listener.fd(), 1), 0);
  EXPECT_EQ(getsockname(listener.fd(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Socket client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  SetBuffers(client.fd());
  EXPECT_EQ(connect(client.fd(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  Socket accepted(accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
  SetBuffers(accepted.fd());
  SetNonblocking(client.fd());
  SetNonblocking(accepted.fd());
  return {std::move(client), std::move(accepted)};
}

// Records what the relay reports; the test acts on it between loop steps,
// as the daemon does.
struct Recorder : Relay::Observer {
  std::vector<Side> eofs;
  std::vector<std::pair<Side, int>> errors;
  size_t delivered[2] = {0, 0};
  int copy_fallbacks = 0;
  void OnEof(Side side) override { eofs.push_back(side); }
  void OnError(Side side, int error) override { errors.push_back({side, error}); }
  void OnDelivered(Side to, size_t bytes) override { delivered[int(to)] += bytes; }
  void OnCopyFallback(Side, int) override { ++copy_fallbacks; }
};

// client (source) -> [up | relay | down] -> server (sink), and back.
class RelayTest : public testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    auto [source, up] = LoopbackPair();
    auto [down, sink] = LoopbackPair();
    source_ = std::move(source);
    sink_ = std::move(sink);
    std::array<Socket, 2> sockets{std::move(up), std::move(down)};
    Start(std::move(sockets), {});
  }

  void Start(std::array<Socket, 2> sockets, std::array<std::vector<uint8_t>, 2> first) {
    relay_ = std::make_unique<Relay>(loop_, recorder_, std::move(sockets), std::array<uint64_t, 2>{kUpToken, kDownToken},
                                     std::move(first), Relay::Options{.pipe_bytes = kPipeBytes, .splice = GetParam()});
    ASSERT_TRUE(relay_->status().ok()) << relay_->status();
  }

  // Waits for at least one event (failing after the deadline with `awaited`),
  // hands relay events to the relay and returns the others' tokens. Then
  // answers each EOF the way the core does: close the other side once drained.
  std::vector<uint64_t> Step(const char* awaited) {
    epoll_event events[16];
    const int n = loop_.Wait(events, kDeadlineMs);
    EXPECT_GT(n, 0) << "60 s without any event while waiting for " << awaited;
    std::vector<uint64_t> others;
    for (int i = 0; i < n; ++i) {
      const uint64_t token = events[i].data.u64;
      if (token == kUpToken || token == kDownToken) {
        relay_->OnReady(token == kUpToken ? Side::kUpstream : Side::kDownstream, events[i].events);
      } else {
        others.push_back(token);
      }
    }
    for (; answered_eofs_ < recorder_.eofs.size(); ++answered_eofs_) {
      relay_->CloseWhenDrained(Other(recorder_.eofs[answered_eofs_]));
    }
    EXPECT_LE(relay_->max_buffered(), relay_->capacity());
    EXPECT_LE(relay_->max_buffered(), kPipeBytes);
    return others;
  }

  // Writes pattern bytes [written_, total) until the socket is full.
  bool WriteSome(size_t total) {
    uint8_t chunk[16384];
    while (written_ < total) {
      const size_t n = std::min(sizeof(chunk), total - written_);
      for (size_t i = 0; i < n; ++i) chunk[i] = PatternByte(written_ + i);
      const ssize_t w = send(source_.fd(), chunk, n, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0) {
        EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
        return false;
      }
      written_ += size_t(w);
    }
    return true;
  }

  // Reads at most `limit` bytes from the sink and checks them; false at EOF.
  bool ReadSome(size_t limit) {
    uint8_t buf[4096];
    const ssize_t n = recv(sink_.fd(), buf, std::min(sizeof(buf), limit), MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) {
      EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
      return true;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != PatternByte(received_ + size_t(i))) {
        ADD_FAILURE() << "byte " << received_ + size_t(i) << " differs: reordered or lost";
        return false;
      }
    }
    received_ += size_t(n);
    return true;
  }

  // Reads until `want` bytes or EOF, waking on the socket and the relay.
  std::string ReadAll(Socket& s, size_t want, const char* awaited) {
    std::string got;
    EXPECT_TRUE(loop_.Watch(s.fd(), kReaderToken, EPOLLIN).ok());
    while (got.size() < want && !HasFailure()) {
      char buf[256];
      const ssize_t n = recv(s.fd(), buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        got.append(buf, size_t(n));
        continue;
      }
      if (n == 0) break;
      Step(awaited);
    }
    loop_.Forget(s.fd());
    return got;
  }

  EventLoop loop_;
  Recorder recorder_;
  Socket source_, sink_;
  std::unique_ptr<Relay> relay_;
  size_t answered_eofs_ = 0;
  size_t written_ = 0;
  size_t received_ = 0;
};

TEST_P(RelayTest, BackPressureBoundsBufferingAndEveryByteArrivesInOrder) {
  constexpr size_t kTotal = 8 << 20;  // 128 times pipe_bytes
  // Far more than the four small socket buffers and the pipe can hold: if the
  // writer could get this far while nobody reads, nothing would be bounded.
  constexpr size_t kBound = 4 << 20;
  ASSERT_TRUE(loop_.Watch(source_.fd(), kSourceToken, EPOLLOUT).ok());

  // 1. Nobody reads: the writer must end up blocked, with the relay holding
  //    bytes it cannot deliver (and no more than its pipe).
  for (;;) {
    ASSERT_FALSE(WriteSome(kTotal)) << "wrote all " << kTotal << " bytes while nobody read: no back-pressure";
    if (relay_->buffered(Side::kDownstream) > 0 && relay_->stalls() > 0) break;
    Step("the relay to fill its pipe towards a receiver that does not read");
    ASSERT_FALSE(HasFailure());
  }
  EXPECT_LE(written_, kBound);
  EXPECT_GT(written_, size_t(kPipeBytes));
  EXPECT_LE(relay_->buffered(Side::kDownstream), size_t(kPipeBytes));

  // 2. A slow reader (4 KiB per wake-up): everything arrives, in order.
  ASSERT_TRUE(loop_.Watch(sink_.fd(), kSinkToken, EPOLLIN).ok());
  bool sink_open = true;
  bool source_shut = false;
  while (sink_open && !HasFailure()) {
    for (uint64_t token : Step("bytes to move from the writer to the slow reader")) {
      if (token == kSourceToken && WriteSome(kTotal) && !source_shut) {
        shutdown(source_.fd(), SHUT_WR);  // all written: EOF follows the last byte
        source_shut = true;
        ASSERT_TRUE(loop_.Watch(source_.fd(), kSourceToken, 0).ok());
      }
      if (token == kSinkToken) sink_open = ReadSome(4096);
    }
  }
  EXPECT_EQ(received_, kTotal);
  EXPECT_EQ(recorder_.delivered[int(Side::kDownstream)], kTotal);
  ASSERT_EQ(recorder_.eofs.size(), 1u);
  EXPECT_EQ(recorder_.eofs[0], Side::kUpstream);
  EXPECT_TRUE(recorder_.errors.empty());

  // 3. Half-close: the other direction still carries bytes, then closes too.
  loop_.Forget(sink_.fd());
  loop_.Forget(source_.fd());
  ASSERT_EQ(send(sink_.fd(), "reply", 5, MSG_NOSIGNAL), 5);
  EXPECT_EQ(ReadAll(source_, 5, "the reply after the half-close"), "reply");
  shutdown(sink_.fd(), SHUT_WR);
  EXPECT_EQ(ReadAll(source_, 1, "EOF at the writer after the reader's FIN"), "");
  while (!relay_->finished() && !HasFailure()) Step("the relay to close both sides");
  EXPECT_EQ(recorder_.eofs.size(), 2u);
  EXPECT_TRUE(recorder_.errors.empty());
}

TEST_P(RelayTest, FirstBytesGoBeforeRelayedBytes) {
  // Restart with bytes to write first on each side (the echo, the data that
  // followed the IEs).
  relay_.reset();
  auto [source, up] = LoopbackPair();
  auto [down, sink] = LoopbackPair();
  source_ = std::move(source);
  sink_ = std::move(sink);
  const std::string echo = "ECHO", data = "DATA";
  Start({std::move(up), std::move(down)},
        {std::vector<uint8_t>(echo.begin(), echo.end()), std::vector<uint8_t>(data.begin(), data.end())});
  ASSERT_EQ(send(source_.fd(), "hello", 5, MSG_NOSIGNAL), 5);
  EXPECT_EQ(ReadAll(sink_, 9, "the first bytes, then the relayed ones, at the server"), "DATAhello");
  ASSERT_EQ(send(sink_.fd(), "world", 5, MSG_NOSIGNAL), 5);
  EXPECT_EQ(ReadAll(source_, 9, "the echo, then the relayed bytes, at the client"), "ECHOworld");
}

TEST_P(RelayTest, ResetOnOneSideIsReportedAndAbortSendsReset) {
  const linger hard{1, 0};
  ASSERT_EQ(setsockopt(sink_.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard)), 0);
  sink_ = Socket();  // RST to the relay's downstream side
  while (recorder_.errors.empty() && !HasFailure()) Step("the relay to see the reset");
  ASSERT_EQ(recorder_.errors.size(), 1u);
  EXPECT_EQ(recorder_.errors[0].first, Side::kDownstream);
  EXPECT_EQ(recorder_.errors[0].second, ECONNRESET);
  EXPECT_FALSE(relay_->open(Side::kDownstream));
  relay_->Abort(Side::kUpstream);  // what the core asks for: couple the reset
  EXPECT_TRUE(relay_->finished());
  char buf[8];
  for (;;) {
    const ssize_t n = recv(source_.fd(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EAGAIN) {
      pollfd p{source_.fd(), POLLIN, 0};
      ASSERT_EQ(poll(&p, 1, kDeadlineMs), 1) << "60 s without the RST at the client";
      continue;
    }
    EXPECT_EQ(n, -1);
    EXPECT_EQ(errno, ECONNRESET);
    break;
  }
}

INSTANTIATE_TEST_SUITE_P(SpliceAndCopy, RelayTest, testing::Values(true, false),
                         [](const testing::TestParamInfo<bool>& info) { return info.param ? "Splice" : "Copy"; });

}  // namespace
}  // namespace hybrid_access
