#ifndef CASTOR_COPENSSL_SHIM_H
#define CASTOR_COPENSSL_SHIM_H
// OpenSSL exposes several operations only as macros; Swift cannot import those,
// so each one used by Castor gets a static inline wrapper here.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

static inline long castor_SSL_set_mode(SSL *s, long mode) { return SSL_set_mode(s, mode); }
static inline long castor_SSL_CTX_set_mode(SSL_CTX *c, long mode) { return SSL_CTX_set_mode(c, mode); }
static inline int castor_SSL_set_tlsext_host_name(SSL *s, const char *name) { return (int)SSL_set_tlsext_host_name(s, name); }
static inline int castor_SSL_CTX_set_min_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_min_proto_version(c, v); }
static inline int castor_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline long castor_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline long castor_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline int castor_OPENSSL_init_no_atexit(void) { return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL); }

// A keyed HMAC-SHA384 context (OpenSSL 3 EVP_MAC). Building the OSSL_PARAM list is
// macro- and array-heavy, so it lives here. Returns NULL on failure.
static inline EVP_MAC_CTX *castor_hmac_sha384_new(const unsigned char *key, size_t keylen) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  /* the context holds its own reference */
    if (ctx == NULL) return NULL;
    char digest[] = "SHA384";
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()
    };
    if (EVP_MAC_init(ctx, key, keylen, params) != 1) { EVP_MAC_CTX_free(ctx); return NULL; }
    return ctx;
}

/// One MAC over `msg` with the key set at creation (EVP_MAC_init with a NULL key reuses it).
static inline int castor_hmac_sha384_compute(EVP_MAC_CTX *ctx, const unsigned char *msg, size_t len,
                                             unsigned char *out, size_t outsize) {
    size_t outlen = 0;
    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1) return 0;
    if (EVP_MAC_update(ctx, msg, len) != 1) return 0;
    if (EVP_MAC_final(ctx, out, &outlen, outsize) != 1) return 0;
    return (int)outlen;
}

#endif
