#include "store/postgres/pg_migrations.h"

#include <array>
#include <string>

#include "store/sql/sql_query.h"

namespace openalb {
namespace {

// Text compares and sorts bytewise (COLLATE "C"), as in SQLite, whatever the database's
// locale; times in milliseconds are BIGINT; booleans stay 0/1 INTEGERs so both engines run
// the same statements.
constexpr std::array<const char*, 10> kMigrations = {
    // 1: everything SQLite's migrations 1-5 hold.
    R"sql(
CREATE TABLE accounts (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  account_id TEXT COLLATE "C" PRIMARY KEY CHECK (length(account_id) = 16),
  name       TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE ram_users (
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  user_name  TEXT COLLATE "C" NOT NULL CHECK (length(user_name) BETWEEN 1 AND 64),
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, user_name)
);
CREATE TABLE access_keys (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  access_key_id TEXT COLLATE "C" PRIMARY KEY,
  account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  secret        TEXT COLLATE "C" NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    TEXT COLLATE "C" NOT NULL,
  user_name     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_by_account ON access_keys(account_id, seq);
CREATE TABLE policies (
  account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  policy_name TEXT COLLATE "C" NOT NULL CHECK (length(policy_name) BETWEEN 1 AND 128),
  document    TEXT COLLATE "C" NOT NULL,
  created_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, policy_name)
);
CREATE TABLE policy_attachments (
  account_id  TEXT COLLATE "C" NOT NULL,
  policy_name TEXT COLLATE "C" NOT NULL,
  user_name   TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, user_name, policy_name),
  FOREIGN KEY (account_id, policy_name) REFERENCES policies(account_id, policy_name),
  FOREIGN KEY (account_id, user_name) REFERENCES ram_users(account_id, user_name)
);
CREATE TABLE audit_log (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time          TEXT COLLATE "C" NOT NULL,
  request_id    TEXT COLLATE "C" NOT NULL,
  account_id    TEXT COLLATE "C" NOT NULL,
  user_name     TEXT COLLATE "C" NOT NULL,
  access_key_id TEXT COLLATE "C" NOT NULL,
  action        TEXT COLLATE "C" NOT NULL,
  resource      TEXT COLLATE "C" NOT NULL,
  source_ip     TEXT COLLATE "C" NOT NULL,
  result        TEXT COLLATE "C" NOT NULL,
  code          TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log(account_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE load_balancers (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  load_balancer_id TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id       TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  name             TEXT COLLATE "C" NOT NULL,
  edition          TEXT COLLATE "C" NOT NULL,
  status           TEXT COLLATE "C" NOT NULL,
  vpc_id           TEXT COLLATE "C" NOT NULL,
  address_type     TEXT COLLATE "C" NOT NULL,
  created_ms       BIGINT NOT NULL
);
CREATE INDEX load_balancers_by_account ON load_balancers(account_id, seq);
CREATE TABLE listeners (
  seq                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  listener_id             TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id              TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  load_balancer_id        TEXT COLLATE "C" NOT NULL REFERENCES load_balancers(load_balancer_id),
  protocol                TEXT COLLATE "C" NOT NULL,
  port                    INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  description             TEXT COLLATE "C" NOT NULL,
  status                  TEXT COLLATE "C" NOT NULL,
  resting_status          TEXT COLLATE "C" NOT NULL,
  created_ms              BIGINT NOT NULL,
  forward_server_group_id TEXT COLLATE "C" NOT NULL DEFAULT '',
  UNIQUE (load_balancer_id, port)
);
CREATE INDEX listeners_by_account ON listeners(account_id, seq);
CREATE INDEX listeners_by_server_group ON listeners(forward_server_group_id)
  WHERE forward_server_group_id <> '';
CREATE TABLE certificates (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  certificate_id     TEXT COLLATE "C" NOT NULL UNIQUE,
  number             BIGINT NOT NULL UNIQUE,
  account_id         TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  name               TEXT COLLATE "C" NOT NULL,
  common_name        TEXT COLLATE "C" NOT NULL,
  dns_names          TEXT COLLATE "C" NOT NULL,
  issuer             TEXT COLLATE "C" NOT NULL,
  not_before_ms      BIGINT NOT NULL,
  not_after_ms       BIGINT NOT NULL,
  key_type           TEXT COLLATE "C" NOT NULL,
  key_bits           INTEGER NOT NULL,
  is_ca              INTEGER NOT NULL CHECK (is_ca IN (0, 1)),
  fingerprint_sha256 TEXT COLLATE "C" NOT NULL,
  chain_pem          TEXT COLLATE "C" NOT NULL,
  sealed_private_key BYTEA NOT NULL,
  created_ms         BIGINT NOT NULL
);
CREATE INDEX certificates_by_account ON certificates(account_id, seq);
CREATE TABLE listener_certificates (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  listener_id    TEXT COLLATE "C" NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  certificate_id TEXT COLLATE "C" NOT NULL REFERENCES certificates(certificate_id),
  is_default     INTEGER NOT NULL CHECK (is_default IN (0, 1)),
  status         TEXT COLLATE "C" NOT NULL,
  job_id         TEXT COLLATE "C" NOT NULL,
  UNIQUE (listener_id, certificate_id)
);
CREATE INDEX listener_certificates_by_listener
  ON listener_certificates(listener_id, is_default, seq);
CREATE INDEX listener_certificates_by_certificate ON listener_certificates(certificate_id);
CREATE TABLE server_groups (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  server_group_id   TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id        TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  name              TEXT COLLATE "C" NOT NULL,
  server_group_type TEXT COLLATE "C" NOT NULL,
  protocol          TEXT COLLATE "C" NOT NULL,
  scheduler         TEXT COLLATE "C" NOT NULL,
  vpc_id            TEXT COLLATE "C" NOT NULL,
  status            TEXT COLLATE "C" NOT NULL,
  created_ms        BIGINT NOT NULL
);
CREATE INDEX server_groups_by_account ON server_groups(account_id, seq);
CREATE TABLE backend_servers (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  server_group_id TEXT COLLATE "C" NOT NULL
                  REFERENCES server_groups(server_group_id) ON DELETE CASCADE,
  server_id       TEXT COLLATE "C" NOT NULL,
  server_ip       TEXT COLLATE "C" NOT NULL,
  server_type     TEXT COLLATE "C" NOT NULL,
  port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  weight          INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 100),
  description     TEXT COLLATE "C" NOT NULL,
  status          TEXT COLLATE "C" NOT NULL,
  job_id          TEXT COLLATE "C" NOT NULL,
  UNIQUE (server_group_id, server_id, port)
);
CREATE INDEX backend_servers_by_group ON backend_servers(server_group_id, seq);

CREATE TABLE jobs (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id        TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  api_name      TEXT COLLATE "C" NOT NULL,
  operate_type  TEXT COLLATE "C" NOT NULL,
  resource_type TEXT COLLATE "C" NOT NULL,
  resource_id   TEXT COLLATE "C" NOT NULL,
  status        TEXT COLLATE "C" NOT NULL,
  error_code    TEXT COLLATE "C" NOT NULL,
  error_message TEXT COLLATE "C" NOT NULL,
  payload       TEXT COLLATE "C" NOT NULL,
  created_ms    BIGINT NOT NULL,
  modified_ms   BIGINT NOT NULL,
  run_after_ms  BIGINT NOT NULL
);
CREATE INDEX jobs_by_account ON jobs(account_id, seq);
CREATE INDEX jobs_pending ON jobs(run_after_ms, seq) WHERE status = 'Processing';
CREATE TABLE job_counts (
  account_id TEXT COLLATE "C" PRIMARY KEY,
  jobs       BIGINT NOT NULL
);
CREATE FUNCTION jobs_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_counts (account_id, jobs) VALUES (NEW.account_id, 1)
      ON CONFLICT (account_id) DO UPDATE SET jobs = job_counts.jobs + 1;
  ELSE
    UPDATE job_counts SET jobs = jobs - 1 WHERE account_id = OLD.account_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_counted AFTER INSERT OR DELETE ON jobs
  FOR EACH ROW EXECUTE FUNCTION jobs_count();
CREATE TABLE client_tokens (
  account_id  TEXT COLLATE "C" NOT NULL,
  api_name    TEXT COLLATE "C" NOT NULL,
  token       TEXT COLLATE "C" NOT NULL,
  fingerprint TEXT COLLATE "C" NOT NULL,
  job_id      TEXT COLLATE "C" NOT NULL,
  created_ms  BIGINT NOT NULL,
  PRIMARY KEY (account_id, api_name, token)
);
CREATE INDEX client_tokens_by_age ON client_tokens(created_ms);

-- Bumped by any change to who may call what, so each node's key directory knows to reload
-- (SQLite's PRAGMA data_version does this for the embedded store).
CREATE TABLE identity_changes (counter BIGINT NOT NULL);
INSERT INTO identity_changes VALUES (0);
CREATE FUNCTION identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE identity_changes SET counter = counter + 1; RETURN NULL; END $$;
CREATE TRIGGER accounts_changed AFTER INSERT OR UPDATE OR DELETE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION identity_changed();
CREATE TRIGGER access_keys_changed AFTER INSERT OR UPDATE OR DELETE ON access_keys
  FOR EACH STATEMENT EXECUTE FUNCTION identity_changed();
CREATE TRIGGER ram_users_changed AFTER INSERT OR UPDATE OR DELETE ON ram_users
  FOR EACH STATEMENT EXECUTE FUNCTION identity_changed();
CREATE TRIGGER policies_changed AFTER INSERT OR UPDATE OR DELETE ON policies
  FOR EACH STATEMENT EXECUTE FUNCTION identity_changed();
CREATE TRIGGER policy_attachments_changed AFTER INSERT OR UPDATE OR DELETE ON policy_attachments
  FOR EACH STATEMENT EXECUTE FUNCTION identity_changed();
)sql",
    // 2: the configuration version every data-plane change bumps, the version a settled job
    // waits for, and the nodes sharing the store (SQLite's migration 6).
    R"sql(
CREATE TABLE config_state (version BIGINT NOT NULL);
INSERT INTO config_state (version) VALUES (0);
ALTER TABLE jobs ADD COLUMN awaiting_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_awaiting ON jobs(seq) WHERE status = 'Processing' AND awaiting_version > 0;
-- Which listeners a version changed what is served on (written by the job worker on a
-- shared store), so a node catches up by re-reading those listeners, not every one.
CREATE TABLE served_changes (
  version     BIGINT NOT NULL,
  account_id  TEXT COLLATE "C" NOT NULL,
  listener_id TEXT COLLATE "C" NOT NULL,
  created_ms  BIGINT NOT NULL
);
CREATE INDEX served_changes_by_version ON served_changes(version);
CREATE TABLE nodes (
  node_id          TEXT COLLATE "C" PRIMARY KEY,
  roles            TEXT COLLATE "C" NOT NULL,
  listener_address TEXT COLLATE "C" NOT NULL,
  applied_version  BIGINT NOT NULL,
  apply_error      TEXT COLLATE "C" NOT NULL,
  error_version    BIGINT NOT NULL,
  error_listener   TEXT COLLATE "C" NOT NULL,
  heartbeat_ms     BIGINT NOT NULL,
  started_ms       BIGINT NOT NULL
);
)sql",
    // 3: forwarding rules (SQLite's 7).
    R"sql(
CREATE TABLE rules (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id          TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id       TEXT COLLATE "C" NOT NULL REFERENCES accounts(account_id),
  load_balancer_id TEXT COLLATE "C" NOT NULL,
  listener_id      TEXT COLLATE "C" NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  name             TEXT COLLATE "C" NOT NULL,
  priority         INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 10000),
  direction        TEXT COLLATE "C" NOT NULL,
  status           TEXT COLLATE "C" NOT NULL,
  job_id           TEXT COLLATE "C" NOT NULL,
  conditions       TEXT COLLATE "C" NOT NULL,
  actions          TEXT COLLATE "C" NOT NULL,
  created_ms       BIGINT NOT NULL
);
CREATE INDEX rules_by_listener ON rules(listener_id, seq);
CREATE INDEX rules_by_account ON rules(account_id, seq);
CREATE INDEX rules_by_load_balancer ON rules(load_balancer_id);
)sql",
    // 4: a listener's attributes (SQLite's 8).
    R"sql(
