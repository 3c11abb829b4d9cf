-- SPDX-License-Identifier: Apache-2.0
--
-- mptcp_assist.lua: a Wireshark 4.0 post-dissector for the two signals of
-- draft-boucadair-mptcp-plain-mode-10 that Wireshark shows as "Unknown (14)"
-- or as opaque SYN data:
--
--   * MP_PREFER_PROXY, an MPTCP option (kind 30) whose subtype was never
--     assigned (docs/spec/decisions.md D5: a preference, 0x9..0xE, default
--     0xE), flagged "not applicable" outside a SYN carrying MP_CAPABLE (D10);
--   * the MP_CONVERT information elements that lead the payload of a SYN and
--     its echo in the SYN/ACK (wire-formats.md section 3, decisions.md D1-D7).
--
-- It follows the reference codec (mptcp_opts/mp_convert_ie.h,
-- mptcp_opts/mp_prefer_proxy.h, mptcp_opts/tcp_option_walker.h) rule for rule
-- and uses its status names, so `mptcp-decode --json` and this dissector say
-- the same thing about the same bytes; tools/wireshark/tshark_compare_test.py
-- checks that on every shipped capture. Every byte string gives fields or an
-- expert error: every read below is bounds-checked first.
--
--   tshark -X lua_script:tools/wireshark/mptcp_assist.lua -r CAPTURE -V
--   tshark -X lua_script:tools/wireshark/mptcp_assist.lua -r CAPTURE \
--       -Y 'mpconvert.ie.port == 443' -T fields -e frame.number -e mpconvert.ie.address

local DRAFT = "draft-boucadair-mptcp-plain-mode-10"

-- Wire constants (mptcp_opts/mp_convert_ie.h, option_header.h).
local KIND_EOL, KIND_NOP, KIND_MPTCP = 0, 1, 30
local MAX_OPTION_AREA = 40
local MP_CAPABLE_SUBTYPE = 0
local PREFER_PROXY_LENGTH = 4
local IE_MAGIC = 0xFAA8FAA8            -- D2: every IE starts with it
local IE_TYPE_ADDRESS = 0
local IE_FLAG_SOURCE, IE_FLAG_LAST = 0x02, 0x01
local MAX_ADDRESS_IES = 2              -- D7
local MAX_IES_WALKED = 4               -- D6/D7: bound on IEs walked, skipped Types included

-- ---------------------------------------------------------------------------
-- Protocols, fields, expert infos

local p_convert = Proto("mpconvert", "MP_CONVERT Information Elements (" .. DRAFT .. ")")
local p_proxy = Proto("mp_prefer_proxy", "MP_PREFER_PROXY (" .. DRAFT .. ")")

local ie_types = { [IE_TYPE_ADDRESS] = "IP address and optional port" }
local directions = { [0] = "Destination", [1] = "Source" }

local cf = {
  status = ProtoField.string("mpconvert.status", "Status",
    "OK, or the codec's name for what is wrong with the IE list (decisions.md D7)"),
  count = ProtoField.uint8("mpconvert.count", "Address IEs", base.DEC),
  echo = ProtoField.bool("mpconvert.echo", "Echo in a SYN/ACK (decisions.md D3)"),
  data_len = ProtoField.uint32("mpconvert.data_len", "Application data after the IEs", base.DEC),
  truncated = ProtoField.bool("mpconvert.truncated_capture", "Capture truncated inside the payload"),
  skipped = ProtoField.uint8("mpconvert.skipped_unknown_type", "IEs of unknown Type skipped (D6)", base.DEC),
  ie = ProtoField.none("mpconvert.ie", "MP_CONVERT IE"),
  magic = ProtoField.uint32("mpconvert.ie.magic", "Magic Number", base.HEX),
  type = ProtoField.uint8("mpconvert.ie.type", "Type", base.DEC, ie_types),
  length = ProtoField.uint8("mpconvert.ie.length", "Length", base.DEC, nil, nil,
    "From Type to the end of Address/Port, without magic and padding (decisions.md D1)"),
  reserved = ProtoField.uint16("mpconvert.ie.reserved", "Reserved", base.HEX, nil, 0xFFFC),
  direction = ProtoField.uint16("mpconvert.ie.direction", "D (direction)", base.DEC, directions,
    IE_FLAG_SOURCE, "1: the address (and port) is the source; 0: the destination"),
  last = ProtoField.bool("mpconvert.ie.last", "M (last IE)", 16, nil, IE_FLAG_LAST,
    "1: this is the last IE, what follows is application data; 0: another IE follows"),
  ipv4 = ProtoField.ipv4("mpconvert.ie.ipv4", "Address"),
  ipv6 = ProtoField.ipv6("mpconvert.ie.ipv6", "Address"),
  address = ProtoField.string("mpconvert.ie.address", "Address (text, either family)"),
  port = ProtoField.uint16("mpconvert.ie.port", "Port", base.DEC),
  padding = ProtoField.bytes("mpconvert.ie.padding", "Padding"),
  value = ProtoField.bytes("mpconvert.ie.value", "Value (unknown Type)"),
  ie_status = ProtoField.string("mpconvert.ie.status", "IE status",
    "OK for an IE the codec accepts, else the error found at this IE"),
}
p_convert.fields = {
  cf.status, cf.count, cf.echo, cf.data_len, cf.truncated, cf.skipped, cf.ie, cf.magic, cf.type, cf.length,
  cf.reserved, cf.direction, cf.last, cf.ipv4, cf.ipv6, cf.address, cf.port, cf.padding,
  cf.value, cf.ie_status,
}

