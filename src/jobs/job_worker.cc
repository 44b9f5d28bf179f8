#include "jobs/job_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "alb/acls.h"
#include "alb/jobs.h"
#include "alb/rules.h"
#include "alb/security_policies.h"
#include "alb/served_listeners.h"
#include "fleet/node_liveness.h"
#include "store/sql/sql_connection.h"

namespace openalb {
namespace {

// ClientTokens are kept a day: long enough for any client's retries.
constexpr std::int64_t kClientTokenLifetimeMs = 24 * 3600 * 1000;
// How long to wait after a store failure, and at most between passes.
constexpr auto kRetryPause = std::chrono::seconds(1);
constexpr std::int64_t kMaxIdleMs = 60 * 1000;
constexpr auto kAwaitPoll = std::chrono::milliseconds(200);
constexpr std::int64_t kForgetNodesAfterMs = 24 * 3600 * 1000;

// The store failed (a pass to retry), rather than the job (a result to record).
bool IsPassFailure(const ApiError& error) {
  return error.code == "InternalError" || IsStoreFailure(error);
}

// The listeners a job may change what is served on: its own, a load balancer's, or those
// forwarding to a server group.
Result<std::vector<std::string>> ListenersOf(StoreTx& tx, const Job& job) {
  if (job.resource_type == job_kind::kListener) return std::vector<std::string>{job.resource_id};
  if (job.resource_type == job_kind::kRule) return RuleListenersOf(job);
  if (job.resource_type == job_kind::kAcl) return ListenersWithAcl(tx, job.resource_id);
  if (job.resource_type == job_kind::kAScript) return std::vector<std::string>{};  // not served
  if (job.resource_type == job_kind::kSecurityPolicy) {
    auto users = ListenersUsingPolicy(tx, job.account_id, job.resource_id);
    if (!users) return Fail(users.error());
    std::vector<std::string> ids;
    for (const auto& listener : *users) ids.push_back(listener.listener_id);
    return ids;
  }
  ListenerFilter filter{.account_id = job.account_id};
  if (job.resource_type == job_kind::kServerGroup) {
    filter.forward_server_group_id = job.resource_id;
  } else {
    filter.load_balancer_ids = {job.resource_id};
  }
  std::vector<std::string> ids;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto listeners = tx.ListListeners(filter, page);
    if (!listeners) return Fail(listeners.error());
    for (const auto& listener : listeners->items) ids.push_back(listener.listener_id);
    if (!listeners->next) break;
    page.after = *listeners->next;
  }
  if (job.resource_type != job_kind::kServerGroup) return ids;
  // And the listeners whose rules forward to the group.
  RuleFilter rules{.account_id = job.account_id, .server_group_id = job.resource_id};
  page = {.after = 0, .limit = 1000};
  while (true) {
    auto found = tx.ListRules(rules, page);
    if (!found) return Fail(found.error());
    for (const auto& rule : found->items) {
      if (std::find(ids.begin(), ids.end(), rule.listener_id) == ids.end()) {
        ids.push_back(rule.listener_id);
      }
    }
    if (!found->next) return ids;
    page.after = *found->next;
  }
}

// Makes a configuration version of the change to `listeners`.
Result<std::int64_t> NewVersion(StoreTx& tx, const Job& job,
                                const std::vector<std::string>& listeners, std::int64_t now) {
  for (const auto& id : listeners) {
    if (auto r = tx.NoteServedChange(job.account_id, id, now); !r) return Fail(r.error());
  }
  return tx.MarkConfigChanged();
}

// Publishes a job: a configuration version whose served view has the job's change laid over
// the rows (alb/served_listeners.h). The rows stay marked and the job Processing until every
// live data-plane node has applied the version. (A job that turns out unable to complete — its
// resource changed since it was accepted — is undone when it settles, as a node's failure is.)
Result<void> PublishJob(StoreTx& tx, const Job& job, const std::vector<std::string>& listeners,
                        std::int64_t now) {
  auto version = NewVersion(tx, job, listeners, now);
  if (!version) return Fail(version.error());
  Job published = job;
  published.awaiting_version = *version;
  return tx.UpdateJob(published);
}

// A published job that cannot complete: its marks undone (FailJob) and the served view back to
// the rows, as a new version every node applies.
Result<void> RevertJob(StoreTx& tx, const Job& job, const ApiError& error, std::int64_t now) {
  auto listeners = ListenersOf(tx, job);  // before FailJob: a failed creation leaves none
  if (!listeners) return Fail(listeners.error());
  if (auto r = FailJob(tx, job, error, now); !r) return r;
  auto version = NewVersion(tx, job, *listeners, now);
  if (!version) return Fail(version.error());
  return {};
}

}  // namespace

