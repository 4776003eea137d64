// The OpenSSL (libcrypto) headers Murmur uses, and wrappers for what Swift cannot import.
#ifndef MURMUR_COPENSSL_SHIM_H
#define MURMUR_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

// OPENSSL_free is a function-like macro (it passes __FILE__ and __LINE__), which Swift cannot call.
static inline void murmur_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
