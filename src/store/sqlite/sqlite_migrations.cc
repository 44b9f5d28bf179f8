#include "store/sqlite/sqlite_migrations.h"

#include <array>
#include <string>

namespace openalb {
namespace {

constexpr std::array<const char*, 14> kMigrations = {
    // 1: accounts and their access keys.
    R"sql(
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY CHECK (length(account_id) = 16),
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(account_id),
  secret        TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    TEXT NOT NULL
);
CREATE INDEX access_keys_by_account ON access_keys(account_id);
)sql",
    // 2: load balancers, listeners, certificates and what each listener serves, jobs and
    // ClientTokens. `seq` orders rows for keyset pagination; ids are what clients see.
    R"sql(
CREATE TABLE load_balancers (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  load_balancer_id TEXT NOT NULL UNIQUE,
  account_id       TEXT NOT NULL REFERENCES accounts(account_id),
  name             TEXT NOT NULL,
  edition          TEXT NOT NULL,
  status           TEXT NOT NULL,
  vpc_id           TEXT NOT NULL,
  address_type     TEXT NOT NULL,
  created_ms       INTEGER NOT NULL
);
CREATE INDEX load_balancers_by_account ON load_balancers(account_id, seq);
CREATE TABLE listeners (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  listener_id      TEXT NOT NULL UNIQUE,
  account_id       TEXT NOT NULL REFERENCES accounts(account_id),
  load_balancer_id TEXT NOT NULL REFERENCES load_balancers(load_balancer_id),
  protocol         TEXT NOT NULL,
  port             INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  description      TEXT NOT NULL,
  status           TEXT NOT NULL,
  resting_status   TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  UNIQUE (load_balancer_id, port)
);
CREATE INDEX listeners_by_account ON listeners(account_id, seq);
CREATE TABLE certificates (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  certificate_id     TEXT NOT NULL UNIQUE,
  number             INTEGER NOT NULL UNIQUE,
  account_id         TEXT NOT NULL REFERENCES accounts(account_id),
  name               TEXT NOT NULL,
  common_name        TEXT NOT NULL,
  dns_names          TEXT NOT NULL,
  issuer             TEXT NOT NULL,
  not_before_ms      INTEGER NOT NULL,
  not_after_ms       INTEGER NOT NULL,
  key_type           TEXT NOT NULL,
  key_bits           INTEGER NOT NULL,
  is_ca              INTEGER NOT NULL CHECK (is_ca IN (0, 1)),
  fingerprint_sha256 TEXT NOT NULL,
  chain_pem          TEXT NOT NULL,
  sealed_private_key BLOB NOT NULL,
  created_ms         INTEGER NOT NULL
);
CREATE INDEX certificates_by_account ON certificates(account_id, seq);
CREATE TABLE listener_certificates (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  listener_id    TEXT NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  certificate_id TEXT NOT NULL REFERENCES certificates(certificate_id),
  is_default     INTEGER NOT NULL CHECK (is_default IN (0, 1)),
  status         TEXT NOT NULL,
  job_id         TEXT NOT NULL,
  UNIQUE (listener_id, certificate_id)
);
CREATE INDEX listener_certificates_by_listener ON listener_certificates(listener_id, is_default, seq);
CREATE INDEX listener_certificates_by_certificate ON listener_certificates(certificate_id);
CREATE TABLE jobs (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id        TEXT NOT NULL UNIQUE,
  account_id    TEXT NOT NULL REFERENCES accounts(account_id),
  api_name      TEXT NOT NULL,
  operate_type  TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  status        TEXT NOT NULL,
  error_code    TEXT NOT NULL,
  error_message TEXT NOT NULL,
  payload       TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  modified_ms   INTEGER NOT NULL,
  run_after_ms  INTEGER NOT NULL
);
CREATE INDEX jobs_by_account ON jobs(account_id, seq);
CREATE INDEX jobs_pending ON jobs(run_after_ms, seq) WHERE status = 'Processing';
CREATE TABLE client_tokens (
  account_id  TEXT NOT NULL,
  api_name    TEXT NOT NULL,
  token       TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (account_id, api_name, token)
);
CREATE INDEX client_tokens_by_age ON client_tokens(created_ms);
)sql",
    // 3: server groups, their backend servers, and the group a listener forwards to.
    R"sql(
