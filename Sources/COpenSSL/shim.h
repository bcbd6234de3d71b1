#ifndef PROVERNET_COPENSSL_SHIM_H
#define PROVERNET_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#endif
