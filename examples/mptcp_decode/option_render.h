// One decoded MPTCP option's fields, as mptcp-decode prints them: the text
// form ("MP_CAPABLE v1 flags=0x81 skey=...") and the JSON record's fields.
#ifndef EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_
#define EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_

#include <string>

#include "examples/mptcp_decode/json_object.h"
#include "mptcp_opts/mptcp_option.h"

namespace mptcp_decode {

// Appends the option's subtype name and fields, space-separated.
void AppendOptionText(std::string& out, const mptcp_opts::MptcpOption& o);
// Adds the option's fields (not its subtype) to a JSON record.
void AppendOptionJson(JsonObject& j, const mptcp_opts::MptcpOption& o);

}  // namespace mptcp_decode

#endif  // EXAMPLES_MPTCP_DECODE_OPTION_RENDER_H_
