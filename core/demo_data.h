#pragma once
// The trial's demo organisation: a door-and-window shop in Foshan with its
// owner, two reps and a store clerk, and customers of the kinds docs/DESIGN.md
// (note 8) names: dealers, designers, contractors, decoration companies, home owners.
// The data is made on the device and stays there; converting the trial to a
// real account keeps it or drops it (DropOrganisationData).
#include <cstdint>
#include <vector>

#include "core/customers.h"
#include "core/db.h"

namespace crm {

struct DemoOrganisation {
  Actor owner;                  // the trial user: the shop's admin
  std::vector<int64_t> staff;   // the other demo users
  int customers = 0;
};

// Fills an empty, migrated database (EnsureDeviceTables done) with the demo
// organisation in one transaction and registers the owner as this device's
// trial account. Invalid when the database already has users.
Result<DemoOrganisation> SeedDemoOrganisation(Db& db, int64_t deviceId);

// Removes every organisation row (each synced table) and every device account,
// without audit entries: what "drop the demo data" means on conversion. The
// device id and settings stay.
Status DropOrganisationData(Db& db);

// Turns the trial into a real local account named `name` with a PIN. keepData:
// the demo organisation stays, its customers move from the trial user to the new
// admin and the trial user is deactivated; otherwise the demo is dropped first.
struct PinRecord;
Result<Actor> ConvertTrialToAccount(Db& db, std::string_view name, const PinRecord& pin, bool keepData);

}  // namespace crm
