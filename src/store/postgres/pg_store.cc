#include "store/postgres/pg_store.h"

#include <poll.h>

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
// Where configuration changes and nodes' progress are announced.
constexpr std::string_view kChannel = "openalb_changes";

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
  if (!ready) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return Fail(ready.error());
  }
  return Lease(*this, std::move(*connection));
}

void PgStore::Return(std::unique_ptr<PgConnection> connection) {
  const bool healthy = connection->Healthy();
  if (!healthy) connection.reset();  // closed outside the lock; the next Borrow reconnects
  std::lock_guard lock(mutex_);
  if (healthy) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
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
  return WithConnection<void>([&](PgConnection& db) -> Result<void> {
    // A heartbeat lost to a crash is rewritten by the next: no need to wait for the disk.
    if (auto r = db.Exec("BEGIN; SET LOCAL synchronous_commit TO OFF"); !r) return r;
    auto recorded = node_statements::RecordNode(db, node);
    if (recorded) recorded = db.Exec("NOTIFY " + std::string(kChannel) + "; COMMIT");
    if (!recorded) (void)db.Exec("ROLLBACK");
    return recorded;
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

Result<bool> PgStore::WaitForChange(std::chrono::milliseconds timeout) {
  std::lock_guard lock(listen_mutex_);
  bool reconnected = false;
  if (!listener_ || !listener_->Healthy()) {
    listener_.reset();
    auto connection = PgConnection::Open(url_);
    if (!connection) {
      std::this_thread::sleep_for(timeout);  // the database is away: try again later
      return Fail(connection.error());
    }
    if (auto r = (*connection)->Exec("LISTEN " + std::string(kChannel)); !r) return Fail(r.error());
    listener_ = std::move(*connection);
    reconnected = true;
  }
  PGconn* conn = listener_->raw();
  auto drain = [&] {
    bool any = false;
    while (PGnotify* note = PQnotifies(conn)) {
      any = true;
      PQfreemem(note);
    }
    return any;
  };
  if (PQconsumeInput(conn) == 0) return Fail(listener_->Failure(nullptr));
  if (drain()) return true;
  pollfd fd{.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready > 0) {
    if (PQconsumeInput(conn) == 0) return Fail(listener_->Failure(nullptr));
    if (drain()) return true;
  }
  return reconnected;
}

Result<void> PgStore::Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) {
  if (mode == TxMode::kWrite) {
    return writes_.Run(
        body, [this](const std::vector<WriteQueue::Member*>& group) { CommitGroup(group); });
  }
  auto lease = Borrow();
  if (!lease) return Fail(lease.error());
  PgConnection& db = **lease;
  if (auto r = db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) {
    (void)db.Exec("ROLLBACK");
    return r;
  }
  SqlTx tx(db, kPostgresDialect);
  auto result = body(tx);
  if (result) result = db.Exec("COMMIT");
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
  SqlTx tx(db, kPostgresDialect);
  if (group.size() == 1) {
    group.front()->result = (*group.front()->body)(tx);
  } else {
    for (auto* member : group) member->result = tx.Nested(*member->body);
  }
  bool any = false;
  for (auto* member : group) any |= static_cast<bool>(member->result);
  if (!any) {
    (void)db.Exec("ROLLBACK");
    return;
  }
  // One NOTIFY per transaction (it takes a global lock at commit), delivered as it commits.
  Result<void> committed;
  if (tx.changed_version()) committed = db.Exec("NOTIFY " + std::string(kChannel));
  if (committed) committed = db.Exec("COMMIT");
  if (committed) return;
  (void)db.Exec("ROLLBACK");
  for (auto* member : group) {
    if (member->result) member->result = committed;  // nothing of the group was kept
  }
}

}  // namespace openalb