ALTER TABLE listeners ADD COLUMN attributes TEXT COLLATE "C" NOT NULL DEFAULT '{}';
)sql",
    // 5: a server group's attributes and health check templates (SQLite's 9).
    R"sql(
ALTER TABLE server_groups ADD COLUMN attributes TEXT COLLATE "C" NOT NULL DEFAULT '{}';
CREATE TABLE health_check_templates (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id  TEXT COLLATE "C" NOT NULL,
  name        TEXT COLLATE "C" NOT NULL,
  config      TEXT COLLATE "C" NOT NULL,
  created_ms  BIGINT NOT NULL
);
CREATE INDEX health_check_templates_by_account ON health_check_templates(account_id, seq);
)sql",
    // 6: tags of every taggable resource (SQLite's 10).
    R"sql(
CREATE TABLE resource_tags (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id    TEXT COLLATE "C" NOT NULL,
  resource_type TEXT COLLATE "C" NOT NULL,
  resource_id   TEXT COLLATE "C" NOT NULL,
  tag_key       TEXT COLLATE "C" NOT NULL,
  tag_value     TEXT COLLATE "C" NOT NULL,
  UNIQUE (resource_id, tag_key)
);
CREATE INDEX resource_tags_by_type ON resource_tags(account_id, resource_type, tag_key);
)sql",
    // 7: a load balancer's attributes (SQLite's 11).
    R"sql(
