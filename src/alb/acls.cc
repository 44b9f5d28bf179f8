#include "alb/acls.h"

#include <algorithm>
#include <map>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/listeners.h"
#include "alb/resource_name.h"
#include "core/ip_prefix.h"

namespace openalb {
namespace {

constexpr size_t kMaxDescription = 256;

// "'<text, at most 64 characters>'<rest>", built by appending: GCC 12 reports an impossible
// overlap in the same expression written with operator+ (bug 105329).
std::string Quoted(std::string_view text, std::string_view rest) {
  std::string out = "'";
  out.append(text.substr(0, 64));
  out.append("'");
  out.append(rest);
  return out;
}

// The ACL, if a change may start on it now: one change at a time, as on ALB.
Result<Acl> AvailableAclOrFail(StoreTx& tx, std::string_view account_id, std::string_view acl_id) {
  auto acl = FindAclOrFail(tx, account_id, acl_id);
  if (!acl) return acl;
  if (acl->status != status::kAvailable)
    return Fail(errors::IncorrectAclStatus(acl_id, acl->status));
  return acl;
}

std::string SortedJoined(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

// 1..`most` ids, each non-empty and named once.
Result<std::vector<std::string>> DistinctIds(const std::vector<std::string>& ids,
                                             std::string_view field, int most) {
  if (ids.empty()) return Fail(errors::MissingParameter(field));
  if (static_cast<int>(ids.size()) > most) {
    return Fail(errors::InvalidParameter(field, "at most " + std::to_string(most) + " per call"));
  }
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (id.empty()) return Fail(errors::MissingParameter(field));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

Result<void> ValidateEntries(const std::vector<AclEntryInput>& entries, bool with_descriptions) {
  const std::string_view field = with_descriptions ? "AclEntries" : "Entries";
  if (entries.empty()) return Fail(errors::MissingParameter(field));
  if (static_cast<int>(entries.size()) > kAclEntriesPerCall) {
    return Fail(errors::InvalidParameter(
        field, "at most " + std::to_string(kAclEntriesPerCall) + " entries per call"));
  }
  const std::string entry_field = with_descriptions ? "AclEntries.N.Entry" : "Entries.N";
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.entry.empty()) return Fail(errors::MissingParameter(entry_field));
    if (!ParseIpPrefix(e.entry)) {
      return Fail(errors::InvalidParameter(
          entry_field, Quoted(e.entry, " is not an IP address or CIDR block such as 10.0.0.0/24")));
    }
    if (e.description.size() > kMaxDescription ||
        std::any_of(e.description.begin(), e.description.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      return Fail(errors::InvalidParameter("AclEntries.N.Description",
                                           "at most 256 characters, no control characters"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (entries[j].entry == e.entry) {
        return Fail(errors::InvalidParameter(entry_field, Quoted(e.entry, " is given twice")));
      }
    }
  }
  return {};
}

Result<void> SetAclStatus(StoreTx& tx, Acl acl, std::string_view status) {
  acl.status = status;
  return tx.UpdateAcl(acl);
}

}  // namespace

Result<Acl> FindAclOrFail(StoreTx& tx, std::string_view account_id, std::string_view acl_id) {
  auto found = tx.FindAcl(account_id, acl_id);
  if (!found) return Fail(found.error());
  if (!*found) return Fail(errors::AclNotFound(acl_id));
  return std::move(**found);
}

Result<Job> CreateAcl(const Domain& domain, const AclRequest& request) {
  if (!request.name || request.name->empty()) return Fail(errors::MissingParameter("AclName"));
  if (auto r = ValidateResourceName(*request.name, "AclName"); !r) return Fail(r.error());
  const std::string& account = request.write.account_id;
  return RunJobWrite(
      domain, request.write, api_name::kCreateAcl,
      ParameterFingerprint(
          {*request.name, request.resource_group_id, TagsFingerprint(request.tags)}),
      [&](StoreTx& tx) -> Result<Job> {
        Acl acl{
            NewAclId(domain.random),   account,       *request.name, std::string(status::kCreating),
            request.resource_group_id, domain.NowMs()};
        if (auto r = tx.InsertAcl(acl); !r) return Fail(r.error());
        if (auto r = PutResourceTags(tx, account, "acl", acl.acl_id, request.tags); !r) {
          return Fail(r.error());
        }
        Job job = MakeJob(domain, account, api_name::kCreateAcl, job_kind::kCreate, job_kind::kAcl,
                          acl.acl_id);
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<void> UpdateAclAttribute(const Domain& domain, const AclRequest& request) {
  if (request.name) {
    if (auto r = ValidateResourceName(*request.name, "AclName"); !r) return Fail(r.error());
  }
  auto done =
      RunDirectWrite(domain, request.write, api_name::kUpdateAclAttribute,
                     ParameterFingerprint({request.acl_id, request.name.value_or("\x01")}),
                     [&](StoreTx& tx) -> Result<std::string> {
                       auto acl = FindAclOrFail(tx, request.write.account_id, request.acl_id);
                       if (!acl) return Fail(acl.error());
                       if (acl->status == status::kDeleting) {
                         return Fail(errors::IncorrectAclStatus(request.acl_id, acl->status));
                       }
                       if (request.name) {
                         acl->name = *request.name;
                         if (auto r = tx.UpdateAcl(*acl); !r) return Fail(r.error());
                       }
                       return acl->acl_id;
                     });
  if (!done) return Fail(done.error());
  return {};
}

Result<Job> DeleteAcl(const Domain& domain, const WriteRequest& write, std::string_view acl_id) {
  return RunJobWrite(domain, write, api_name::kDeleteAcl, ParameterFingerprint({acl_id}),
                     [&](StoreTx& tx) -> Result<Job> {
                       auto acl = FindAclOrFail(tx, write.account_id, acl_id);
                       if (!acl) return Fail(acl.error());
                       auto users = tx.ListListenerAcls({.acl_id = std::string(acl_id)},
                                                        {.after = 0, .limit = 1});
                       if (!users) return Fail(users.error());
                       if (!users->items.empty()) {
                         return Fail(errors::AclInUse(acl_id, users->items.front().listener_id));
                       }
                       if (acl->status != status::kAvailable) {
                         return Fail(errors::IncorrectAclStatus(acl_id, acl->status));
                       }
                       if (auto r = SetAclStatus(tx, *acl, status::kDeleting); !r) {
                         return Fail(r.error());
                       }
                       Job job = MakeJob(domain, write.account_id, api_name::kDeleteAcl,
                                         job_kind::kDelete, job_kind::kAcl, acl_id);
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

Result<Page<Acl>> ListAcls(const Domain& domain, const AclFilter& filter, const PageRequest& page) {
  return InTransaction<Page<Acl>>(domain.store, TxMode::kRead,
                                  [&](StoreTx& tx) { return tx.ListAcls(filter, page); });
}

Result<Job> AddEntriesToAcl(const Domain& domain, const AclEntriesChange& change) {
  if (auto r = ValidateEntries(change.entries, /*with_descriptions=*/true); !r) {
    return Fail(r.error());
  }
  std::vector<std::string> fingerprint_items;
  for (const auto& e : change.entries) fingerprint_items.push_back(e.entry + "\t" + e.description);
  const std::string& account = change.write.account_id;
  return RunJobWrite(
      domain, change.write, api_name::kAddEntriesToAcl,
      ParameterFingerprint({change.acl_id, SortedJoined(fingerprint_items)}),
      [&](StoreTx& tx) -> Result<Job> {
        auto acl = AvailableAclOrFail(tx, account, change.acl_id);
        if (!acl) return Fail(acl.error());
        auto current = AllAclEntries(tx, change.acl_id);
        if (!current) return Fail(current.error());
        for (const auto& e : change.entries) {
          for (const auto& row : *current) {
            if (row.entry == e.entry) return Fail(errors::AclEntryExists(change.acl_id, e.entry));
          }
        }
        if (current->size() + change.entries.size() > static_cast<size_t>(kAclEntriesPerAcl)) {
          return Fail(errors::AclEntryQuotaExceeded(change.acl_id, kAclEntriesPerAcl));
        }
        Job job = MakeJob(domain, account, api_name::kAddEntriesToAcl, job_kind::kUpdate,
                          job_kind::kAcl, change.acl_id);
        for (const auto& e : change.entries) {
          if (auto r = tx.InsertAclEntry({change.acl_id, e.entry, e.description,
                                          std::string(status::kAdding), job.job_id});
              !r) {
            return Fail(r.error());
          }
        }
        if (auto r = SetAclStatus(tx, *acl, status::kConfiguring); !r) return Fail(r.error());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> RemoveEntriesFromAcl(const Domain& domain, const AclEntriesChange& change) {
  if (auto r = ValidateEntries(change.entries, /*with_descriptions=*/false); !r) {
    return Fail(r.error());
  }
  std::vector<std::string> entries;
  for (const auto& e : change.entries) entries.push_back(e.entry);
  const std::string& account = change.write.account_id;
  return RunJobWrite(domain, change.write, api_name::kRemoveEntriesFromAcl,
                     ParameterFingerprint({change.acl_id, SortedJoined(entries)}),
                     [&](StoreTx& tx) -> Result<Job> {
                       auto acl = AvailableAclOrFail(tx, account, change.acl_id);
                       if (!acl) return Fail(acl.error());
                       auto current = AllAclEntries(tx, change.acl_id);
                       if (!current) return Fail(current.error());
                       std::map<std::string, AclEntry, std::less<>> rows;
                       for (auto& row : *current) rows.emplace(row.entry, std::move(row));
                       for (const auto& entry : entries) {
                         if (!rows.contains(entry))
                           return Fail(errors::AclEntryNotFound(change.acl_id, entry));
                       }
                       Job job = MakeJob(domain, account, api_name::kRemoveEntriesFromAcl,
                                         job_kind::kUpdate, job_kind::kAcl, change.acl_id);
                       for (const auto& entry : entries) {
                         AclEntry row = rows.find(entry)->second;
                         row.status = status::kRemoving;
                         row.job_id = job.job_id;
                         if (auto r = tx.UpdateAclEntry(row); !r) return Fail(r.error());
                       }
                       if (auto r = SetAclStatus(tx, *acl, status::kConfiguring); !r)
                         return Fail(r.error());
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

Result<Page<AclEntry>> ListAclEntries(const Domain& domain, std::string_view account_id,
                                      std::string_view acl_id, const PageRequest& page) {
  return InTransaction<Page<AclEntry>>(domain.store, TxMode::kRead,
                                       [&](StoreTx& tx) -> Result<Page<AclEntry>> {
                                         auto acl = FindAclOrFail(tx, account_id, acl_id);
                                         if (!acl) return Fail(acl.error());
                                         return tx.ListAclEntries(acl_id, page);
                                       });
}

Result<Job> AssociateAclsWithListener(const Domain& domain, const ListenerAclChange& change) {
  if (change.acl_type.empty()) return Fail(errors::MissingParameter("AclType"));
  if (change.acl_type != "White" && change.acl_type != "Black") {
    return Fail(errors::InvalidParameter("AclType", "it must be White or Black"));
  }
  auto ids = DistinctIds(change.acl_ids, "AclIds", kAclsPerListener);
  if (!ids) return Fail(ids.error());
  const std::string& account = change.write.account_id;
  return RunJobWrite(
      domain, change.write, api_name::kAssociateAclsWithListener,
      ParameterFingerprint({change.listener_id, change.acl_type, SortedJoined(*ids)}),
      [&](StoreTx& tx) -> Result<Job> {
        auto listener = ListenerReadyForChange(tx, account, change.listener_id);
        if (!listener) return Fail(listener.error());
        auto existing = AllListenerAcls(tx, change.listener_id);
        if (!existing) return Fail(existing.error());
        if (!existing->empty() && existing->front().acl_type != change.acl_type) {
          return Fail(errors::AclTypeConflict(change.listener_id, existing->front().acl_type));
        }
        for (const auto& id : *ids) {
          auto acl = AvailableAclOrFail(tx, account, id);
          if (!acl) return Fail(acl.error());
          for (const auto& row : *existing) {
            if (row.acl_id == id) return Fail(errors::AclAlreadyAssociated(id, change.listener_id));
          }
        }
        if (existing->size() + ids->size() > static_cast<size_t>(kAclsPerListener)) {
          return Fail(errors::ListenerAclQuotaExceeded(change.listener_id, kAclsPerListener));
        }
        Job job = MakeJob(domain, account, api_name::kAssociateAclsWithListener, job_kind::kUpdate,
                          job_kind::kListener, change.listener_id);
        for (const auto& id : *ids) {
          if (auto r = tx.InsertListenerAcl({change.listener_id, id, change.acl_type,
                                             std::string(status::kAssociating), job.job_id});
              !r) {
            return Fail(r.error());
          }
        }
        if (auto r = MarkListenerConfiguring(tx, *listener); !r) return Fail(r.error());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> DissociateAclsFromListener(const Domain& domain, const ListenerAclChange& change) {
  auto ids = DistinctIds(change.acl_ids, "AclIds", kAclsPerListener);
  if (!ids) return Fail(ids.error());
  const std::string& account = change.write.account_id;
  return RunJobWrite(
      domain, change.write, api_name::kDissociateAclsFromListener,
      ParameterFingerprint({change.listener_id, SortedJoined(*ids)}),
      [&](StoreTx& tx) -> Result<Job> {
        auto listener = ListenerReadyForChange(tx, account, change.listener_id);
        if (!listener) return Fail(listener.error());
        auto existing = AllListenerAcls(tx, change.listener_id);
        if (!existing) return Fail(existing.error());
        std::vector<ListenerAcl> rows;
        for (const auto& id : *ids) {
          auto acl = FindAclOrFail(tx, account, id);
          if (!acl) return Fail(acl.error());
          auto it = std::find_if(existing->begin(), existing->end(),
                                 [&](const ListenerAcl& row) { return row.acl_id == id; });
          if (it == existing->end()) {
            return Fail(errors::AclNotAssociated(id, change.listener_id));
          }
          rows.push_back(*it);
        }
        Job job = MakeJob(domain, account, api_name::kDissociateAclsFromListener, job_kind::kUpdate,
                          job_kind::kListener, change.listener_id);
        for (auto& row : rows) {
          row.status = status::kDissociating;
          row.job_id = job.job_id;
          if (auto r = tx.UpdateListenerAcl(row); !r) return Fail(r.error());
        }
        if (auto r = MarkListenerConfiguring(tx, *listener); !r) return Fail(r.error());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<std::vector<AclRelations>> ListAclRelations(const Domain& domain,
                                                   std::string_view account_id,
                                                   const std::vector<std::string>& acl_ids) {
  auto ids = DistinctIds(acl_ids, "AclIds", 5);
  if (!ids) return Fail(ids.error());
  return InTransaction<std::vector<AclRelations>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<std::vector<AclRelations>> {
        std::vector<AclRelations> out;
        for (const auto& id : *ids) {
          auto acl = FindAclOrFail(tx, account_id, id);
          if (!acl) return Fail(acl.error());
          AclRelations relations{id, {}};
          PageRequest page{.after = 0, .limit = 100};
          while (true) {
            auto rows = tx.ListListenerAcls({.acl_id = id}, page);
            if (!rows) return Fail(rows.error());
            for (auto& row : rows->items) {
              auto listener = tx.FindListener(account_id, row.listener_id);
              if (!listener) return Fail(listener.error());
              if (*listener) relations.listeners.push_back({std::move(row), std::move(**listener)});
            }
            if (!rows->next) break;
            page.after = *rows->next;
          }
          out.push_back(std::move(relations));
        }
        return out;
      });
}

Result<std::vector<ListenerAcl>> AllListenerAcls(StoreTx& tx, std::string_view listener_id) {
  auto page =
      tx.ListListenerAcls({.listener_id = std::string(listener_id)}, {.after = 0, .limit = 100});
  if (!page) return Fail(page.error());
  return std::move(page->items);  // at most three, and a few being removed
}

Result<std::vector<AclEntry>> AllAclEntries(StoreTx& tx, std::string_view acl_id) {
  std::vector<AclEntry> out;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto rows = tx.ListAclEntries(acl_id, page);
    if (!rows) return Fail(rows.error());
    for (auto& row : rows->items) out.push_back(std::move(row));
    if (!rows->next) return out;
    page.after = *rows->next;
  }
}

Result<std::vector<std::string>> ListenersWithAcl(StoreTx& tx, std::string_view acl_id) {
  std::vector<std::string> out;
  PageRequest page{.after = 0, .limit = 500};
  while (true) {
    auto rows = tx.ListListenerAcls({.acl_id = std::string(acl_id)}, page);
    if (!rows) return Fail(rows.error());
    for (const auto& row : rows->items) out.push_back(row.listener_id);
    if (!rows->next) return out;
    page.after = *rows->next;
  }
}

bool IsAclJob(std::string_view api) {
  return api == api_name::kCreateAcl || api == api_name::kDeleteAcl ||
         api == api_name::kAddEntriesToAcl || api == api_name::kRemoveEntriesFromAcl;
}

namespace {

// The entry rows `job` marked: on success an entry being added becomes Available and one being
// removed goes; on failure the reverse.
Result<void> SettleAclEntries(StoreTx& tx, const Job& job, bool succeeded) {
  auto entries = AllAclEntries(tx, job.resource_id);
  if (!entries) return Fail(entries.error());
  for (auto& row : *entries) {
    if (row.job_id != job.job_id) continue;
    const bool adding = row.status == status::kAdding;
    if (adding == succeeded) {
      row.status = status::kAvailable;
      row.job_id.clear();
      if (auto r = tx.UpdateAclEntry(row); !r) return r;
    } else if (auto r = tx.DeleteAclEntry(row.acl_id, row.entry); !r) {
      return r;
    }
  }
  return {};
}

}  // namespace

Result<void> FinishAclJob(StoreTx& tx, const Job& job) {
  auto found = tx.FindAcl(job.account_id, job.resource_id);
  if (!found) return Fail(found.error());
  if (!*found) {
    if (job.api_name == api_name::kDeleteAcl) return {};  // already gone
    return Fail(errors::AclNotFound(job.resource_id));
  }
  if (job.api_name == api_name::kDeleteAcl) return tx.DeleteAcl(job.resource_id);
  if (auto r = SettleAclEntries(tx, job, /*succeeded=*/true); !r) return r;
  // The ACL is Available in the same transaction its entries are: never an entry Available
  // while its ACL is still Configuring.
  return SetAclStatus(tx, **found, status::kAvailable);
}

Result<void> UndoAclJob(StoreTx& tx, const Job& job) {
  auto found = tx.FindAcl(job.account_id, job.resource_id);
  if (!found) return Fail(found.error());
  if (!*found) return {};
  if (job.api_name == api_name::kCreateAcl) return tx.DeleteAcl(job.resource_id);
  if (auto r = SettleAclEntries(tx, job, /*succeeded=*/false); !r) return r;
  return SetAclStatus(tx, **found, status::kAvailable);
}

Result<void> SettleListenerAcls(StoreTx& tx, const Job& job, bool succeeded) {
  auto rows = AllListenerAcls(tx, job.resource_id);
  if (!rows) return Fail(rows.error());
  for (auto row : *rows) {
    if (row.job_id != job.job_id) continue;
    const bool associating = row.status == status::kAssociating;
    if (associating == succeeded) {
      row.status = status::kAssociated;
      row.job_id.clear();
      if (auto r = tx.UpdateListenerAcl(row); !r) return r;
    } else if (auto r = tx.DeleteListenerAcl(row.listener_id, row.acl_id); !r) {
      return r;
    }
  }
  return {};
}

}  // namespace openalb
