#ifndef PROVERNET_COPENSSL_SHIM_H
#define PROVERNET_COPENSSL_SHIM_H
/* The low-level SHA256_Init/Update/Final API is deprecated in OpenSSL 3 but is the fast
   path: the one-shot SHA256() fetches the algorithm under a global lock on every call. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#endif