ALTER TABLE load_balancers ADD COLUMN attributes TEXT COLLATE "C" NOT NULL DEFAULT '{}';
)sql",
    // 8: custom TLS security policies (SQLite's 12).
    R"sql(
CREATE TABLE security_policies (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  policy_id         TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id        TEXT COLLATE "C" NOT NULL,
  name              TEXT COLLATE "C" NOT NULL,
  tls_versions      TEXT COLLATE "C" NOT NULL,
  ciphers           TEXT COLLATE "C" NOT NULL,
  resource_group_id TEXT COLLATE "C" NOT NULL,
  created_ms        BIGINT NOT NULL
);
CREATE INDEX security_policies_by_account ON security_policies(account_id, seq);
)sql",
    // 9: access control lists, their entries and listener associations (SQLite's 13).
    R"sql(
CREATE TABLE acls (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  acl_id            TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id        TEXT COLLATE "C" NOT NULL,
  name              TEXT COLLATE "C" NOT NULL,
  status            TEXT COLLATE "C" NOT NULL,
  resource_group_id TEXT COLLATE "C" NOT NULL,
  created_ms        BIGINT NOT NULL
);
CREATE INDEX acls_by_account ON acls(account_id, seq);
CREATE TABLE acl_entries (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  acl_id      TEXT COLLATE "C" NOT NULL REFERENCES acls(acl_id) ON DELETE CASCADE,
  entry       TEXT COLLATE "C" NOT NULL,
  description TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,
  job_id      TEXT COLLATE "C" NOT NULL,
  UNIQUE (acl_id, entry)
);
CREATE INDEX acl_entries_by_acl ON acl_entries(acl_id, seq);
CREATE TABLE listener_acls (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  listener_id TEXT COLLATE "C" NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  acl_id      TEXT COLLATE "C" NOT NULL REFERENCES acls(acl_id),
  acl_type    TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,
  job_id      TEXT COLLATE "C" NOT NULL,
  UNIQUE (listener_id, acl_id)
);
CREATE INDEX listener_acls_by_acl ON listener_acls(acl_id);
)sql",
    // 10: AScripts, recorded per listener (SQLite's 14).
    R"sql(
