// CRC32C (Castagnoli), the checksum of each journal record: table-driven, no hardware assumption.
#pragma once
#include <cstddef>
#include <cstdint>

namespace pw::journal {

uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

}  // namespace pw::journal
