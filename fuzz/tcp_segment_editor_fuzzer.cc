// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: TcpSegmentEditor on a TCP segment with a correct
// checksum, then a random sequence of InsertOption / InsertMptcp
// (MP_PREFER_PROXY) / RemoveMptcpSubtype / ClampMss.
//
// After every edit the result is compared with a reference model of the new
// option area (byte for byte), and:
//   - kOk: the option area walks with WalkStatus::kOk, the data offset matches
//     it, the other header bytes and the payload are unchanged, and the
//     incrementally updated checksum equals a full recomputation
//     (TcpChecksum over the segment, checksum field included, is 0, as in
//     mptcp_opts/tcp_segment_editor_test.cc ExpectChecksumValid);
//   - any other status: the status is the one the model predicts and the
//     buffer is byte-for-byte unchanged.
//
// Input layout (FuzzedDataProvider; integers come from the end of the input,
// byte strings from the front; fuzz/make_seed_corpus.py mirrors it):
//   bool v6; bytes src[4|16]; bytes dst[4|16]; bytes header[20];
//   int area_words 0..10; bytes area[4*area_words]; int offset_choice 0..63
//   (< 16: the data offset nibble is forced to it); int payload_len 0..200;
//   bytes payload; int spare 0..48; then up to 16 edits:
//   int op 0..3 and its arguments (see Edit below).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "mptcp_opts/ip_address.h"
#include "mptcp_opts/mp_prefer_proxy.h"
#include "mptcp_opts/tcp_checksum.h"
#include "mptcp_opts/tcp_option_walker.h"
#include "mptcp_opts/tcp_segment_editor.h"

