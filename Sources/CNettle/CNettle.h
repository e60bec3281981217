#ifndef C_OBJSTREAM_NETTLE_H
#define C_OBJSTREAM_NETTLE_H

#include <nettle/md5.h>
#include <nettle/sha2.h>

#endif
