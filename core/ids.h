#pragma once
// Ids and clocks without coordination: rows made offline on many devices must
// never collide, so keys are random 63-bit positive integers made on the device.
#include <cstdint>

namespace crm {

// A random id in [1, 2^63), from a ChaCha20 stream keyed by the platform's CSPRNG (getentropy natively,
// crypto.getRandomValues in the browser) and re-keyed from it after every 64 KiB of output.
int64_t NewId();

// Milliseconds since the Unix epoch.
int64_t NowMs();

// For randomized tests whose failing seed must replay exactly: ids from a seeded generator and
// a clock the test moves. Seed 0 and a null clock return to the system's.
void SeedIdsForTesting(uint64_t seed);
void SetClockForTesting(int64_t (*clock)());

// The ChaCha20 block function (RFC 8439, 2.3): 64 bytes of key stream for a key, block counter and
// nonce. Public for its test vector.
void ChaCha20Block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]);

}  // namespace crm
