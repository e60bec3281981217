#ifndef C_OBJSTREAM_LZ4_H
#define C_OBJSTREAM_LZ4_H

#include <lz4.h>
#include <lz4frame.h>

/// LZ4F_isError as a plain int, for Swift callers.
static inline int CLZ4_isError(size_t code) { return LZ4F_isError(code) ? 1 : 0; }

/// The version of the frame API this module was compiled against.
static inline unsigned CLZ4_frameVersion(void) { return LZ4F_VERSION; }

#endif
