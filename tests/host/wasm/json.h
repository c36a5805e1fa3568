/* json.h - a minimal JSON reader for the spec-test runner (wast2json output). */
#ifndef WASM_TEST_JSON_H
#define WASM_TEST_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } json_kind_t;

typedef struct json {
    json_kind_t kind;
    char *str; /* J_STR (decoded), J_NUM (text) */
    size_t len; /* J_STR: bytes (may contain NUL) */
    char *key; /* member name inside an object */
    struct json *child; /* first element / member */
    struct json *next; /* next sibling */
    int line;
} json_t;

/* Parses text (modified in place); returns NULL on a syntax error. */
json_t *json_parse(char *text);
void json_free(json_t *j);
json_t *json_get(const json_t *obj, const char *key);
const char *json_str(const json_t *obj, const char *key); /* NULL if absent */

#endif
