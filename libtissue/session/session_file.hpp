// Session files (TOML with units in values) <-> SessionSpec. The only place names become types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libtissue/session/session_spec.hpp"

namespace tissue {

/// Reads a session file; errors are InputError with "file:line:col: field: message". A relative
/// [model] mesh path is taken relative to the session file's folder.
SessionSpec read_session_file(const std::string& path);
/// Parses session text; `label` names the source in error messages.
SessionSpec parse_session(std::string_view text, const std::string& label);
/// Names of the item types a session file may use (the techniques and "rest").
std::vector<std::string> technique_names();
/// Footprint by tool name ("palm", "thumb", ...); throws InputError listing the names.
Footprint footprint_by_name(std::string_view name, std::string_view field = "tool");

/// One key of a [[technique]] block, for listings (generated from the parser table).
struct TechniqueKeyInfo {
  std::string key;            ///< key name, e.g. "force"
  std::string kind;           ///< value kind, e.g. "force", "speed", "integer", "tool", "number"
  std::string default_value;  ///< default as written in a file, e.g. "30 N", or "(needed)"
  std::string doc;            ///< one-line meaning
  std::string range;          ///< plausible range the parser enforces, e.g. "0 N .. 300 N" ("" if none)
};

/// Description of one item type of a session file (generated from the parser table).
struct TechniqueInfo {
  std::string name;                    ///< type key, e.g. "stroking" or "rest"
  std::string summary;                 ///< one-line description
  std::vector<TechniqueKeyInfo> keys;  ///< its keys with kinds, defaults and meanings
};

/// Every item type with its keys, units and defaults, in table order (for `tissue techniques`).
std::vector<TechniqueInfo> technique_catalogue();

}  // namespace tissue
