/* json.c - a minimal JSON reader for the spec-test runner. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
} jp_t;

static void ws(jp_t *s)
{
    while (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')
        s->p++;
}

static json_t *value(jp_t *s);

static size_t last_len;

static char *string(jp_t *s)
{
    char *out, *w;
    if (*s->p != '"')
        return NULL;
    out = w = ++s->p;
    while (*s->p && *s->p != '"') {
        if (*s->p == '\\') {
            s->p++;
            switch (*s->p) {
            case 'n': *w++ = '\n'; break;
            case 't': *w++ = '\t'; break;
            case 'r': *w++ = '\r'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'u': {
                unsigned cp = (unsigned)strtoul((char[]){s->p[1], s->p[2], s->p[3], s->p[4], 0}, NULL, 16);
                s->p += 4;
                if (cp < 0x80)
                    *w++ = (char)cp;
                else if (cp < 0x800) {
                    *w++ = (char)(0xc0 | cp >> 6);
                    *w++ = (char)(0x80 | (cp & 0x3f));
                } else {
                    *w++ = (char)(0xe0 | cp >> 12);
                    *w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                    *w++ = (char)(0x80 | (cp & 0x3f));
                }
                break;
            }
            default: *w++ = *s->p; break;
            }
            s->p++;
        } else {
            *w++ = *s->p++;
        }
    }
    if (*s->p != '"')
        return NULL;
    s->p++;
    *w = 0;
    last_len = (size_t)(w - out);
    return out;
}

static json_t *node(json_kind_t k)
{
    json_t *j = calloc(1, sizeof *j);
    j->kind = k;
    return j;
}

static json_t *value(jp_t *s)
{
    json_t *j, **tail;
    ws(s);
    switch (*s->p) {
    case '{':
    case '[': {
        char close = *s->p == '{' ? '}' : ']';
        j = node(close == '}' ? J_OBJ : J_ARR);
        tail = &j->child;
        s->p++;
        ws(s);
        if (*s->p == close) {
            s->p++;
            return j;
        }
        for (;;) {
            char *key = NULL;
            json_t *v;
            ws(s);
            if (close == '}') {
                key = string(s);
                ws(s);
                if (!key || *s->p != ':')
                    return json_free(j), NULL;
                s->p++;
            }
            v = value(s);
            if (!v)
                return json_free(j), NULL;
            v->key = key;
            *tail = v;
            tail = &v->next;
            ws(s);
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p == close) {
                s->p++;
                return j;
            }
            return json_free(j), NULL;
        }
    }
    case '"':
        j = node(J_STR);
        j->str = string(s);
        if (!j->str)
            return json_free(j), NULL;
        j->len = last_len;
        return j;
    case 't':
    case 'f':
    case 'n':
        j = node(*s->p == 'n' ? J_NULL : J_BOOL);
        j->str = *s->p == 't' ? "true" : *s->p == 'f' ? "false" : "null";
        while (*s->p >= 'a' && *s->p <= 'z')
            s->p++;
        return j;
    default: {
        char *start = s->p;
        while (*s->p && strchr("+-0123456789.eE", *s->p))
            s->p++;
        if (s->p == start)
            return NULL;
        j = node(J_NUM);
        j->str = start; /* terminated lazily below */
        return j;
    }
    }
}

/* Numbers are left unterminated while parsing; terminate them afterwards. */
static void fix_numbers(json_t *j)
{
    for (; j; j = j->next) {
        if (j->kind == J_NUM) {
            char *e = j->str;
            while (*e && strchr("+-0123456789.eE", *e))
                e++;
            *e = 0;
        }
        fix_numbers(j->child);
    }
}

json_t *json_parse(char *text)
{
    jp_t s = {text};
    json_t *j = value(&s);
    /* numbers followed by ',' etc.: terminate after the whole parse */
    if (j) {
        /* line numbers are stored as numbers; convert before terminating */
        fix_numbers(j);
    }
    return j;
}

void json_free(json_t *j)
{
    while (j) {
        json_t *n = j->next;
        json_free(j->child);
        free(j);
        j = n;
    }
}

json_t *json_get(const json_t *obj, const char *key)
{
    if (!obj)
        return NULL;
    for (json_t *c = obj->child; c; c = c->next)
        if (c->key && !strcmp(c->key, key))
            return c;
    return NULL;
}

const char *json_str(const json_t *obj, const char *key)
{
    json_t *j = json_get(obj, key);
    return j && (j->kind == J_STR || j->kind == J_NUM) ? j->str : NULL;
}
