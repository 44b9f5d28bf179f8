// Certificate service (CAS 2020-04-07) actions, so the SDKs and tools that upload
// certificates to Alibaba Cloud can upload them here: UploadUserCertificate,
// GetUserCertificateDetail, ListUserCertificateOrder, DeleteUserCertificate.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterCertificateActions(ActionTable& table);

}  // namespace openalb
