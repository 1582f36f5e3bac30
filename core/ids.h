#pragma once
// Ids and clocks without coordination: rows made offline on many devices must
// never collide, so keys are random 63-bit positive integers made on the device.
#include <cstdint>

namespace crm {

// A random id in [1, 2^63). Uses the platform's CSPRNG (getrandom, or crypto.getRandomValues in the browser).
int64_t NewId();

// Milliseconds since the Unix epoch.
int64_t NowMs();

// For randomized tests whose failing seed must replay exactly: ids from a seeded generator and
// a clock the test moves. Seed 0 and a null clock return to the system's.
void SeedIdsForTesting(uint64_t seed);
void SetClockForTesting(int64_t (*clock)());

}  // namespace crm
