// The access control list actions of ALB 2020-06-16: CreateAcl, UpdateAclAttribute, DeleteAcl,
// ListAcls, AddEntriesToAcl, RemoveEntriesFromAcl, ListAclEntries, AssociateAclsWithListener,
// DissociateAclsFromListener and ListAclRelations.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterAclActions(ActionTable& table);

}  // namespace openalb
