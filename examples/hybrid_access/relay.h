// SPDX-License-Identifier: Apache-2.0
// Relays bytes between two connected, nonblocking sockets, both directions,
// with splice() through one pipe per direction: the bytes never enter user
// space. The pipe is the relay's whole buffer per direction (pipe_bytes):
// a side is read only while its direction's pipe is empty, so a slow
// receiver stops the reads from its peer (back-pressure reaches the sender
// through TCP's window) and nothing grows without bound.
//
// Closing follows the owner (the core's actions): EOF from a side is
// reported (OnEof), and the owner answers with CloseWhenDrained on the other
// side, which sends FIN (DATA_FIN) only once everything read before the EOF
// was written. A failed side (reset, timeout) is reported (OnError) and
// closed; Abort closes a side with RST (MP_FASTCLOSE). A side whose both
// directions are over is closed; the relay is finished when both are.
//
// If the kernel refuses splice on a socket (EINVAL), that direction copies
// through a buffer of pipe_bytes instead (reported once by OnCopyFallback).
//
//   Relay relay(loop, observer, {std::move(up), std::move(down)}, {tok_up, tok_down}, {echo, {}},
//               {.pipe_bytes = 65536});
//   loop event for tok_up   -> relay.OnReady(Side::kUpstream, events);
//   observer.OnEof(kUpstream) -> later: relay.CloseWhenDrained(Side::kDownstream);
#ifndef EXAMPLES_HYBRID_ACCESS_RELAY_H_
#define EXAMPLES_HYBRID_ACCESS_RELAY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "examples/hybrid_access/event_loop.h"
#include "examples/hybrid_access/socket.h"

namespace hybrid_access {

// The two ends of a relay, named like mcp_core's legs: upstream faces the
// customer, downstream the server side.
enum class Side : uint8_t { kUpstream = 0, kDownstream = 1 };
inline Side Other(Side s) { return s == Side::kUpstream ? Side::kDownstream : Side::kUpstream; }
inline const char* SideName(Side s) { return s == Side::kUpstream ? "upstream" : "downstream"; }

class Relay {
 public:
  // Called from inside OnReady: record what happened and act on it after
  // OnReady returns (never destroy the relay from a callback).
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void OnEof(Side side) = 0;                    // `side` sent FIN / DATA_FIN
    virtual void OnError(Side side, int error) = 0;       // `side` failed; it is closed now
    virtual void OnDelivered(Side to, size_t bytes) = 0;  // relayed bytes written to `to`
    virtual void OnCopyFallback(Side from, int error) = 0;  // splice refused: copying
  };
  struct Options {
    uint32_t pipe_bytes = 65536;
    bool splice = true;  // false: always copy (tests of the fallback path)
  };

  // Takes both sockets and starts relaying; `first[side]` is written to that
  // side before any relayed byte (the IE echo, data that followed the IEs).
  // Check status() before use: a failure (no pipe) leaves both sockets open
  // for the owner to abort.
  Relay(EventLoop& loop, Observer& observer, std::array<Socket, 2> sockets, std::array<uint64_t, 2> tokens,
        std::array<std::vector<uint8_t>, 2> first, Options options);
  ~Relay();  // closes what is still open, orderly
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  const absl::Status& status() const { return status_; }
  // Gives the sockets back (only when status() is not OK).
  std::array<Socket, 2> TakeSockets();

  // An epoll event for `side`'s socket.
  void OnReady(Side side, uint32_t events);
  // FIN (DATA_FIN) to `side` once every byte relayed towards it is written;
  // nothing more is read for it.
  void CloseWhenDrained(Side side);
  // RST (MP_FASTCLOSE) to `side` now; bytes pending towards it are dropped.
  void Abort(Side side);

  bool open(Side side) const { return sides_[int(side)].socket.valid(); }
  bool finished() const { return !open(Side::kUpstream) && !open(Side::kDownstream); }
  // Bytes read from the peer of `to` and not yet written to `to`.
  size_t buffered(Side to) const;
  // The most any direction ever held (never above its capacity).
  size_t max_buffered() const { return max_buffered_; }
  size_t capacity() const { return capacity_; }
  // How often a read stopped with bytes still buffered, waiting for the
  // receiver: back-pressure at work.
  uint64_t stalls() const { return stalls_; }

 private:
  // Bytes from side `from` to its other side.
  struct Direction {
    Side from = Side::kUpstream;
    int pipe_read = -1;
    int pipe_write = -1;
    bool copying = false;          // fell back from splice
    std::vector<uint8_t> buffer;   // copying: bytes [buffer_start, buffer_end)
    size_t buffer_start = 0;
    size_t buffer_end = 0;
    size_t in_pipe = 0;            // splicing: bytes in the pipe
    std::vector<uint8_t> first;    // written to `to` before anything relayed
    size_t first_written = 0;
    bool eof = false;              // `from` sent FIN
    bool close_requested = false;  // CloseWhenDrained(to)
    bool shut = false;             // shutdown(to, SHUT_WR) done
    bool stalled_on_receiver = false;  // holding bytes the receiver has not taken
    size_t held() const { return copying ? buffer_end - buffer_start : in_pipe; }
  };
  struct End {
    Socket socket;
    uint64_t token = 0;
    bool hung_up = false;  // EPOLLHUP seen: the kernel will not send more events worth waiting for
  };

  Direction& from(Side s) { return directions_[int(s)]; }
  Direction& to(Side s) { return directions_[int(Other(s))]; }
  // Moves bytes until nothing more can move without waiting.
  void Pump();
  bool Fill(Direction& d);   // read from d.from; true on progress
  bool Drain(Direction& d);  // write to the other side; true on progress
  void Fail(Side side, int error);
  void CloseSide(Side side, bool abortive);
  void DropDirection(Direction& d);
  // Closes sides whose both directions are over; then sets epoll interest.
  void Settle();

  EventLoop& loop_;
  Observer& observer_;
  Options options_;
  absl::Status status_;
  size_t capacity_ = 0;
  size_t max_buffered_ = 0;
  uint64_t stalls_ = 0;
  std::array<End, 2> sides_;
  std::array<Direction, 2> directions_;
};

}  // namespace hybrid_access

#endif  // EXAMPLES_HYBRID_ACCESS_RELAY_H_
