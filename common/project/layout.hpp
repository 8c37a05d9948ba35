#pragma once
// Where a developer project keeps its things (README "database"): the scratch folder
// $LOCAL_DIR/focus and the directories under it, and the migrator program next to ours.
#include <filesystem>

namespace hectic::layout {

// The project's scratch folder: $LOCAL_DIR/focus (Error(missing_argument) without LOCAL_DIR).
std::filesystem::path focus_dir();

// `database backup`'s default output and `restore`/`normalize-backup`'s default input:
// $LOCAL_DIR/focus/postgresql-backup.
std::filesystem::path backup_dir();
// `database normalize-backup`'s default output: $LOCAL_DIR/focus/postgresql-backup-normalized.
std::filesystem::path normalized_backup_dir();
// Server, hydrate and migrator logs of the last `database diff`: $LOCAL_DIR/focus/postgresql-diff-logs.
std::filesystem::path diff_logs_dir();

// Where throw-away clusters (check, diff, normalize-backup) live: focus_dir(), unless we are
// root and the server account cannot traverse it (a checkout under /root): then beside
// PG_WORKING_DIR, which postgres-init needs reachable anyway.
std::filesystem::path scratch_parent();
// The check cluster's working dir: <scratch_parent>/postgresql-check-tmp
// ($LOCAL_DIR/focus/postgresql-check-tmp).
std::filesystem::path check_working_dir();

// The migrator binary: next to this executable, else on PATH (Error(missing_program)).
std::filesystem::path migrator_program();

} // namespace hectic::layout
