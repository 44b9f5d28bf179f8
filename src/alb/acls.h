// Access control lists, as ALB has them: CreateAcl (a job: Creating → Available),
// UpdateAclAttribute (the name, at once), DeleteAcl (a job; refused while a listener uses it),
// AddEntriesToAcl / RemoveEntriesFromAcl (jobs: the ACL is Configuring and its entries Adding
// or Removing until the job has been served by every listener using it, then Available or
// gone), and AssociateAclsWithListener / DissociateAclsFromListener (listener jobs, like the
// certificate ones: the listener Configuring, the relation Associating / Dissociating). One
// change at a time per ACL: another while it is not Available is IncorrectStatus.Acl, which
// every client retries. The data plane enforces the served entries (dataplane/address_acl.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// ALB's limits: 20 entries per call, 1,000 per ACL, 3 ACLs per listener.
inline constexpr int kAclEntriesPerCall = 20;
inline constexpr int kAclEntriesPerAcl = 1000;
inline constexpr int kAclsPerListener = 3;

struct AclRequest {
  WriteRequest write;
  std::string acl_id;               // Update
  std::optional<std::string> name;  // required on Create
  std::string resource_group_id;    // Create
  std::vector<TagPair> tags;        // Create
};

// The job creating it; the new ACL's id is the job's resource id.
Result<Job> CreateAcl(const Domain& domain, const AclRequest& request);
Result<void> UpdateAclAttribute(const Domain& domain, const AclRequest& request);
Result<Job> DeleteAcl(const Domain& domain, const WriteRequest& write, std::string_view acl_id);
Result<Page<Acl>> ListAcls(const Domain& domain, const AclFilter& filter, const PageRequest& page);

struct AclEntryInput {
  std::string entry;
  std::string description;
};
struct AclEntriesChange {
  WriteRequest write;
  std::string acl_id;
  std::vector<AclEntryInput> entries;  // Remove uses only `entry`
};
Result<Job> AddEntriesToAcl(const Domain& domain, const AclEntriesChange& change);
Result<Job> RemoveEntriesFromAcl(const Domain& domain, const AclEntriesChange& change);
Result<Page<AclEntry>> ListAclEntries(const Domain& domain, std::string_view account_id,
                                      std::string_view acl_id, const PageRequest& page);

struct ListenerAclChange {
  WriteRequest write;
  std::string listener_id;
  std::vector<std::string> acl_ids;  // 1..3
  std::string acl_type;              // Associate: White or Black
};
Result<Job> AssociateAclsWithListener(const Domain& domain, const ListenerAclChange& change);
Result<Job> DissociateAclsFromListener(const Domain& domain, const ListenerAclChange& change);

struct AclListenerRelation {
  ListenerAcl relation;
  Listener listener;
};
struct AclRelations {
  std::string acl_id;
  std::vector<AclListenerRelation> listeners;
};
// Each named ACL (ResourceNotFound.Acl for one not the account's) and the listeners using it.
Result<std::vector<AclRelations>> ListAclRelations(const Domain& domain,
                                                   std::string_view account_id,
                                                   const std::vector<std::string>& acl_ids);

// Shared with the listener views, the served view, tags, resource groups and the jobs.

// The account's ACL; ResourceNotFound.Acl when it has none by that id.
Result<Acl> FindAclOrFail(StoreTx& tx, std::string_view account_id, std::string_view acl_id);

// Every ACL relation of the listener, in association order.
Result<std::vector<ListenerAcl>> AllListenerAcls(StoreTx& tx, std::string_view listener_id);
// Every entry of the ACL, in the order added.
Result<std::vector<AclEntry>> AllAclEntries(StoreTx& tx, std::string_view acl_id);
// The listeners with a relation (in any status) to the ACL: those an entry change reaches.
Result<std::vector<std::string>> ListenersWithAcl(StoreTx& tx, std::string_view acl_id);
bool IsAclJob(std::string_view api_name);
// Completing and undoing an ACL's own job (create, delete, entries).
Result<void> FinishAclJob(StoreTx& tx, const Job& job);
Result<void> UndoAclJob(StoreTx& tx, const Job& job);
// The listener's relation rows `job` marked: on success Associating → Associated and
// Dissociating → gone; on failure the reverse.
Result<void> SettleListenerAcls(StoreTx& tx, const Job& job, bool succeeded);

}  // namespace openalb
