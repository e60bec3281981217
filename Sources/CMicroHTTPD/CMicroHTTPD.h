#ifndef C_OBJSTREAM_MICROHTTPD_H
#define C_OBJSTREAM_MICROHTTPD_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Starts a daemon whose options all come from one `MHD_OPTION_END`-terminated array.
///
/// `MHD_start_daemon` is variadic, which Swift cannot call; this shim passes the
/// options through `MHD_OPTION_ARRAY` instead.
static inline struct MHD_Daemon *
CMicroHTTPD_start_daemon(unsigned int flags, uint16_t port,
                         MHD_AccessHandlerCallback handler, void *handler_cls,
                         const struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

#endif