CREATE TABLE ascripts (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ascript_id  TEXT COLLATE "C" NOT NULL UNIQUE,
  account_id  TEXT COLLATE "C" NOT NULL,
  listener_id TEXT COLLATE "C" NOT NULL REFERENCES listeners(listener_id) ON DELETE CASCADE,
  name        TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,
  spec        TEXT COLLATE "C" NOT NULL,
  job_id      TEXT COLLATE "C" NOT NULL,
  created_ms  BIGINT NOT NULL
);
CREATE INDEX ascripts_by_account ON ascripts(account_id, seq);
CREATE INDEX ascripts_by_listener ON ascripts(listener_id);
)sql",
};

// Held while migrating, so nodes starting together migrate once.
constexpr std::int64_t kMigrationLock = 0x6f70656e616c6231;  // "openalb1"

Result<int> CurrentVersion(PgConnection& db) {
  if (auto r = db.Exec("CREATE TABLE IF NOT EXISTS openalb_schema (version INTEGER NOT NULL);"
                       "INSERT INTO openalb_schema SELECT 0 WHERE NOT EXISTS "
                       "(SELECT 1 FROM openalb_schema)");
      !r) {
    return Fail(r.error());
  }
  auto stmt = db.Prepare("SELECT version FROM openalb_schema");
  if (!stmt) return Fail(stmt.error());
  auto version = sql_query::Scalar(*stmt);
  if (!version) return Fail(version.error());
  return static_cast<int>(*version);
}

Result<void> MigrateLocked(PgConnection& db) {
  auto version = CurrentVersion(db);
  if (!version) return Fail(version.error());
  if (*version > LatestPostgresSchemaVersion()) {
    return Fail(StoreError("database schema version " + std::to_string(*version) +
                           " is newer than this binary supports (" +
                           std::to_string(LatestPostgresSchemaVersion()) + ")"));
  }
  for (int next = *version + 1; next <= LatestPostgresSchemaVersion(); ++next) {
    std::string sql = "BEGIN;";
    sql += kMigrations[static_cast<size_t>(next - 1)];
    sql += ";UPDATE openalb_schema SET version = " + std::to_string(next) + "; COMMIT;";
    if (auto r = db.Exec(sql); !r) {
      (void)db.Exec("ROLLBACK");
      return r;
    }
  }
  return {};
}

}  // namespace

int LatestPostgresSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<void> MigratePostgres(PgConnection& db) {
  const std::string lock = std::to_string(kMigrationLock);
  if (auto r = db.Exec("SELECT pg_advisory_lock(" + lock + ")"); !r) return r;
  auto migrated = MigrateLocked(db);
  (void)db.Exec("SELECT pg_advisory_unlock(" + lock + ")");
  return migrated;
}

}  // namespace openalb