local ce = {
  malformed = ProtoExpert.new("mpconvert.malformed", "Malformed MP_CONVERT IE list",
    expert.group.MALFORMED, expert.severity.ERROR),
  truncated = ProtoExpert.new("mpconvert.truncated_capture",
    "Capture truncated inside the SYN payload", expert.group.MALFORMED, expert.severity.WARN),
  unknown_type = ProtoExpert.new("mpconvert.unknown_type",
    "MP_CONVERT IE of unknown Type: skipped, not echoed (decisions.md D6)",
    expert.group.PROTOCOL, expert.severity.NOTE),
}
p_convert.experts = { ce.malformed, ce.truncated, ce.unknown_type }

local pf = {
  kind = ProtoField.uint8("mp_prefer_proxy.kind", "Kind", base.DEC),
  length = ProtoField.uint8("mp_prefer_proxy.length", "Length", base.DEC),
  subtype = ProtoField.uint8("mp_prefer_proxy.subtype", "Subtype", base.HEX, nil, 0xF0),
  reserved = ProtoField.uint16("mp_prefer_proxy.reserved", "Reserved", base.HEX, nil, 0x0FFF),
  applicable = ProtoField.bool("mp_prefer_proxy.applicable",
    "Applicable (SYN, not SYN/ACK, with MP_CAPABLE)"),
  status = ProtoField.string("mp_prefer_proxy.status", "Status",
    "OK, or the codec's DecodeStatus name"),
}
p_proxy.fields = { pf.kind, pf.length, pf.subtype, pf.reserved, pf.applicable, pf.status }

local pe = {
  not_applicable = ProtoExpert.new("mp_prefer_proxy.not_applicable",
    "MP_PREFER_PROXY not applicable: not in a SYN carrying MP_CAPABLE, the receiver ignores it (decisions.md D10)",
    expert.group.PROTOCOL, expert.severity.WARN),
  malformed = ProtoExpert.new("mp_prefer_proxy.malformed", "Malformed MP_PREFER_PROXY",
    expert.group.MALFORMED, expert.severity.ERROR),
}
p_proxy.experts = { pe.not_applicable, pe.malformed }

-- D5: the subtype is a setting, one of the subtypes IANA left unassigned,
-- written as mptcp-decode's --prefer-proxy-subtype takes it (decimal or 0x
-- hex). A value outside 0x9..0xE is refused with a message naming the
-- preference, and the last good value (at first 0xE) stays in use.
local SUBTYPE_MIN, SUBTYPE_MAX, SUBTYPE_DEFAULT = 0x9, 0xE, 0xE
local RANGE_REASON = "0x9..0xE, the MPTCP subtypes IANA left unassigned (decisions.md D5)"
p_proxy.prefs.subtype = Pref.string("MP_PREFER_PROXY subtype", "0xE",
  "The MPTCP subtype MP_PREFER_PROXY is decoded with, decimal or 0x hex. Never assigned " ..
  "by IANA; one of " .. RANGE_REASON .. ". Default 0xE, as earlier draft revisions suggested.")
local prefer_proxy_subtype = SUBTYPE_DEFAULT

