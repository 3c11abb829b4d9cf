// SPDX-License-Identifier: Apache-2.0
// Status codes of the codec. Small enums, no allocation, no exceptions: the
// per-segment path returns one of these and the caller decides (see the
// error-handling table in README.md). Every enumerator has a stable name for
// logs, JSON output and the Python bindings.
//
//   mptcp_opts::MpCapable cap;
//   if (mptcp_opts::Decode(bytes, cap) != mptcp_opts::DecodeStatus::kOk) { ... }
//   StatusName(mptcp_opts::DecodeStatus::kBadLength);  // "BAD_LENGTH"
#ifndef MPTCP_OPTS_STATUS_H_
#define MPTCP_OPTS_STATUS_H_

#include <cstdint>

namespace mptcp_opts {

// Result of decoding one option. What the caller should do is in brackets.
enum class DecodeStatus : uint8_t {
  kOk = 0,
  // The buffer ends before the option does: fewer than 2 bytes, or the Length
  // byte claims more bytes than were given. [treat the segment as malformed]
  kTruncated,
  // The Length byte is not one of the lengths the subtype (and version, and
  // flags) allows. [ignore the option; RFC 8684 says fall back or drop]
  kBadLength,
  // Kind is not 30, or the subtype is not the one the decoder handles.
  // [programming error in the caller's dispatch]
  kWrongKind,
  kWrongSubtype,
  // MP_CAPABLE with a version this codec does not implement (> 1).
  // [a v0/v1 endpoint ignores the option, RFC 8684 §3.1]
  kUnsupportedVersion,
  // ADD_ADDR v0 with an IPVer field that is neither 4 nor 6, or that does not
  // match the length. [ignore the option]
  kBadIpVersion,
};

// Result of encoding one option or building an option area.
enum class EncodeStatus : uint8_t {
  kOk = 0,
  // The output span is shorter than EncodedSize(); nothing was written.
  kBufferTooSmall,
  // The value cannot be put on the wire (e.g. a version above 15, a checksum
  // without a data-level length, zero or more than 37 REMOVE_ADDR IDs, an
  // ADD_ADDR v0 carrying an HMAC). Nothing was written.
  kInvalidValue,
  // The options do not fit in the 40-byte TCP option area. Nothing written.
  kNoOptionSpace,
};

// Why an option-area walk stopped early. kOk means it reached the end of the
// area or an End-of-Option-List (RFC 9293 §3.1).
enum class WalkStatus : uint8_t {
  kOk = 0,
  // The area given is longer than 40 bytes (data offset 15 * 4 - 20).
  kAreaTooLong,
  // A Length byte of 0 or 1: the walk cannot advance. [drop the segment]
  kBadOptionLength,
  // A Length byte reaches past the end of the area, or a kind byte is the
  // last byte of the area with no room for its Length. [drop the segment]
  kOptionPastEnd,
};

constexpr const char* StatusName(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::kOk: return "OK";
    case DecodeStatus::kTruncated: return "TRUNCATED";
    case DecodeStatus::kBadLength: return "BAD_LENGTH";
    case DecodeStatus::kWrongKind: return "WRONG_KIND";
    case DecodeStatus::kWrongSubtype: return "WRONG_SUBTYPE";
    case DecodeStatus::kUnsupportedVersion: return "UNSUPPORTED_VERSION";
    case DecodeStatus::kBadIpVersion: return "BAD_IP_VERSION";
  }
  return "UNKNOWN_STATUS";
}

constexpr const char* StatusName(EncodeStatus s) {
  switch (s) {
    case EncodeStatus::kOk: return "OK";
    case EncodeStatus::kBufferTooSmall: return "BUFFER_TOO_SMALL";
    case EncodeStatus::kInvalidValue: return "INVALID_VALUE";
    case EncodeStatus::kNoOptionSpace: return "NO_OPTION_SPACE";
  }
  return "UNKNOWN_STATUS";
}

constexpr const char* StatusName(WalkStatus s) {
  switch (s) {
    case WalkStatus::kOk: return "OK";
    case WalkStatus::kAreaTooLong: return "AREA_TOO_LONG";
    case WalkStatus::kBadOptionLength: return "BAD_OPTION_LENGTH";
    case WalkStatus::kOptionPastEnd: return "OPTION_PAST_END";
  }
  return "UNKNOWN_STATUS";
}

}  // namespace mptcp_opts

#endif  // MPTCP_OPTS_STATUS_H_
