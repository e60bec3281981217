#ifndef C_OBJSTREAM_ISAL_H
#define C_OBJSTREAM_ISAL_H

// Only the CRC functions (crc32_iscsi is CRC-32C), not the whole of <isa-l.h>.
#include <isa-l/crc.h>

#endif
