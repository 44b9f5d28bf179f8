#include "store/postgres/pg_store.h"

#include <poll.h>

#include <algorithm>

#include <thread>

#include "store/postgres/pg_migrations.h"
#include "store/sql/account_statements.h"
#include "store/sql/node_statements.h"
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

namespace {

// Held by every write transaction until it ends ("openalbW").
constexpr std::int64_t kWriteLock = 0x6f70656e616c6257;
// Where new configuration versions are announced (data-plane nodes listen), and new jobs and
// nodes' progress (job workers listen).
constexpr std::string_view kConfigChannel = "openalb_config";
constexpr std::string_view kJobsChannel = "openalb_jobs";

}  // namespace

class PgStore::Lease {
 public:
  Lease(PgStore& store, std::unique_ptr<PgConnection> connection)
      : store_(&store), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept : store_(other.store_), connection_(std::move(other.connection_)) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    if (connection_) store_->Return(std::move(connection_));
  }
  PgConnection& operator*() { return *connection_; }
  PgConnection* operator->() { return connection_.get(); }

 private:
  PgStore* store_;
  std::unique_ptr<PgConnection> connection_;
};

Result<std::unique_ptr<PgStore>> PgStore::Create(const std::string& url, int max_connections) {
  std::unique_ptr<PgStore> store(new PgStore(url, std::max(1, max_connections)));
  auto lease = store->Borrow();
  // A node may start while the database is away (it then serves its served-config file):
  // the schema is checked on the first connection that succeeds.
  if (!lease && lease.error().code == "ServiceUnavailable") return store;
  if (!lease) return Fail(lease.error());
  return store;
}

Result<void> PgStore::EnsureMigrated(PgConnection& connection) {
  if (migrated_.load()) return {};
  std::lock_guard lock(migrate_mutex_);
  if (migrated_.load()) return {};
  if (auto r = MigratePostgres(connection); !r) return r;
  migrated_ = true;
  return {};
}

Result<PgStore::Lease> PgStore::Borrow() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  auto connection = PgConnection::Open(url_);
  Result<void> ready = connection ? EnsureMigrated(**connection) : Fail(connection.error());
  lock.lock();
  if (!ready) {
    --open_;
    returned_.notify_one();
    return Fail(ready.error());
  }
  own_backends_.push_back(PQbackendPID((*connection)->raw()));
  return Lease(*this, std::move(*connection));
}

void PgStore::Return(std::unique_ptr<PgConnection> connection) {
  const bool healthy = connection->Healthy();
  const int backend = PQbackendPID(connection->raw());
  if (!healthy) connection.reset();  // closed outside the lock; the next Borrow reconnects
  std::lock_guard lock(mutex_);
  if (healthy) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
    std::erase(own_backends_, backend);
  }
  returned_.notify_one();
}

template <typename T, typename Call>
Result<T> PgStore::WithConnection(Call&& call) {
  auto lease = Borrow();
  if (!lease) return Fail(lease.error());
  return call(**lease);
}

Result<void> PgStore::CreateAccount(const Account& account) {
  return WithConnection<void>(
      [&](PgConnection& db) { return account_statements::InsertAccount(db, account); });
}

Result<std::vector<Account>> PgStore::ListAccounts() {
  return WithConnection<std::vector<Account>>(
      [&](PgConnection& db) { return account_statements::ListAccounts(db, kPostgresDialect); });
}

Result<void> PgStore::CreateAccessKey(const AccessKey& key) {
  return WithConnection<void>(
      [&](PgConnection& db) { return account_statements::InsertAccessKey(db, key); });
}

Result<std::vector<AccessKey>> PgStore::ListAccessKeys() {
  return WithConnection<std::vector<AccessKey>>(
      [&](PgConnection& db) { return account_statements::ListAccessKeys(db, kPostgresDialect); });
}

Result<bool> PgStore::DeleteAccessKey(std::string_view access_key_id) {
  return WithConnection<bool>(
      [&](PgConnection& db) { return account_statements::DeleteAccessKey(db, access_key_id); });
}

Result<bool> PgStore::SetAccessKeyActive(std::string_view access_key_id, bool active) {
  return WithConnection<bool>([&](PgConnection& db) {
    return account_statements::SetAccessKeyActive(db, access_key_id, active);
  });
}

Result<bool> PgStore::ReplaceAccessKeySecret(std::string_view access_key_id,
                                             std::string_view secret) {
  return WithConnection<bool>([&](PgConnection& db) {
    return account_statements::ReplaceAccessKeySecret(db, access_key_id, secret);
  });
}

Result<void> PgStore::ScrubOverwritten() {
  return WithConnection<void>([](PgConnection& db) { return db.Exec("VACUUM access_keys"); });
}

Result<std::uint64_t> PgStore::ExternalChangeCounter() {
  return WithConnection<std::uint64_t>([](PgConnection& db) -> Result<std::uint64_t> {
    auto stmt = db.Prepare("SELECT counter FROM identity_changes");
    if (!stmt) return Fail(stmt.error());
    auto counter = sql_query::Scalar(*stmt);
    if (!counter) return Fail(counter.error());
    return static_cast<std::uint64_t>(*counter);
  });
}