CREATE TABLE server_groups (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  server_group_id   TEXT NOT NULL UNIQUE,
  account_id        TEXT NOT NULL REFERENCES accounts(account_id),
  name              TEXT NOT NULL,
  server_group_type TEXT NOT NULL,
  protocol          TEXT NOT NULL,
  scheduler         TEXT NOT NULL,
  vpc_id            TEXT NOT NULL,
  status            TEXT NOT NULL,
  created_ms        INTEGER NOT NULL
);
CREATE INDEX server_groups_by_account ON server_groups(account_id, seq);
CREATE TABLE backend_servers (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  server_group_id TEXT NOT NULL REFERENCES server_groups(server_group_id) ON DELETE CASCADE,
  server_id       TEXT NOT NULL,
  server_ip       TEXT NOT NULL,
  server_type     TEXT NOT NULL,
  port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  weight          INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 100),
  description     TEXT NOT NULL,
  status          TEXT NOT NULL,
  job_id          TEXT NOT NULL,
  UNIQUE (server_group_id, server_id, port)
);
CREATE INDEX backend_servers_by_group ON backend_servers(server_group_id, seq);
ALTER TABLE listeners ADD COLUMN forward_server_group_id TEXT NOT NULL DEFAULT '';
CREATE INDEX listeners_by_server_group ON listeners(forward_server_group_id)
  WHERE forward_server_group_id != '';
)sql",
    // 4: RAM users (AccessKeys name theirs; '' is the account's root), custom policies and
    // their attachments, and the append-only audit log of mutating requests.
    R"sql(
CREATE TABLE ram_users (
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  user_name  TEXT NOT NULL CHECK (length(user_name) BETWEEN 1 AND 64),
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, user_name)
);
ALTER TABLE access_keys ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
CREATE TABLE policies (
  account_id  TEXT NOT NULL REFERENCES accounts(account_id),
  policy_name TEXT NOT NULL CHECK (length(policy_name) BETWEEN 1 AND 128),
  document    TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (account_id, policy_name)
);
CREATE TABLE policy_attachments (
  account_id  TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  PRIMARY KEY (account_id, user_name, policy_name),
  FOREIGN KEY (account_id, policy_name) REFERENCES policies(account_id, policy_name),
  FOREIGN KEY (account_id, user_name) REFERENCES ram_users(account_id, user_name)
);
CREATE TABLE audit_log (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  time          TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  user_name     TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  action        TEXT NOT NULL,
  resource      TEXT NOT NULL,
  source_ip     TEXT NOT NULL,
  result        TEXT NOT NULL,
  code          TEXT NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log(account_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 5: each account's job count, kept by triggers, so ListAsynJobs' TotalCount does not
    // scan a job history that only grows (the soak benchmark: an account-wide COUNT(*)
    // made every ListAsynJobs slower with each job).
    R"sql(
CREATE TABLE job_counts (
  account_id TEXT PRIMARY KEY,
  jobs       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO job_counts (account_id, jobs) SELECT account_id, COUNT(*) FROM jobs GROUP BY account_id;
CREATE TRIGGER jobs_counted AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (account_id, jobs) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET jobs = jobs + 1;
END;
CREATE TRIGGER jobs_uncounted AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET jobs = jobs - 1 WHERE account_id = OLD.account_id;
END;
)sql",
    // 6: the configuration version every data-plane change bumps, the version a settled job
    // waits for, and the nodes sharing the store (see store.h: NodeRecord).
    R"sql(
CREATE TABLE config_state (version INTEGER NOT NULL);
INSERT INTO config_state (version) VALUES (0);
ALTER TABLE jobs ADD COLUMN awaiting_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_awaiting ON jobs(seq) WHERE status = 'Processing' AND awaiting_version > 0;
-- Which listeners a version changed what is served on (written by the job worker on a
-- shared store), so a node catches up by re-reading those listeners, not every one.
CREATE TABLE served_changes (
  version     INTEGER NOT NULL,
  account_id  TEXT NOT NULL,
  listener_id TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX served_changes_by_version ON served_changes(version);
CREATE TABLE nodes (
  node_id          TEXT PRIMARY KEY,
  roles            TEXT NOT NULL,
  listener_address TEXT NOT NULL,
  applied_version  INTEGER NOT NULL,
  apply_error      TEXT NOT NULL,
  error_version    INTEGER NOT NULL,
  error_listener   TEXT NOT NULL,
  heartbeat_ms     INTEGER NOT NULL,
  started_ms       INTEGER NOT NULL
);
)sql",
    // 7: forwarding rules (conditions and actions as ALB's JSON; see records.h: Rule).
    R"sql(
CREATE TABLE rules (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id          TEXT NOT NULL UNIQUE,
  account_id       TEXT NOT NULL REFERENCES accounts(account_id),
  load_balancer_id TEXT NOT NULL,
  listener_id      TEXT NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  priority         INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 10000),
  direction        TEXT NOT NULL,
  status           TEXT NOT NULL,
  job_id           TEXT NOT NULL,
  conditions       TEXT NOT NULL,
  actions          TEXT NOT NULL,
  created_ms       INTEGER NOT NULL
);
CREATE INDEX rules_by_listener ON rules(listener_id, seq);
CREATE INDEX rules_by_account ON rules(account_id, seq);
CREATE INDEX rules_by_load_balancer ON rules(load_balancer_id);
)sql",
    // 8: a listener's attributes (IdleTimeout, RequestTimeout, GzipEnabled, Http2Enabled,
    // XForwardedForConfig) as a JSON object; '{}' is ALB's defaults.
    R"sql(
