// Release builds carry no test hooks: these do nothing.
#include "web/platform.h"

namespace crm::web {
void AttachTestHooks(Platform&) {}
void SignalReadyIfDue(Platform&) {}
}  // namespace crm::web
