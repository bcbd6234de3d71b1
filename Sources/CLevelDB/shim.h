#ifndef PROVERNET_CLEVELDB_SHIM_H
#define PROVERNET_CLEVELDB_SHIM_H
#include <leveldb/c.h>
#endif
