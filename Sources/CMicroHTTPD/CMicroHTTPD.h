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

/// Starts a daemon with an accept policy, its options from one `MHD_OPTION_END`-terminated array.
///
/// `MHD_start_daemon` is variadic, which Swift cannot call.
static inline struct MHD_Daemon *
CMicroHTTPD_start_daemon_with_policy(unsigned int flags, MHD_AcceptPolicyCallback policy, void *policy_cls,
                                     MHD_AccessHandlerCallback handler, void *handler_cls,
                                     const struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, 0, policy, policy_cls, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// The socket of a connection, or -1.
///
/// `MHD_get_connection_info` is variadic, which Swift cannot call.
static inline int
CMicroHTTPD_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/// The port the daemon is bound to (for port 0: the ephemeral one); 0 when unknown.
///
/// `MHD_get_daemon_info` is variadic, which Swift cannot call.
static inline uint16_t
CMicroHTTPD_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// The peer address of a connection, or NULL.
///
/// `MHD_get_connection_info` is variadic, which Swift cannot call.
static inline const struct sockaddr *
CMicroHTTPD_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/// The connection's GnuTLS session (`gnutls_session_t`) on a TLS daemon, or NULL.
///
/// `MHD_get_connection_info` is variadic, which Swift cannot call.
static inline void *
CMicroHTTPD_tls_session(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    return info == NULL ? NULL : info->tls_session;
}

/// Whether this libmicrohttpd was built with TLS (GnuTLS).
static inline int
CMicroHTTPD_has_tls(void) {
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

#endif