Result<void> JobWorker::ApplyToDataPlane(StoreTx& tx, const Job& job,
                                         const std::vector<std::string>& listeners_before) {
  for (const auto& id : listeners_before) {
    auto config = ServedListenerById(tx, job.account_id, id);
    if (!config) return Fail(config.error());
    if (!*config) {
      data_plane_->Remove(id);
    } else if (auto applied = data_plane_->Apply(**config); !applied) {
      return applied;
    }
  }
  return {};
}

Result<void> JobWorker::SyncDataPlane() {
  if (data_plane_ == nullptr) return {};
  auto configs = InTransaction<std::vector<ListenerConfig>>(
      domain_.store, TxMode::kRead, [](StoreTx& tx) { return AllServedListeners(tx); });
  if (!configs) return Fail(configs.error());
  for (const auto& [id, error] : data_plane_->Reconcile(*configs)) {
    spdlog::warn("event=listener_not_served listener_id={} code={} detail=\"{}\"", id, error.code,
                 error.message);
  }
  return {};
}

Result<int> JobWorker::SettleAcknowledged(StoreTx& tx, const std::vector<NodeRecord>& nodes,
                                          std::int64_t now, std::vector<JobOutcome>& outcomes) {
  auto awaiting = tx.AwaitingJobs(batch_);
  if (!awaiting) return Fail(awaiting.error());
  int settled = 0;
  // Which listeners a job touches matters only when some node reports a failure: without
  // one, no query per job.
  bool any_failure = false;
  for (const auto& node : nodes) any_failure |= !node.apply_error.empty();
  for (Job job : *awaiting) {
    std::vector<std::string> listeners;
    if (any_failure) {
      auto ids = ListenersOf(tx, job);
      if (!ids) return Fail(ids.error());
      listeners = std::move(*ids);
    }
    const Acknowledgement ack =
        AcknowledgementOf(job.awaiting_version, listeners, nodes, now, fleet_.lease_ms);
    if (!ack.acknowledged && ack.failed_node.empty()) {
      awaiting_ = true;
      continue;
    }
    ApiError failure;
    if (ack.acknowledged) {
      auto completed = tx.Nested([&](StoreTx& nested) { return CompleteJob(nested, job, now); });
      if (completed) {
        outcomes.push_back(
            {job, "Succeeded", "Succeeded at version " + std::to_string(job.awaiting_version)});
        ++settled;
        continue;
      }
      // The store changed under the published job (its certificate deleted, say).
      if (IsPassFailure(completed.error())) return Fail(completed.error());
      failure = completed.error();
    } else {
      failure = ApiError{
          "DataPlaneApplyFailed", 500, "node " + ack.failed_node + ": " + ack.failure, "", {}};
    }
    auto reverted =
        tx.Nested([&](StoreTx& nested) { return RevertJob(nested, job, failure, now); });
    if (!reverted) return Fail(reverted.error());
    new_version_ = true;
    outcomes.push_back(
        {job, "Failed",
         "Failed " + failure.code + " at version " + std::to_string(job.awaiting_version)});
    ++settled;
  }
  return settled;
}

Result<int> JobWorker::RunOnce() {
  int finished = 0;
  std::vector<JobOutcome> outcomes;
  std::vector<NodeRecord> nodes;
  if (fleet_.enabled) {  // read before the write transaction, which holds SQLite's connection
    auto listed = domain_.store.ListNodes();
    if (!listed) return Fail(listed.error());
    nodes = std::move(*listed);
  }
  auto done = domain_.store.Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    finished = 0;
    outcomes.clear();
    awaiting_ = false;
    new_version_ = false;
    const std::int64_t now = domain_.NowMs();
    if (fleet_.enabled) {
      auto settled = SettleAcknowledged(tx, nodes, now, outcomes);
      if (!settled) return Fail(settled.error());
      finished += *settled;
    }
    auto due = tx.DueJobs(now, batch_);
    if (!due) return Fail(due.error());
    for (const Job& job : *due) {
      std::vector<std::string> listeners;
      auto completed = tx.Nested([&](StoreTx& nested) -> Result<void> {
        listeners.clear();
        if (data_plane_ != nullptr || fleet_.enabled) {
          auto ids = ListenersOf(nested, job);
          if (!ids) return Fail(ids.error());
          listeners = std::move(*ids);
        }
        // A job that changes nothing served waits for no node.
        if (fleet_.enabled && !listeners.empty()) return PublishJob(nested, job, listeners, now);
        if (auto r = CompleteJob(nested, job, now); !r) return r;
        if (data_plane_ == nullptr) return {};
        return ApplyToDataPlane(nested, job, listeners);
      });
      if (!completed) {
        if (IsPassFailure(completed.error())) return completed;
        const ApiError error = completed.error();
        auto failed = tx.Nested([&](StoreTx& nested) { return FailJob(nested, job, error, now); });
        if (!failed) return failed;
        outcomes.push_back({job, "Failed", "Failed " + error.code});
      } else {
        const bool published = fleet_.enabled && !listeners.empty();
        outcomes.push_back(
            {job, published ? "" : "Succeeded", published ? "Published" : "Succeeded"});
        if (published) awaiting_ = new_version_ = true;
      }
      ++finished;
    }
    return {};
  });
  if (!done) {
    // What the data plane applied may not have been committed: serve the store's truth.
    if (data_plane_ != nullptr && !outcomes.empty()) (void)SyncDataPlane();
    return Fail(done.error());
  }
  if (new_version_ && on_published_) on_published_();
  const std::int64_t settled_ms = domain_.NowMs();
  for (const auto& outcome : outcomes) {
    spdlog::debug("event=job_finished job_id={} outcome=\"{}\"", outcome.job.job_id, outcome.text);
    if (!outcome.result.empty()) {
      metrics_.Settled(outcome.job.api_name, outcome.result,
                       std::chrono::milliseconds(settled_ms - outcome.job.created_ms));
    }
  }
  return finished;
}

