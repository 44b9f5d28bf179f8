#include "store/postgres/pg_connection.h"

#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

namespace openalb {

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++next);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

constexpr Oid kByteaOid = 17;

int CountPlaceholders(std::string_view numbered) {
  int n = 0;
  for (size_t i = 0; i + 1 < numbered.size(); ++i) {
    if (numbered[i] == '$' && numbered[i + 1] >= '0' && numbered[i + 1] <= '9') ++n;
  }
  return n;
}

class PgStatement final : public SqlStatementImpl {
 public:
  PgStatement(PgConnection& conn, std::string name, std::string sql, int params)
      : conn_(conn),
        name_(std::move(name)),
        sql_(std::move(sql)),
        values_(static_cast<size_t>(params)),
        formats_(static_cast<size_t>(params), 0) {}
  ~PgStatement() override {
    if (result_ != nullptr) PQclear(result_);
  }

  void Bind(int index, std::string_view text) override { Set(index, std::string(text), 0); }
  void Bind(int index, std::int64_t value) override { Set(index, std::to_string(value), 0); }
  void BindBlob(int index, std::string_view bytes) override { Set(index, std::string(bytes), 1); }

  Result<bool> Step() override {
    if (result_ == nullptr) {
      auto ran = WithParameters([&](int count, const char* const* values, const int* lengths) {
        return conn_.Run(name_, sql_, count, values, lengths, formats_.data());
      });
      if (!ran) return Fail(ran.error());
      result_ = *ran;
      row_ = 0;
    } else {
      ++row_;
    }
    return row_ < PQntuples(result_);
  }

  std::string ColumnText(int index) const override {
    if (PQgetisnull(result_, row_, index)) return {};
    const char* value = PQgetvalue(result_, row_, index);
    if (PQftype(result_, index) == kByteaOid) {
      size_t length = 0;
      unsigned char* bytes =
          PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &length);
      if (bytes == nullptr) return {};
      std::string out(reinterpret_cast<const char*>(bytes), length);
      PQfreemem(bytes);
      return out;
    }
    return std::string(value, static_cast<size_t>(PQgetlength(result_, row_, index)));
  }

  std::int64_t ColumnInt(int index) const override {
    const char* value = PQgetvalue(result_, row_, index);
    std::int64_t out = 0;
    std::from_chars(value, value + std::strlen(value), out);
    return out;
  }

  bool ColumnIsNull(int index) const override { return PQgetisnull(result_, row_, index) != 0; }

  Result<void> Run() override {
    if (!conn_.pipelined()) return SqlStatementImpl::Run();
    return WithParameters([&](int count, const char* const* values, const int* lengths) {
      return conn_.Send(name_, sql_, count, values, lengths, formats_.data());
    });
  }

 private:
  // Calls `call` with the bound parameters as libpq takes them.
  template <typename Call>
  auto WithParameters(Call&& call) -> decltype(call(0, nullptr, nullptr)) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& v : values_) {
      values.push_back(v.data());
      lengths.push_back(static_cast<int>(v.size()));
    }
    return call(static_cast<int>(values_.size()), values.data(), lengths.data());
  }

  void Set(int index, std::string value, int format) {
    if (index < 1 || static_cast<size_t>(index) > values_.size()) return;
    values_[static_cast<size_t>(index - 1)] = std::move(value);
    formats_[static_cast<size_t>(index - 1)] = format;
  }

  PgConnection& conn_;
  std::string name_;  // empty: run unprepared
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  // Defaults first: what the URL itself sets (expanded from "dbname") overrides them.
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {"5", "10", "3", "3", "openalb", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return Fail(StoreUnavailable("out of memory"));
  std::unique_ptr<PgConnection> out(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return Fail(StoreUnavailable(PQerrorMessage(conn)));
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  // openalb's transactions last milliseconds. One left open by a stopped process (SIGSTOP, a
  // frozen VM) would hold the fleet's write lock and its claimed jobs: the server ends it.
  if (auto r = out->Exec("SET idle_in_transaction_session_timeout = '10s'"); !r)
    return Fail(r.error());
  return out;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

ApiError PgConnection::Failure(const PGresult* result) const {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  // Class 08 (connection exception) and 57P (operator intervention: shutdown) mean the
  // database is away, not that the statement was wrong.
  const bool away = !Healthy() || (state != nullptr && (std::strncmp(state, "08", 2) == 0 ||
                                                        std::strncmp(state, "57P", 3) == 0));
  return away ? StoreUnavailable(message) : StoreError(message);
}

Result<void> PgConnection::Exec(std::string_view sql) {
  if (pipelined_) return Send("", std::string(sql), 0, nullptr, nullptr, nullptr);
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ApiError error = Failure(result);
    PQclear(result);
    return Fail(std::move(error));
  }
  PQclear(result);
  return {};
}

Result<std::string> PgConnection::PreparedName(std::string_view numbered) {
  auto it = prepared_.find(std::string(numbered));
  if (it != prepared_.end()) return it->second;
  if (prepared_.size() >= kMaxPrepared) return std::string();
  std::string name = std::to_string(++prepared_count_);
  name += 's';       // appended: "s" + to_string trips GCC 12's -Wrestrict false positive
  if (pipelined_) {  // queued like any command: its answer is read before the statement's
    if (PQsendPrepare(conn_, name.c_str(), std::string(numbered).c_str(), 0, nullptr) != 1) {
      return Fail(Failure(nullptr));
    }
    ++unread_;
    prepared_.emplace(std::string(numbered), name);
    unconfirmed_.emplace_back(numbered);
    return name;
  }
  PGresult* result = PQprepare(conn_, name.c_str(), std::string(numbered).c_str(), 0, nullptr);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    ApiError error = Failure(result);
    PQclear(result);
    return Fail(std::move(error));
  }
  PQclear(result);
  prepared_.emplace(std::string(numbered), name);
  return name;
}