local function parse_subtype(text)
  text = text:match("^%s*(.-)%s*$")
  local digits, base = text, 10
  if text:match("^0[xX]") then digits, base = text:sub(3), 16 end
  if base == 10 and not digits:match("^%d+$") then return nil, "is not a number" end
  if base == 16 and not digits:match("^%x+$") then return nil, "is not a number" end
  local v = tonumber(digits, base)
  if v < SUBTYPE_MIN or v > SUBTYPE_MAX then return nil, "is outside " .. RANGE_REASON end
  return v
end

function p_proxy.prefs_changed()
  local text = p_proxy.prefs.subtype
  local v, why = parse_subtype(text)
  if v == nil then
    report_failure(string.format("mp_prefer_proxy.subtype: '%s' %s; still using 0x%x",
      text, why, prefer_proxy_subtype))
    return
  end
  prefer_proxy_subtype = v
end

-- ---------------------------------------------------------------------------
-- Fields read from Wireshark's own TCP dissection. Only the position of each
-- TCP header and its segment length are taken; the bytes are read here.

local f_tcp_srcport = Field.new("tcp.srcport")
local f_tcp_len = Field.new("tcp.len")

-- ---------------------------------------------------------------------------
-- Helpers

local function hex16(v) return string.format("%x", v) end

-- Text of an address, as inet_ntop(3) writes it (what mptcp-decode prints).
local function ipv4_text(tvb, off)
  return string.format("%d.%d.%d.%d", tvb(off, 1):uint(), tvb(off + 1, 1):uint(),
    tvb(off + 2, 1):uint(), tvb(off + 3, 1):uint())
end

local function ipv6_text(tvb, off)
  local w = {}
  for i = 0, 7 do w[i] = tvb(off + 2 * i, 2):uint() end
  -- The longest run of two or more zero groups (the first on a tie) becomes "::".
  local best_at, best_len, run_at, run_len = -1, 0, -1, 0
  for i = 0, 7 do
    if w[i] == 0 then
      if run_at < 0 then run_at, run_len = i, 1 else run_len = run_len + 1 end
      if run_len > best_len then best_at, best_len = run_at, run_len end
    else
      run_at, run_len = -1, 0
    end
  end
  if best_len < 2 then best_at = -1 end
  -- ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 tail in dotted form.
  local v4_tail = best_at == 0 and (best_len == 6 or (best_len == 5 and w[5] == 0xffff))
  local i, out = 0, ""
  while i <= 7 do
    if i == best_at then
      out = out .. "::"
      i = i + best_len
    else
      if i > 0 and out:sub(-1) ~= ":" then out = out .. ":" end
      if v4_tail and i == 6 then
        out = out .. ipv4_text(tvb, off + 12)
        break
      end
      out = out .. hex16(w[i])
      i = i + 1
    end
  end
  return out
end

-- IsAllowedIeAddress (mp_convert_ie.h): not unspecified, loopback,
-- multicast or broadcast; IPv4-mapped IPv6 judged as the IPv4 address.
local function v4_allowed(tvb, off)
  local b0, b1, b2, b3 = tvb(off, 1):uint(), tvb(off + 1, 1):uint(), tvb(off + 2, 1):uint(),
      tvb(off + 3, 1):uint()
  if b0 == 0 or b0 == 127 then return false end
  if b0 >= 0xE0 and b0 <= 0xEF then return false end
  if b0 == 255 and b1 == 255 and b2 == 255 and b3 == 255 then return false end
  return true
end

local function v6_allowed(tvb, off)
  local b = {}
  for i = 0, 15 do b[i] = tvb(off + i, 1):uint() end
  if b[0] == 0xFF then return false end
  local zero_prefix = true
  for i = 0, 9 do zero_prefix = zero_prefix and b[i] == 0 end
  if zero_prefix and b[10] == 0xFF and b[11] == 0xFF then return v4_allowed(tvb, off + 12) end
  local all_zero_but_last = zero_prefix and b[10] == 0 and b[11] == 0 and b[12] == 0 and
      b[13] == 0 and b[14] == 0
  if all_zero_but_last and (b[15] == 0 or b[15] == 1) then return false end
  return true
end