void JobWorker::WriteMetrics(PrometheusText& out) const {
  auto pending = InTransaction<std::int64_t>(domain_.store, TxMode::kRead,
                                             [](StoreTx& tx) { return tx.CountProcessingJobs(); });
  metrics_.Write(out, pending ? std::optional<std::int64_t>(*pending) : std::nullopt);
}

Result<std::optional<std::int64_t>> JobWorker::MillisecondsUntilNextJob() {
  auto next = InTransaction<std::optional<std::int64_t>>(
      domain_.store, TxMode::kRead, [](StoreTx& tx) { return tx.NextJobTime(); });
  if (!next) return Fail(next.error());
  if (!*next) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{std::max<std::int64_t>(0, **next - domain_.NowMs())};
}

Result<void> JobWorker::Start() {
  auto rescheduled = domain_.store.Transact(TxMode::kWrite, [this](StoreTx& tx) -> Result<void> {
    auto n = tx.RescheduleProcessingJobs(domain_.job_delay.count());
    if (!n) return Fail(n.error());
    if (*n > 0) spdlog::info("event=jobs_resumed count={}", *n);
    return {};
  });
  if (!rescheduled && rescheduled.error().code != "ServiceUnavailable") return rescheduled;
  // A shared store that is away at start: the pass loop retries until it returns.
  if (!rescheduled)
    spdlog::warn("event=jobs_not_resumed detail=\"{}\"", rescheduled.error().internal);
  if (auto synced = SyncDataPlane(); !synced) return synced;
  thread_ = std::thread([this] { Loop(); });
  return {};
}

void JobWorker::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void JobWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void JobWorker::Loop() {
  auto last_prune = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    std::chrono::milliseconds pause{kMaxIdleMs};
    auto finished = RunOnce();
    if (!finished) {
      spdlog::warn("event=job_pass_failed detail=\"{}\"", finished.error().internal);
      pause = kRetryPause;
    } else if (*finished >= batch_) {
      continue;  // more may be due (a job accepted meanwhile woke the worker anyway)
    } else {
      auto next = MillisecondsUntilNextJob();
      if (!next) {
        pause = kRetryPause;
      } else if (*next) {
        pause = std::chrono::milliseconds(std::min(**next, kMaxIdleMs));
        if (pause.count() == 0) continue;
      }
    }
    // Nodes announce their progress (a wake-up through the store); this is the safety net.
    if (awaiting_) pause = std::min(pause, kAwaitPoll);
    if (std::chrono::steady_clock::now() - last_prune > std::chrono::minutes(10)) {
      last_prune = std::chrono::steady_clock::now();
      const std::int64_t cutoff = domain_.NowMs() - kClientTokenLifetimeMs;
      auto pruned = domain_.store.Transact(TxMode::kWrite, [cutoff](StoreTx& tx) -> Result<void> {
        auto n = tx.DeleteClientTokensBefore(cutoff);
        if (!n) return Fail(n.error());
        return {};
      });
      if (!pruned) spdlog::warn("event=token_prune_failed detail=\"{}\"", pruned.error().internal);
      if (fleet_.enabled) {  // nodes gone a day are history, not members
        auto forgotten = domain_.store.ForgetNodes(domain_.NowMs() - kForgetNodesAfterMs);
        if (forgotten && *forgotten > 0) spdlog::info("event=nodes_forgotten count={}", *forgotten);
        // A node further behind than this re-reads everything anyway.
        (void)domain_.store.Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
          auto n = tx.DeleteServedChangesBefore(domain_.NowMs() - kForgetNodesAfterMs);
          if (!n) return Fail(n.error());
          return {};
        });
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, pause, [this] { return woken_ || stopping_; });
  }
}

}  // namespace openalb
