#ifndef C_OBJSTREAM_GNUTLS_H
#define C_OBJSTREAM_GNUTLS_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/// Makes a socket the session's transport.
///
/// `gnutls_transport_set_int` is a macro, which Swift cannot call.
static inline void CGnuTLS_transport_set_int(gnutls_session_t session, int fd) {
    gnutls_transport_set_int2(session, fd, fd);
}

/// Frees what GnuTLS allocated (a printed verification status, say).
///
/// `gnutls_free` is a macro over a function pointer, which Swift cannot call.
static inline void CGnuTLS_free(void *pointer) {
    gnutls_free(pointer);
}

#endif