-- TcpOptionWalker: the options of an area (offsets into `tvb`), the status
-- ("OK", "BAD_OPTION_LENGTH" or "OPTION_PAST_END") and the offset where the
-- walk stopped.
local function walk_options(tvb, area_at, area_len)
  local options = {}
  local at, stop = 0, area_len
  while at < stop do
    local kind = tvb(area_at + at, 1):uint()
    if kind == KIND_EOL then return options, "OK", area_at + at end
    if kind == KIND_NOP then
      at = at + 1
    else
      if at + 1 >= stop then return options, "OPTION_PAST_END", area_at + at end
      local len = tvb(area_at + at + 1, 1):uint()
      if len < 2 then return options, "BAD_OPTION_LENGTH", area_at + at end
      if len > stop - at then return options, "OPTION_PAST_END", area_at + at end
      options[#options + 1] = { kind = kind, at = area_at + at, len = len }
      at = at + len
    end
  end
  return options, "OK", area_at + at
end

local function mptcp_subtype(tvb, o)
  if o.kind ~= KIND_MPTCP or o.len < 3 then return nil end
  return math.floor(tvb(o.at + 2, 1):uint() / 16)
end

-- ---------------------------------------------------------------------------
-- MP_PREFER_PROXY (mp_prefer_proxy.h Decode, IsPreferProxyApplicable)

-- The option the snapshot length cut (mptcp-decode: TRUNCATED_CAPTURE), when
-- its kind, length and subtype bytes say it is MP_PREFER_PROXY.
local function dissect_cut_prefer_proxy(tvb, tree, pinfo, at, captured_end)
  if captured_end - at < 3 or tvb(at, 1):uint() ~= KIND_MPTCP then return end
  if math.floor(tvb(at + 2, 1):uint() / 16) ~= prefer_proxy_subtype then return end
  local t = tree:add(p_proxy, tvb(at, captured_end - at))
  t:add(pf.kind, tvb(at, 1))
  t:add(pf.length, tvb(at + 1, 1))
  t:add(pf.subtype, tvb(at + 2, 1))
  t:add(pf.status, tvb(at, captured_end - at), "TRUNCATED_CAPTURE"):set_generated()
  t:add_proto_expert_info(pe.malformed, string.format(
    "MP_PREFER_PROXY: TRUNCATED_CAPTURE (%d of %d bytes captured)", captured_end - at,
    tvb(at + 1, 1):uint()))
  t:append_text(": TRUNCATED_CAPTURE")
  pinfo.cols.info:append(" [MP_PREFER_PROXY truncated capture]")
end

local function dissect_prefer_proxy(tvb, tree, pinfo, seg, options)
  local wanted = prefer_proxy_subtype
  local has_mp_capable = nil
  for _, o in ipairs(options) do
    if mptcp_subtype(tvb, o) == wanted then
      local r = tvb(o.at, o.len)
      local t = tree:add(p_proxy, r)
      t:add(pf.kind, tvb(o.at, 1))
      t:add(pf.length, tvb(o.at + 1, 1))
      t:add(pf.subtype, tvb(o.at + 2, 1))
      if o.len ~= PREFER_PROXY_LENGTH then
        t:add(pf.status, r, "BAD_LENGTH"):set_generated()
        t:add_proto_expert_info(pe.malformed,
          string.format("Malformed MP_PREFER_PROXY: BAD_LENGTH (Length %d, must be %d)",
            o.len, PREFER_PROXY_LENGTH))
        t:append_text(": BAD_LENGTH")
        pinfo.cols.info:append(" [MP_PREFER_PROXY malformed: BAD_LENGTH]")
      else
        t:add(pf.reserved, tvb(o.at + 2, 2))
        t:add(pf.status, r, "OK"):set_generated()
        if has_mp_capable == nil then
          has_mp_capable = false
          for _, m in ipairs(options) do
            if mptcp_subtype(tvb, m) == MP_CAPABLE_SUBTYPE then has_mp_capable = true end
          end
        end
        local applicable = seg.syn and not seg.ack and has_mp_capable
        t:add(pf.applicable, r, applicable):set_generated()
        if applicable then
          pinfo.cols.info:append(" MP_PREFER_PROXY")
        else
          t:append_text(", not applicable")
          t:add_proto_expert_info(pe.not_applicable)
          pinfo.cols.info:append(" [MP_PREFER_PROXY ignored: not in SYN with MP_CAPABLE]")
        end
      end
    end
  end
end

-- ---------------------------------------------------------------------------
-- MP_CONVERT IEs (mp_convert_ie.h ParseMpConvertIes)

local function starts_with_magic(tvb, at, stop)
  return stop - at >= 4 and tvb(at, 4):uint() == IE_MAGIC
end

-- Adds the fields of the IE header that are in the payload (up to 8 bytes).
local function add_ie_header(tvb, it, at, stop)
  it:add(cf.magic, tvb(at, 4))
  if stop - at >= 5 then it:add(cf.type, tvb(at + 4, 1)) end
  if stop - at >= 6 then it:add(cf.length, tvb(at + 5, 1)) end
  if stop - at >= 8 then
    it:add(cf.reserved, tvb(at + 6, 2))
    it:add(cf.direction, tvb(at + 6, 2))
    it:add(cf.last, tvb(at + 6, 2))
  end
end

local function dissect_ies(tvb, tree, pinfo, seg)
  local start, stop = seg.payload_at, seg.payload_at + seg.payload_captured
  if not starts_with_magic(tvb, start, stop) then return end  -- NO_IE: all application data

  local root = tree:add(p_convert, tvb(start, stop - start))
  local at, walked, expect_more = start, 0, true
  local accepted, skipped = {}, 0
  local status = "OK"
  local cur = nil  -- the subtree of the IE being read

  local function fail(name, why)
    status = name
    local where = cur or root
    if cur then cur:add(cf.ie_status, tvb(at, math.min(4, stop - at)), name):set_generated() end
    where:add_proto_expert_info(ce.malformed,
      string.format("Malformed MP_CONVERT IE list: %s (%s)", name, why))
    if cur then cur:append_text(" [" .. name .. "]") end
  end

  while expect_more do
    cur = nil
    if at == stop or not starts_with_magic(tvb, at, stop) then
      fail("MISSING_LAST_FLAG", "the last IE present has M=0")
      break
    end
    walked = walked + 1
    local avail = stop - at
    cur = root:add(cf.ie, tvb(at, math.min(avail, 8)))
    if walked > MAX_IES_WALKED then
      cur:add(cf.magic, tvb(at, 4))
      fail("TOO_MANY_IES", string.format("more than %d IEs", MAX_IES_WALKED))
      break
    end
    add_ie_header(tvb, cur, at, stop)
    if avail < 8 then
      fail("PAST_END", "the IE header reaches past the end of the payload")
      break
    end
    local ie_type, length = tvb(at + 4, 1):uint(), tvb(at + 5, 1):uint()
    local flags = tvb(at + 7, 1):uint()
    local source = math.floor(flags / 2) % 2 == 1
    local last = flags % 2 == 1
    if length < 4 then
      fail("BAD_LENGTH", string.format("Length %d is below 4", length))
      break
    end
    local total = 4 + math.floor((length + 3) / 4) * 4
    if total > avail then
      fail("PAST_END", string.format("Length %d reaches past the end of the payload", length))
      break
    end
    cur:set_len(total)
    expect_more = not last
    if ie_type ~= IE_TYPE_ADDRESS then
      skipped = skipped + 1
      if total > 8 then cur:add(cf.value, tvb(at + 8, total - 8)) end
      cur:add(cf.ie_status, tvb(at, 4), "SKIPPED"):set_generated()
      cur:append_text(string.format(": unknown Type %d, skipped", ie_type))
      cur:add_proto_expert_info(ce.unknown_type)
      at = at + total
    else
      local addr_len, has_port
      if length == 8 then addr_len, has_port = 4, false
      elseif length == 10 then addr_len, has_port = 4, true
      elseif length == 20 then addr_len, has_port = 16, false
      elseif length == 22 then addr_len, has_port = 16, true
      end
      if addr_len == nil then
        fail("BAD_LENGTH", string.format("Length %d is not 8, 10, 20 or 22", length))
        break
      end
      local text, allowed
      if addr_len == 4 then
        cur:add(cf.ipv4, tvb(at + 8, 4))
        text, allowed = ipv4_text(tvb, at + 8), v4_allowed(tvb, at + 8)
      else
        cur:add(cf.ipv6, tvb(at + 8, 16))
        text, allowed = ipv6_text(tvb, at + 8), v6_allowed(tvb, at + 8)
      end
      cur:add(cf.address, tvb(at + 8, addr_len), text):set_hidden()
      local port = nil
      if has_port then
        port = tvb(at + 8 + addr_len, 2):uint()
        cur:add(cf.port, tvb(at + 8 + addr_len, 2))
      end
      local used = 4 + length
      if total > used then cur:add(cf.padding, tvb(at + used, total - used)) end
      local endpoint = text
      if port then
        endpoint = (addr_len == 16 and ("[" .. text .. "]") or text) .. ":" .. port
      end
      cur:append_text(string.format(": %s %s", source and "source" or "destination", endpoint))
      if not allowed then
        fail("BAD_ADDRESS_CLASS", "multicast, broadcast, loopback or unspecified address")
        break
      end
      if #accepted == MAX_ADDRESS_IES then
        fail("TOO_MANY_IES", string.format("more than %d address IEs", MAX_ADDRESS_IES))
        break
      end
      if #accepted == 1 and accepted[1].source == source then
        fail("DUPLICATE_DIRECTION", "two address IEs with the same D")
        break
      end
      cur:add(cf.ie_status, tvb(at, 4), "OK"):set_generated()
      accepted[#accepted + 1] = { source = source, endpoint = endpoint }
      at = at + total
    end
  end

  root:add(cf.status, tvb(start, 0), status):set_generated()
  root:add(cf.count, tvb(start, 0), #accepted):set_generated()
  root:add(cf.echo, tvb(start, 0), seg.ack):set_generated()
  if skipped > 0 then root:add(cf.skipped, tvb(start, 0), skipped):set_generated() end
  if status == "OK" then
    root:add(cf.data_len, tvb(start, 0), seg.payload_len - (at - start)):set_generated()
    root:set_len(at - start)
  end
  if seg.payload_captured < seg.payload_len then
    root:add(cf.truncated, tvb(start, 0), true):set_generated()
    root:add_proto_expert_info(ce.truncated, string.format(
      "Capture truncated inside the SYN payload: %d of %d bytes captured",
      seg.payload_captured, seg.payload_len))
  end

  local summary = {}
  for _, ie in ipairs(accepted) do
    summary[#summary + 1] = (ie.source and "src " or "dst ") .. ie.endpoint
  end
  local text = #summary > 0 and table.concat(summary, ", ") or "no address IE"
  if status ~= "OK" then
    text = (#summary > 0 and text .. ", " or "") .. "malformed: " .. status
  end
  root:append_text(": " .. text)
  pinfo.cols.info:append(" MP_CONVERT " .. text)
end

-- ---------------------------------------------------------------------------
-- The post-dissector: every TCP header Wireshark found in the frame.

local function tcp_segment_len_at(offset)
  for _, fi in ipairs({ f_tcp_len() }) do
    if fi.offset == offset then return fi.value end
  end
  return nil
end

function p_convert.dissector(_, pinfo, tree)
  for _, port_fi in ipairs({ f_tcp_srcport() }) do
    local tvb = port_fi.source
    local h = port_fi.offset
    -- A TCP header whose fixed 20 bytes were captured, with a sane data
    -- offset; anything else is Wireshark's own error to report.
    if tvb ~= nil and h >= 0 and tvb:len() - h >= 20 then
      local hdr_len = math.floor(tvb(h + 12, 1):uint() / 16) * 4
      local flags = tvb(h + 13, 1):uint()
      local seg_len = tcp_segment_len_at(h)
      local captured = math.min(tvb:len() - h, hdr_len)  -- the header bytes captured
      -- Wireshark adds tcp.len only when the IP length holds the header.
      if hdr_len >= 20 and seg_len ~= nil and seg_len >= 0 then
        local seg = {
          syn = math.floor(flags / 2) % 2 == 1,
          ack = math.floor(flags / 16) % 2 == 1,
        }
        -- A capture cut inside the option area still shows the options
        -- captured whole, as mptcp-decode and tcpdump do.
        local cut = captured < hdr_len
        local area_len = math.min(captured - 20, MAX_OPTION_AREA)
        if area_len > 0 then
          local options, status, stopped = walk_options(tvb, h + 20, area_len)
          dissect_prefer_proxy(tvb, tree, pinfo, seg, options)
          if cut and status == "OPTION_PAST_END" then
            dissect_cut_prefer_proxy(tvb, tree, pinfo, stopped, h + 20 + area_len)
          end
        end
        -- D3/D4: IEs lead the payload of a SYN and its echo in the SYN/ACK.
        if not cut and seg.syn and seg_len > 0 then
          seg.payload_at = h + hdr_len
          seg.payload_len = seg_len
          seg.payload_captured = math.min(seg_len, tvb:len() - seg.payload_at)
          if seg.payload_captured > 0 then dissect_ies(tvb, tree, pinfo, seg) end
        end
      end
    end
  end
end

register_postdissector(p_convert)
