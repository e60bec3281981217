#ifndef C_OBJSTREAM_XXHASH_H
#define C_OBJSTREAM_XXHASH_H

#include <xxhash.h>

#endif
