// Jobs and ClientTokens: SqlTx's statements for the jobs, job_counts and client_tokens
// tables, including the claim of due jobs.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kJobColumns =
    "job_id, account_id, api_name, operate_type, resource_type, resource_id, status, "
    "error_code, error_message, payload, created_ms, modified_ms, run_after_ms, awaiting_version";

Job ReadJob(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4),
          s.ColumnText(5), s.ColumnText(6), s.ColumnText(7), s.ColumnText(8), s.ColumnText(9),
          s.ColumnInt(10), s.ColumnInt(11), s.ColumnInt(12), s.ColumnInt(13)};
}

}  // namespace

// Jobs.

Result<void> SqlTx::InsertJob(const Job& j) {
  inserted_job_ = true;
  return RunOne(db_,
                "INSERT INTO jobs(" + std::string(kJobColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, j.job_id)
                      .Bind(2, j.account_id)
                      .Bind(3, j.api_name)
                      .Bind(4, j.operate_type)
                      .Bind(5, j.resource_type)
                      .Bind(6, j.resource_id)
                      .Bind(7, j.status)
                      .Bind(8, j.error_code)
                      .Bind(9, j.error_message)
                      .Bind(10, j.payload)
                      .Bind(11, j.created_ms)
                      .Bind(12, j.modified_ms)
                      .Bind(13, j.run_after_ms)
                      .Bind(14, j.awaiting_version);
                });
}

Result<std::optional<Job>> SqlTx::FindJob(std::string_view id) {
  return FindOne<Job>(
      db_, "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE job_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id); }, ReadJob);
}

Result<void> SqlTx::UpdateJob(const Job& j) {
  return RunOne(db_,
                "UPDATE jobs SET status = ?, error_code = ?, error_message = ?, modified_ms = ?, "
                "run_after_ms = ?, awaiting_version = ? WHERE job_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, j.status)
                      .Bind(2, j.error_code)
                      .Bind(3, j.error_message)
                      .Bind(4, j.modified_ms)
                      .Bind(5, j.run_after_ms)
                      .Bind(6, j.awaiting_version)
                      .Bind(7, j.job_id);
                });
}

Result<Page<Job>> SqlTx::ListJobs(const JobFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("job_id", filter.ids);
  where.In("resource_id", filter.resource_ids);
  where.Eq("resource_type", filter.resource_type);
  where.Eq("api_name", filter.api_name);
  if (filter.created_from_ms) where.Compare("created_ms", ">=", *filter.created_from_ms);
  if (filter.created_to_ms) where.Compare("created_ms", "<=", *filter.created_to_ms);
  std::optional<std::int64_t> total;
  const bool whole_account = filter.ids.empty() && filter.resource_ids.empty() &&
                             filter.resource_type.empty() && filter.api_name.empty() &&
                             !filter.created_from_ms && !filter.created_to_ms;
  if (whole_account) {  // counted by triggers (migration 5) rather than scanned
    auto counted = FindOne<std::int64_t>(
        db_, "SELECT jobs FROM job_counts WHERE account_id = ?",
        [&](SqlStatement& s) { s.Bind(1, filter.account_id); },
        [](SqlStatement& s) { return s.ColumnInt(0); });
    if (!counted) return Fail(counted.error());
    total = counted->value_or(0);
  }
  return ListPage<Job>(db_, "jobs", kJobColumns, where, "seq", true, page, ReadJob, total);
}

Result<std::vector<Job>> SqlTx::DueJobs(std::int64_t now_ms, int limit) {
  auto stmt = db_.Prepare("SELECT " + std::string(kJobColumns) +
                          " FROM jobs WHERE status = 'Processing' AND run_after_ms <= ? "
                          "AND awaiting_version = 0 "
                          "ORDER BY run_after_ms, seq LIMIT ?" +  // the jobs_pending index
                          std::string(dialect_.claim_rows));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, now_ms).Bind(2, std::int64_t{limit});
  return Rows<Job>(*stmt, ReadJob);
}

Result<std::vector<Job>> SqlTx::AwaitingJobs(int limit) {
  auto stmt = db_.Prepare("SELECT " + std::string(kJobColumns) +
                          " FROM jobs WHERE status = 'Processing' AND awaiting_version > 0 "
                          "ORDER BY seq LIMIT ?" +  // the jobs_awaiting index
                          std::string(dialect_.claim_rows));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, std::int64_t{limit});
  return Rows<Job>(*stmt, ReadJob);
}

Result<std::vector<Job>> SqlTx::PublishedJobs() {
  auto stmt = db_.Prepare("SELECT " + std::string(kJobColumns) +
                          " FROM jobs WHERE status = 'Processing' AND awaiting_version > 0 "
                          "ORDER BY seq");
  if (!stmt) return Fail(stmt.error());
  return Rows<Job>(*stmt, ReadJob);
}

Result<int> SqlTx::RescheduleProcessingJobs(std::int64_t delay_ms) {
  auto r = RunOne(db_, "UPDATE jobs SET run_after_ms = created_ms + ? WHERE status = 'Processing'",
                  [&](SqlStatement& s) { s.Bind(1, delay_ms); });
  if (!r) return Fail(r.error());
  return db_.Changes();
}

Result<std::optional<std::int64_t>> SqlTx::NextJobTime() {
  auto stmt = db_.Prepare(
      "SELECT MIN(run_after_ms) FROM jobs WHERE status = 'Processing' AND awaiting_version = 0");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row || stmt->ColumnIsNull(0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{stmt->ColumnInt(0)};
}

Result<std::int64_t> SqlTx::CountProcessingJobs() {
  auto stmt = db_.Prepare("SELECT COUNT(*) FROM jobs WHERE status = 'Processing'");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  return *row ? stmt->ColumnInt(0) : 0;
}

// ClientTokens.

Result<std::optional<ClientTokenRecord>> SqlTx::FindClientToken(std::string_view account_id,
                                                                std::string_view api_name,
                                                                std::string_view token) {
  auto stmt = db_.Prepare(
      "SELECT account_id, api_name, token, fingerprint, job_id, created_ms FROM client_tokens "
      "WHERE account_id = ? AND api_name = ? AND token = ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, account_id).Bind(2, api_name).Bind(3, token);
  return OneRow<ClientTokenRecord>(*stmt, [](const SqlStatement& s) {
    return ClientTokenRecord{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                             s.ColumnText(3), s.ColumnText(4), s.ColumnInt(5)};
  });
}

Result<void> SqlTx::InsertClientToken(const ClientTokenRecord& r) {
  return RunOne(
      db_,
      "INSERT INTO client_tokens(account_id, api_name, token, fingerprint, job_id, created_ms) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, api_name, token) DO UPDATE SET "
      "fingerprint = excluded.fingerprint, job_id = excluded.job_id, "
      "created_ms = excluded.created_ms",
      [&](SqlStatement& s) {
        s.Bind(1, r.account_id)
            .Bind(2, r.api_name)
            .Bind(3, r.token)
            .Bind(4, r.fingerprint)
            .Bind(5, r.job_id)
            .Bind(6, r.created_ms);
      });
}

Result<int> SqlTx::DeleteClientTokensBefore(std::int64_t before_ms) {
  auto r = RunOne(db_, "DELETE FROM client_tokens WHERE created_ms < ?",
                  [&](SqlStatement& s) { s.Bind(1, before_ms); });
  if (!r) return Fail(r.error());
  return db_.Changes();
}

}  // namespace openalb
