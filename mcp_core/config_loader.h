// SPDX-License-Identifier: Apache-2.0
// The proto edge of the core's configuration: builds a plain mcp_core::Config
// (config.h) from config.proto's McpConfig, or from its textproto, and
// validates it. Only the embedder's start-up code includes this header; the
// converter and the per-segment path see config.h alone (no protobuf).
//
//   absl::StatusOr<mcp_core::Config> c = mcp_core::LoadConfig(textproto);
//   if (!c.ok()) std::cerr << c.status() << "\n";   // says which field and why
//   mcp_core::Converter converter(*c);
#ifndef MCP_CORE_CONFIG_LOADER_H_
#define MCP_CORE_CONFIG_LOADER_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mcp_core/config.h"
#include "mcp_core/config.pb.h"

namespace mcp_core {

// Converts and validates. Errors are InvalidArgument naming the field, e.g.
// "source_pool[1]: '10.0.0.300' is not an IP address".
absl::StatusOr<Config> ConfigFromProto(const McpConfig& proto);
// Parses textproto (syntax errors name line and column), then ConfigFromProto.
absl::StatusOr<Config> LoadConfig(const std::string& textproto);

// Parses `textproto` into `message` (any message type: an embedder's own
// config that holds an McpConfig uses it too). A syntax error is
// InvalidArgument with the first error's position, 1-based:
// "config textproto: line 3, column 7: Message type \"...\" has no field named ...".
absl::Status ParseConfigTextProto(const std::string& textproto, google::protobuf::Message& message);

}  // namespace mcp_core

#endif  // MCP_CORE_CONFIG_LOADER_H_