namespace mptcp_opts::fuzz {
namespace {

constexpr size_t kHeader = TcpSegmentEditor::kTcpHeaderBytes;

IpAddress ConsumeAddress(FuzzedDataProvider& fdp, bool v6) {
  std::array<uint8_t, 16> b{};
  const std::vector<uint8_t> got = fdp.ConsumeBytes<uint8_t>(v6 ? 16 : 4);
  std::copy(got.begin(), got.end(), b.begin());
  return v6 ? IpAddress::FromV6Bytes(b.data()) : IpAddress::FromV4Bytes(b.data());
}

// The TCP checksum computed the textbook way, independently of
// TcpChecksum: an explicit pseudo-header (RFC 9293 §3.1 for IPv4: src, dst,
// zero, protocol 6, 16-bit TCP length; RFC 8200 §8.1 for IPv6: src, dst,
// 32-bit length, three zero bytes, next header 6) followed by the segment,
// summed as 16-bit big-endian words with end-around carry.
uint16_t ReferenceChecksum(const IpAddress& src, const IpAddress& dst, Bytes segment) {
  std::vector<uint8_t> b;
  const auto s = src.bytes();
  const auto d = dst.bytes();
  b.insert(b.end(), s.begin(), s.end());
  b.insert(b.end(), d.begin(), d.end());
  const uint32_t len = uint32_t(segment.size());
  if (src.is_v4()) {
    b.insert(b.end(), {0, 6, uint8_t(len >> 8), uint8_t(len)});
  } else {
    b.insert(b.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len),
                       0, 0, 0, 6});
  }
  b.insert(b.end(), segment.begin(), segment.end());
  if (b.size() % 2) b.push_back(0);
  uint32_t sum = 0;
  for (size_t i = 0; i < b.size(); i += 2) {
    sum += uint32_t(b[i] << 8 | b[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return uint16_t(~sum);
}

struct Walked {
  WalkStatus status = WalkStatus::kOk;
  std::vector<TcpOption> options;
  size_t used = 0;  // end of the last option (what the editor keeps)
};

Walked Walk(Bytes area) {
  Walked w;
  TcpOptionWalker walker(area);
  for (TcpOption o; walker.Next(o);) {
    w.options.push_back(o);
    w.used = o.offset + o.bytes.size();
  }
  w.status = walker.status();
  return w;
}

// The whole expected option area after a successful edit, or a status.
struct Expected {
  EditStatus status = EditStatus::kOk;
  std::vector<uint8_t> area;  // padded to a word with EOL
};

std::vector<uint8_t> PadWithEol(std::vector<uint8_t> a) {
  while (a.size() % 4) a.push_back(kKindEol);
  return a;
}

class Harness {
 public:
  Harness(std::vector<uint8_t>& buf, size_t seg_len, const IpAddress& src, const IpAddress& dst)
      : buf_(buf), src_(src), dst_(dst), ed_(buf, seg_len) {
    const size_t hl = size_t(buf[12] >> 4) * 4;
    EditStatus want = EditStatus::kOk;
    if (hl < kHeader || hl > seg_len) {
      want = EditStatus::kMalformedHeader;
    } else if (Walk(Bytes(buf.data() + kHeader, hl - kHeader)).status != WalkStatus::kOk) {
      want = EditStatus::kMalformedOptions;
    }
    FUZZ_CHECK(ed_.status() == want);
    FUZZ_CHECK(ed_.segment_length() == seg_len);
    if (want == EditStatus::kOk) tail_.assign(buf.begin() + hl, buf.begin() + seg_len);
  }

  TcpSegmentEditor& editor() { return ed_; }

  // What inserting `opt` must do (TcpSegmentEditor::InsertOption contract:
  // appended after the last option, NOP-aligned if that still fits, EOL
  // padding; refused when more than 40 bytes or no room in the buffer).
  Expected ExpectInsert(Bytes opt) const {
    if (ed_.status() != EditStatus::kOk) return {ed_.status(), {}};
    if (opt.size() < 2 || opt[1] != opt.size() || opt[0] <= kKindNop) {
      return {EditStatus::kInvalidValue, {}};
    }
    const Bytes old = ed_.area();
    const size_t used = Walk(old).used;
    if (used + opt.size() > kMaxOptionAreaBytes) return {EditStatus::kNoOptionSpace, {}};
    std::vector<uint8_t> a(old.begin(), old.begin() + used);
    const size_t pad = (4 - opt.size() % 4) % 4;
    if (used + pad + opt.size() <= kMaxOptionAreaBytes) a.insert(a.end(), pad, kKindNop);
    a.insert(a.end(), opt.begin(), opt.end());
    return Fits(PadWithEol(std::move(a)));
  }

  Expected ExpectRemove(uint8_t subtype) const {
    if (ed_.status() != EditStatus::kOk) return {ed_.status(), {}};
    const Bytes old = ed_.area();
    const Walked w = Walk(old);
    std::vector<uint8_t> a;
    size_t copied = 0;
    bool removed = false;
    for (const TcpOption& o : w.options) {
      if (o.kind == kKindMptcp && SubtypeOf(o.bytes) == subtype) {
        a.insert(a.end(), old.begin() + copied, old.begin() + o.offset);  // NOPs stay
        copied = o.offset + o.bytes.size();
        removed = true;
      }
    }
    if (!removed) return {EditStatus::kNotFound, {}};
    a.insert(a.end(), old.begin() + copied, old.begin() + w.used);
    return Fits(PadWithEol(std::move(a)));
  }

  Expected ExpectClamp(uint16_t max_mss) const {
    if (ed_.status() != EditStatus::kOk) return {ed_.status(), {}};
    const Bytes old = ed_.area();
    std::vector<uint8_t> a(old.begin(), old.end());
    bool changed = false;
    for (const TcpOption& o : Walk(old).options) {
      if (o.kind != kKindMss || o.bytes.size() != 4) continue;
      if (((o.bytes[2] << 8) | o.bytes[3]) > max_mss) {
        a[o.offset + 2] = uint8_t(max_mss >> 8);
        a[o.offset + 3] = uint8_t(max_mss);
        changed = true;
      }
    }
    if (!changed) return {EditStatus::kNotFound, {}};
    return Fits(std::move(a));
  }

  // Applies the edit's result check.
  void Verify(EditStatus got, const Expected& want, const std::vector<uint8_t>& before,
              size_t before_len) {
    FUZZ_CHECK(got == want.status);
    if (got != EditStatus::kOk) {
      FUZZ_CHECK(buf_ == before);  // a refused edit changes nothing
      FUZZ_CHECK(ed_.segment_length() == before_len);
      return;
    }
    const size_t hl = ed_.header_length();
    FUZZ_CHECK(hl == kHeader + want.area.size() && hl % 4 == 0 && hl <= 60);
    FUZZ_CHECK(size_t(buf_[12] >> 4) * 4 == hl);
    FUZZ_CHECK((buf_[12] & 0x0f) == (before[12] & 0x0f));
    FUZZ_CHECK(std::equal(buf_.begin(), buf_.begin() + 12, before.begin()));
    FUZZ_CHECK(std::equal(buf_.begin() + 13, buf_.begin() + 16, before.begin() + 13));
    FUZZ_CHECK(std::equal(buf_.begin() + 18, buf_.begin() + 20, before.begin() + 18));
    const Bytes area = ed_.area();
    FUZZ_CHECK(std::equal(area.begin(), area.end(), want.area.begin(), want.area.end()));
    TcpOptionWalker walker(area);
    for (TcpOption o; walker.Next(o);) {
    }
    FUZZ_CHECK(walker.status() == WalkStatus::kOk);
    FUZZ_CHECK(ed_.segment_length() == hl + tail_.size());
    FUZZ_CHECK(ed_.segment_length() <= buf_.size());
    FUZZ_CHECK(std::equal(tail_.begin(), tail_.end(), buf_.begin() + hl));  // payload unchanged
    const Bytes seg(buf_.data(), ed_.segment_length());
    FUZZ_CHECK(TcpChecksum(src_, dst_, seg) == 0);
    FUZZ_CHECK(ReferenceChecksum(src_, dst_, seg) == 0);
  }

 private:
  Expected Fits(std::vector<uint8_t> area) const {
    if (area.size() > kMaxOptionAreaBytes) return {EditStatus::kNoOptionSpace, {}};
    if (kHeader + area.size() + tail_.size() > buf_.size()) return {EditStatus::kBufferTooSmall, {}};
    return {EditStatus::kOk, std::move(area)};
  }

  std::vector<uint8_t>& buf_;
  IpAddress src_, dst_;
  TcpSegmentEditor ed_;
  std::vector<uint8_t> tail_;  // the payload as the editor sees it
};

void Run(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const bool v6 = fdp.ConsumeBool();
  const IpAddress src = ConsumeAddress(fdp, v6);
  const IpAddress dst = ConsumeAddress(fdp, v6);
  std::array<uint8_t, kHeader> header{};
  {
    const std::vector<uint8_t> h = fdp.ConsumeBytes<uint8_t>(kHeader);
    std::copy(h.begin(), h.end(), header.begin());
  }
  const size_t area_len = 4 * fdp.ConsumeIntegralInRange<size_t>(0, 10);
  std::vector<uint8_t> area = fdp.ConsumeBytes<uint8_t>(area_len);
  area.resize(area_len, kKindEol);
  const uint8_t offset_choice = fdp.ConsumeIntegralInRange<uint8_t>(0, 63);
  const size_t payload_len = fdp.ConsumeIntegralInRange<size_t>(0, 200);
  const std::vector<uint8_t> payload = fdp.ConsumeBytes<uint8_t>(payload_len);
  const size_t spare = fdp.ConsumeIntegralInRange<size_t>(0, 48);

  // Exactly sized: the editor must stay inside it.
  const size_t seg_len = kHeader + area.size() + payload.size();
  std::vector<uint8_t> buf(seg_len + spare, 0xee);
  std::copy(header.begin(), header.end(), buf.begin());
  std::copy(area.begin(), area.end(), buf.begin() + kHeader);
  std::copy(payload.begin(), payload.end(), buf.begin() + kHeader + area.size());
  const uint8_t words = offset_choice < 16 ? offset_choice : uint8_t((kHeader + area_len) / 4);
  buf[12] = uint8_t(words << 4 | (header[12] & 0x0f));
  buf[16] = buf[17] = 0;
  const uint16_t checksum = TcpChecksum(src, dst, Bytes(buf.data(), seg_len));
  FUZZ_CHECK(checksum == ReferenceChecksum(src, dst, Bytes(buf.data(), seg_len)));
  buf[16] = uint8_t(checksum >> 8);
  buf[17] = uint8_t(checksum);
  FUZZ_CHECK(TcpChecksum(src, dst, Bytes(buf.data(), seg_len)) == 0);

  Harness h(buf, seg_len, src, dst);
  TcpSegmentEditor& ed = h.editor();
  for (int i = 0; i < 16 && fdp.remaining_bytes() > 0; ++i) {
    const std::vector<uint8_t> before = buf;
    const size_t before_len = ed.segment_length();
    switch (fdp.ConsumeIntegralInRange<uint8_t>(0, 3)) {
      case 0: {  // InsertOption: Kind, a Length that is honest 7 times in 8, body
        std::vector<uint8_t> opt;
        opt.push_back(fdp.ConsumeIntegral<uint8_t>());
        const size_t body = fdp.ConsumeIntegralInRange<size_t>(0, 40);
        const bool honest = fdp.ConsumeIntegralInRange<uint8_t>(0, 7) != 0;
        opt.push_back(honest ? uint8_t(body + 2) : fdp.ConsumeIntegral<uint8_t>());
        std::vector<uint8_t> b = fdp.ConsumeBytes<uint8_t>(body);
        b.resize(body, 0);
        opt.insert(opt.end(), b.begin(), b.end());
        const std::vector<uint8_t> exact = Copy(Bytes(opt));
        const Expected want = h.ExpectInsert(Bytes(exact));
        h.Verify(ed.InsertOption(Bytes(exact)), want, before, before_len);
        break;
      }
      case 1: {  // InsertMptcp(MP_PREFER_PROXY): every subtype it can hold has a wire form
        const MpPreferProxy pp{*PreferProxySubtype::FromValue(
            fdp.ConsumeIntegralInRange<uint8_t>(PreferProxySubtype::kMin, PreferProxySubtype::kMax))};
        const uint8_t wire[4] = {kKindMptcp, 4, uint8_t(pp.subtype.value() << 4), 0};
        const Expected want = h.ExpectInsert(Bytes(wire, 4));
        h.Verify(ed.InsertMptcp(MptcpOption{pp}), want, before, before_len);
        break;
      }
      case 2: {
        const uint8_t subtype = fdp.ConsumeIntegralInRange<uint8_t>(0, 15);
        const Expected want = h.ExpectRemove(subtype);
        h.Verify(ed.RemoveMptcpSubtype(subtype), want, before, before_len);
        break;
      }
      default: {
        const uint16_t max_mss = fdp.ConsumeIntegral<uint16_t>();
        const Expected want = h.ExpectClamp(max_mss);
        h.Verify(ed.ClampMss(max_mss), want, before, before_len);
        break;
      }
    }
  }
}

}  // namespace
}  // namespace mptcp_opts::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mptcp_opts::fuzz::Run(data, size);
  return 0;
}
