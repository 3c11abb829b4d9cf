// SPDX-License-Identifier: Apache-2.0
// One decoded MPTCP option's fields, as mptcp-decode prints them: the text
// form ("MP_CAPABLE v1 flags=0x81 csum hmac-sha256 skey=...") and the JSON
// record's fields. Both walk the option's description (mptcp_opts/
// option_fields.h); nothing here is written per option.
#ifndef EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_
#define EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_

#include <string>

#include "examples/mptcp_decode/json_object.h"
#include "mptcp_opts/mp_convert_ie.h"
#include "mptcp_opts/mptcp_option.h"

namespace mptcp_decode {

// Appends the option's subtype name and fields, space-separated.
void AppendOptionText(std::string& out, const mptcp_opts::MptcpOption& o);
// Adds the option's fields (not its subtype) to a JSON record.
void AppendOptionJson(JsonObject& j, const mptcp_opts::MptcpOption& o);

// The same for one MP_CONVERT IE: "MP_CONVERT src 192.0.2.1:443", and the
// record's "direction", "address" and "port".
void AppendIeText(std::string& out, const mptcp_opts::MpConvertIe& ie);
void AppendIeJson(JsonObject& j, const mptcp_opts::MpConvertIe& ie);

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_