ALTER TABLE listeners ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
)sql",
    // 9: a server group's attributes (HealthCheckConfig, StickySessionConfig, …) as a JSON
    // object, and health check templates.
    R"sql(
ALTER TABLE server_groups ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
CREATE TABLE health_check_templates (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  template_id TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL,
  name        TEXT NOT NULL,
  config      TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX health_check_templates_by_account ON health_check_templates(account_id, seq);
)sql",
    // 10: tags of every taggable resource.
    R"sql(
CREATE TABLE resource_tags (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  tag_key       TEXT NOT NULL,
  tag_value     TEXT NOT NULL,
  UNIQUE (resource_id, tag_key)
);
CREATE INDEX resource_tags_by_type ON resource_tags(account_id, resource_type, tag_key);
)sql",
    // 11: a load balancer's attributes (ZoneMappings, billing, protection, …) as JSON.
    R"sql(
ALTER TABLE load_balancers ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
)sql",
    // 12: custom TLS security policies.
    R"sql(
CREATE TABLE security_policies (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  policy_id         TEXT NOT NULL UNIQUE,
  account_id        TEXT NOT NULL,
  name              TEXT NOT NULL,
  tls_versions      TEXT NOT NULL,
  ciphers           TEXT NOT NULL,
  resource_group_id TEXT NOT NULL,
  created_ms        INTEGER NOT NULL
);
CREATE INDEX security_policies_by_account ON security_policies(account_id, seq);
)sql",
    // 13: access control lists, their entries and their listener associations.
    R"sql(
CREATE TABLE acls (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  acl_id            TEXT NOT NULL UNIQUE,
  account_id        TEXT NOT NULL,
  name              TEXT NOT NULL,
  status            TEXT NOT NULL,
  resource_group_id TEXT NOT NULL,
  created_ms        INTEGER NOT NULL
);
CREATE INDEX acls_by_account ON acls(account_id, seq);
CREATE TABLE acl_entries (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  acl_id      TEXT NOT NULL REFERENCES acls(acl_id) ON DELETE CASCADE,
  entry       TEXT NOT NULL,
  description TEXT NOT NULL,
  status      TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  UNIQUE (acl_id, entry)
);
CREATE INDEX acl_entries_by_acl ON acl_entries(acl_id, seq);
CREATE TABLE listener_acls (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  listener_id TEXT NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  acl_id      TEXT NOT NULL REFERENCES acls(acl_id),
  acl_type    TEXT NOT NULL,
  status      TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  UNIQUE (listener_id, acl_id)
);
CREATE INDEX listener_acls_by_acl ON listener_acls(acl_id);
)sql",
    // 14: AScripts, recorded per listener.
    R"sql(
CREATE TABLE ascripts (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  ascript_id  TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL,
  listener_id TEXT NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL,
  spec        TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX ascripts_by_account ON ascripts(account_id, seq);
CREATE INDEX ascripts_by_listener ON ascripts(listener_id);
)sql",
};

}  // namespace

int LatestSqliteSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<void> MigrateSqlite(SqliteDatabase& db) {
  return MigrateSqliteTo(db, LatestSqliteSchemaVersion());
}

Result<void> MigrateSqliteTo(SqliteDatabase& db, int target) {
  auto stmt = db.Prepare("PRAGMA user_version");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  int version = static_cast<int>(stmt->ColumnInt(0));
  if (version > LatestSqliteSchemaVersion()) {
    return Fail(StoreError("database schema version " + std::to_string(version) +
                           " is newer than this binary supports (" +
                           std::to_string(LatestSqliteSchemaVersion()) + ")"));
  }
  for (int next = version + 1; next <= target && next <= LatestSqliteSchemaVersion(); ++next) {
    std::string sql = "BEGIN IMMEDIATE;";
    sql += kMigrations[static_cast<size_t>(next - 1)];
    sql += "PRAGMA user_version=" + std::to_string(next) + "; COMMIT;";
    if (auto r = db.Exec(sql); !r) {
      (void)db.Exec("ROLLBACK");
      return r;
    }
  }
  return {};
}

}  // namespace openalb
