#ifndef C_OBJSTREAM_SODIUM_H
#define C_OBJSTREAM_SODIUM_H

#include <sodium.h>

#endif