Result<SqlStatement> PgConnection::Prepare(std::string_view sql) {
  std::string numbered = NumberPlaceholders(sql);
  auto name = PreparedName(numbered);
  if (!name) return Fail(name.error());
  const int params = CountPlaceholders(numbered);
  return SqlStatement(
      std::make_unique<PgStatement>(*this, std::move(*name), std::move(numbered), params));
}

Result<PGresult*> PgConnection::Run(const std::string& name, const std::string& sql, int params,
                                    const char* const* values, const int* lengths,
                                    const int* formats) {
  PGresult* result = nullptr;
  if (pipelined_) {
    if (!SendCommand(name, sql, params, values, lengths, formats)) return Fail(Failure(nullptr));
    // The answers sent before this one's first. On a failure among them this command was
    // skipped, and ReadUnread's resynchronisation read its answer too.
    if (auto r = ReadUnread(); !r) return Fail(r.error());
    result = ReadOne();
  } else {
    result = name.empty()
                 ? PQexecParams(conn_, sql.c_str(), params, nullptr, values, lengths, formats, 0)
                 : PQexecPrepared(conn_, name.c_str(), params, values, lengths, formats, 0);
  }
  changes_ = 0;
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ApiError error = Failure(result);
    PQclear(result);
    return Fail(std::move(error));
  }
  const char* tuples = PQcmdTuples(result);
  if (tuples != nullptr && *tuples != '\0') changes_ = std::atoi(tuples);
  return result;
}

bool PgConnection::SendCommand(const std::string& name, const std::string& sql, int params,
                               const char* const* values, const int* lengths, const int* formats) {
  const int sent =
      name.empty()
          ? PQsendQueryParams(conn_, sql.c_str(), params, nullptr, values, lengths, formats, 0)
          : PQsendQueryPrepared(conn_, name.c_str(), params, values, lengths, formats, 0);
  return sent == 1 && PQsendFlushRequest(conn_) == 1 && PQflush(conn_) == 0;
}

Result<void> PgConnection::Send(const std::string& name, const std::string& sql, int params,
                                const char* const* values, const int* lengths, const int* formats) {
  if (!SendCommand(name, sql, params, values, lengths, formats)) return Fail(Failure(nullptr));
  ++unread_;
  return {};
}

PGresult* PgConnection::ReadOne() {
  PGresult* result = PQgetResult(conn_);
  // A command's answer ends with a null result; a sync point's is the PIPELINE_SYNC result.
  if (result != nullptr && PQresultStatus(result) != PGRES_PIPELINE_SYNC) {
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
  }
  return result;
}

Result<void> PgConnection::ReadUnread(bool sync_sent) {
  std::optional<ApiError> first;
  while (unread_ > 0) {
    --unread_;
    PGresult* result = ReadOne();
    const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      const char* tuples = PQcmdTuples(result);
      changes_ = (tuples != nullptr && *tuples != '\0') ? std::atoi(tuples) : 0;
    } else if (!first && status != PGRES_PIPELINE_ABORTED) {
      first = Failure(result);
    }
    PQclear(result);
    if (result == nullptr && !Healthy()) break;
  }
  unread_ = 0;
  if (!first) {
    unconfirmed_.clear();
    return sync_sent ? ReadSync() : Result<void>{};
  }
  // Which command failed is not known: forget what this pipeline prepared (it is prepared
  // again, under a new name, when next used).
  for (const auto& text : unconfirmed_) prepared_.erase(text);
  unconfirmed_.clear();
  if (auto r = sync_sent ? ReadSync() : Resynchronise(); !r) return r;
  return Fail(std::move(*first));
}

Result<void> PgConnection::Resynchronise() {
  if (PQpipelineSync(conn_) != 1) return Fail(Failure(nullptr));
  return ReadSync();
}

Result<void> PgConnection::ReadSync() {
  while (true) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (!Healthy()) return Fail(Failure(nullptr));
      continue;  // between one command's answer and the next
    }
    const bool synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
    PQclear(result);
    if (synced) return {};
  }
}

int PgConnection::Changes() {
  if (pipelined_ && unread_ > 0) (void)ReadUnread();
  return changes_;
}

Result<void> PgConnection::Sync() {
  if (!pipelined_) return {};
  return ReadUnread();
}

Result<void> PgConnection::BeginPipeline() {
  if (PQenterPipelineMode(conn_) != 1) return Fail(Failure(nullptr));
  pipelined_ = true;
  unread_ = 0;
  return {};
}

Result<void> PgConnection::EndPipeline() {
  if (!pipelined_) return {};
  // Leaving needs an idle pipeline: a sync point, sent with whatever is unread so that one
  // round trip reads it all.
  auto read = PQpipelineSync(conn_) == 1 ? ReadUnread(/*sync_sent=*/true) : Fail(Failure(nullptr));
  pipelined_ = false;
  if (PQexitPipelineMode(conn_) != 1 && read) return Fail(Failure(nullptr));
  return read;
}

}  // namespace openalb
