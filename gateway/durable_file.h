#pragma once
// Files that must survive a crash whole (snapshots, certificates and keys): written into a
// temporary file beside them, synced, renamed over them, and the directory synced. A crash
// leaves the old file or the new one, never half of one.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>

namespace ghx::gateway {

// The temporary file's suffix: what a crash may leave behind (replace_file_durably removes
// one it finds; SnapshotStore prunes them).
inline constexpr std::string_view durable_temp_suffix = ".tmp";

// Replaces `path` with `parts`, one after the other, durably. The file is created with `mode`
// from the start (a key is never readable by others, even briefly). Returns what failed, or an
// empty string.
std::string replace_file_durably(const std::filesystem::path& path, mode_t mode,
                                 std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace ghx::gateway
