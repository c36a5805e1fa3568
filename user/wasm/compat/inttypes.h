/* inttypes.h - the printf macros of <inttypes.h> for Ring 3 programs that
 * share host sources (x86_64: long is 64 bits, as libmnos's printf knows). */
#ifndef USER_WASM_COMPAT_INTTYPES_H
#define USER_WASM_COMPAT_INTTYPES_H

#include <stdint.h>

#define PRId32 "d"
#define PRIu32 "u"
#define PRIx32 "x"
#define PRId64 "ld"
#define PRIu64 "lu"
#define PRIx64 "lx"

#endif
