// Listener certificate actions: AssociateAdditionalCertificatesWithListener,
// DissociateAdditionalCertificatesFromListener (the seed operation), ListListenerCertificates.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterListenerCertificateActions(ActionTable& table);

}  // namespace openalb
