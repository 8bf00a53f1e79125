// Session files (TOML with units in values) <-> SessionSpec. The only place names become types.
#pragma once

#include <string>
#include <string_view>

#include "libtissue/session/session_spec.hpp"

namespace tissue {

/// Reads a session file; errors are InputError with "file:line:col: field: message".
SessionSpec read_session_file(const std::string& path);
/// Parses session text; `label` names the source in error messages.
SessionSpec parse_session(std::string_view text, const std::string& label);
/// Names of the techniques a session file may use.
std::vector<std::string> technique_names();
/// Footprint by tool name ("palm", "thumb", ...); throws InputError listing the names.
Footprint footprint_by_name(std::string_view name, std::string_view field = "tool");

}  // namespace tissue
