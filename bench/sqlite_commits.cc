// sqlite_commits: how many durable single-row write transactions per second SQLite commits
// in a directory, with the settings openalb uses (WAL, synchronous=FULL). The ceiling for
// any write path that commits each request on its own.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "store/sqlite/sqlite_database.h"

int main(int argc, char** argv) {
  std::string path;
  double seconds = 3;
  CLI::App app{"sqlite_commits"};
  app.add_option("--database", path)->required();
  app.add_option("--seconds", seconds);
  CLI11_PARSE(app, argc, argv);
  auto db = openalb::SqliteDatabase::Open(path);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().internal.c_str()), 1;
  if (!(*db)->Exec("CREATE TABLE IF NOT EXISTS commits(id INTEGER PRIMARY KEY, at INTEGER)")) {
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long commits = 0;
  while (Clock::now() < until) {
    if (!(*db)->Exec("BEGIN IMMEDIATE; INSERT INTO commits(at) VALUES (1); COMMIT;")) return 1;
    ++commits;
  }
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("{\"commits\":%ld,\"seconds\":%.3f,\"commits_per_second\":%.0f}\n", commits, wall,
              commits / wall);
  return 0;
}