Result<void> PgStore::RecordNode(const NodeRecord& node) {
  // One statement, one round trip: a heartbeat lost to a crash is rewritten by the next, so
  // its commit need not wait for the disk; workers are told.
  static const std::string kRecord =
      "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)), recorded AS (" +
      std::string(node_statements::kUpsertNode) + " RETURNING 1) SELECT pg_notify('" +
      std::string(kJobsChannel) + "', '') FROM quick, recorded";
  return WithConnection<void>([&](PgConnection& db) -> Result<void> {
    auto stmt = db.Prepare(kRecord);
    if (!stmt) return Fail(stmt.error());
    node_statements::BindNode(*stmt, node);
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    return {};
  });
}

Result<std::vector<NodeRecord>> PgStore::ListNodes() {
  return WithConnection<std::vector<NodeRecord>>(
      [](PgConnection& db) { return node_statements::ListNodes(db); });
}

Result<int> PgStore::ForgetNodes(std::int64_t before_ms) {
  return WithConnection<int>(
      [&](PgConnection& db) { return node_statements::ForgetNodes(db, before_ms); });
}

Result<unsigned> PgStore::WaitForChange(std::chrono::milliseconds timeout) {
  std::lock_guard lock(listen_mutex_);
  bool reconnected = false;
  if (!listener_ || !listener_->Healthy()) {
    listener_.reset();
    auto connection = PgConnection::Open(url_);
    if (!connection) {
      std::this_thread::sleep_for(timeout);  // the database is away: try again later
      return Fail(connection.error());
    }
    if (auto r = (*connection)
                     ->Exec("LISTEN " + std::string(kConfigChannel) + "; LISTEN " +
                            std::string(kJobsChannel));
        !r) {
      return Fail(r.error());
    }
    listener_ = std::move(*connection);
    reconnected = true;
  }
  PGconn* conn = listener_->raw();
  auto drain = [&] {
    unsigned kinds = 0;
    std::lock_guard lock(mutex_);
    while (PGnotify* note = PQnotifies(conn)) {
      if (std::find(own_backends_.begin(), own_backends_.end(), note->be_pid) ==
          own_backends_.end()) {
        kinds |= note->relname == kConfigChannel ? change_kind::kConfig : change_kind::kJobs;
      }
      PQfreemem(note);
    }
    return kinds;
  };
  // After a reconnection a notification may have been missed: everyone looks again.
  const unsigned missed = reconnected ? change_kind::kAll : 0u;
  if (PQconsumeInput(conn) == 0) return Fail(listener_->Failure(nullptr));
  if (const unsigned kinds = drain() | missed) return kinds;
  pollfd fd{.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready > 0) {
    if (PQconsumeInput(conn) == 0) return Fail(listener_->Failure(nullptr));
    return drain();
  }
  return 0u;
}

Result<void> PgStore::Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) {
  if (mode == TxMode::kWrite) {
    return writes_.Run(
        body, [this](const std::vector<WriteQueue::Member*>& group) { CommitGroup(group); });
  }
  auto lease = Borrow();
  if (!lease) return Fail(lease.error());
  PgConnection& db = **lease;
  // Pipelined: BEGIN travels with the first query and COMMIT's answer is read with the
  // pipeline's end, a round trip fewer each.
  if (auto r = db.BeginPipeline(); !r) return r;
  auto result = db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (result) {
    SqlTx tx(db, kPostgresDialect);
    result = body(tx);
  }
  if (result) result = db.Exec("COMMIT");
  auto ended = db.EndPipeline();
  if (result && !ended) result = ended;
  if (!result) (void)db.Exec("ROLLBACK");
  return result;
}

void PgStore::CommitGroup(const std::vector<WriteQueue::Member*>& group) {
  auto fail_all = [&](const ApiError& error) {
    for (auto* member : group) member->result = Fail(error);
  };
  auto lease = Borrow();
  if (!lease) return fail_all(lease.error());
  PgConnection& db = **lease;
  if (auto r = db.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLock) + ")");
      !r) {
    (void)db.Exec("ROLLBACK");
    return fail_all(r.error());
  }
  // Writes go without waiting for their answers (PgConnection's pipeline mode).
  if (auto r = db.BeginPipeline(); !r) {
    (void)db.Exec("ROLLBACK");
    return fail_all(r.error());
  }
  SqlTx tx(db, kPostgresDialect);
  if (group.size() == 1) {
    group.front()->result = (*group.front()->body)(tx);
  } else {
    for (auto* member : group) member->result = tx.Nested(*member->body);
  }
  bool any = false;
  for (auto* member : group) any |= static_cast<bool>(member->result);
  if (!any) {
    (void)db.EndPipeline();  // then the rollback, which an aborted pipeline would skip
    (void)db.Exec("ROLLBACK");
    return;
  }
  // At most one NOTIFY per channel and transaction (it takes a global lock at commit),
  // delivered as it commits; COMMIT's answer is read with the pipeline's end.
  Result<void> committed;
  if (tx.changed_version()) committed = db.Exec("NOTIFY " + std::string(kConfigChannel));
  if (committed && tx.inserted_job()) committed = db.Exec("NOTIFY " + std::string(kJobsChannel));
  if (committed) committed = db.Exec("COMMIT");
  auto ended = db.EndPipeline();
  if (committed && !ended) committed = ended;
  if (committed) return;
  // A write refused after its body returned (with one member; with several, each savepoint
  // read its own writes' answers), or the commit itself: nothing of the group was kept.
  (void)db.Exec("ROLLBACK");
  for (auto* member : group) {
    if (member->result) member->result = committed;
  }
}

}  // namespace openalb
