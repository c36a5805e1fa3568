/* coremark_like.c - a CoreMark-like mix (not CoreMark itself): linked-list
 * find and merge sort, integer matrix multiply, a number-scanning state
 * machine, and CRC-16 over every result, iterated. */
#include "bench.h"

/* ---- CRC-16 (CCITT, bitwise) ---- */
static uint16_t crc16(uint16_t crc, uint32_t v, int bytes)
{
    for (int b = 0; b < bytes; b++) {
        uint8_t x = (uint8_t)(v >> (8 * b));
        for (int i = 0; i < 8; i++) {
            int bit = ((crc >> 15) ^ (x >> 7)) & 1;
            crc = (uint16_t)(crc << 1);
            if (bit)
                crc ^= 0x1021;
            x = (uint8_t)(x << 1);
        }
    }
    return crc;
}

/* ---- linked list ---- */
typedef struct node {
    struct node *next;
    int16_t key, val;
} node_t;
#define NODES 256
static node_t pool[NODES];

static node_t *list_init(uint32_t seed)
{
    node_t *head = 0;
    for (int i = NODES - 1; i >= 0; i--) {
        seed = seed * 1664525u + 1013904223u;
        pool[i].key = (int16_t)(seed >> 20);
        pool[i].val = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static node_t *merge_sort(node_t *list, int by_val)
{
    /* bottom-up merge sort of a singly linked list */
    int insize = 1;
    if (!list)
        return 0;
    for (;;) {
        node_t *p = list, *tail = 0;
        int merges = 0;
        list = 0;
        while (p) {
            node_t *q = p;
            int psize = 0, qsize = insize;
            merges++;
            for (int i = 0; i < insize && q; i++, psize++)
                q = q->next;
            while (psize > 0 || (qsize > 0 && q)) {
                node_t *e;
                if (psize == 0)
                    e = q, q = q->next, qsize--;
                else if (qsize == 0 || !q)
                    e = p, p = p->next, psize--;
                else if ((by_val ? p->val - q->val : p->key - q->key) <= 0)
                    e = p, p = p->next, psize--;
                else
                    e = q, q = q->next, qsize--;
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1)
            return list;
        insize *= 2;
    }
}

static uint16_t list_bench(uint16_t crc, uint32_t seed)
{
    node_t *l = list_init(seed);
    int found = 0;
    l = merge_sort(l, 0);
    for (int k = 0; k < 64; k++) {
        int16_t want = (int16_t)((seed >> 4) + k * 37) & 0xfff;
        for (node_t *n = l; n; n = n->next)
            if (n->key == want) {
                found++;
                break;
            }
    }
    crc = crc16(crc, (uint32_t)l->key, 2);
    l = merge_sort(l, 1);
    for (node_t *n = l; n; n = n->next)
        crc = crc16(crc, (uint32_t)(n->key ^ n->val), 2);
    return crc16(crc, (uint32_t)found, 2);
}

/* ---- matrix ---- */
#define MN 24
static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];

static uint16_t matrix_bench(uint16_t crc, uint32_t seed)
{
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            seed = seed * 1103515245u + 12345u;
            ma[i][j] = (int16_t)((seed >> 16) & 0xff);
            mb[i][j] = (int16_t)((seed >> 8) & 0xff) - 128;
        }
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t s = 0;
            for (int k = 0; k < MN; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    int32_t acc = 0;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++)
            acc += (mc[i][j] >> 2) > 1000 ? 1 : mc[i][j] & 7;
    return crc16(crc, (uint32_t)acc, 4);
}

/* ---- state machine: classify comma-separated tokens ---- */
enum { S_START, S_INT, S_FLOAT, S_EXP, S_SCI, S_INVALID };
static char text[1024];

static uint16_t state_bench(uint16_t crc, uint32_t seed)
{
    static const char alphabet[] = "0123456789.,e-+x";
    int counts[6] = {0}, state = S_START;
    for (unsigned i = 0; i < sizeof text - 1; i++) {
        seed = seed * 1664525u + 1013904223u;
        text[i] = alphabet[(seed >> 24) & 15];
    }
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ',') {
            counts[state]++;
            state = S_START;
            continue;
        }
        switch (state) {
        case S_START: state = (c >= '0' && c <= '9') ? S_INT : (c == '-' || c == '+') ? S_INT : S_INVALID; break;
        case S_INT: state = (c >= '0' && c <= '9') ? S_INT : c == '.' ? S_FLOAT : S_INVALID; break;
        case S_FLOAT: state = (c >= '0' && c <= '9') ? S_FLOAT : c == 'e' ? S_EXP : S_INVALID; break;
        case S_EXP: state = (c >= '0' && c <= '9') || c == '-' || c == '+' ? S_SCI : S_INVALID; break;
        case S_SCI: state = (c >= '0' && c <= '9') ? S_SCI : S_INVALID; break;
        default: break;
        }
    }
    for (int i = 0; i < 6; i++)
        crc = crc16(crc, (uint32_t)counts[i], 2);
    return crc;
}

unsigned bench_run(void)
{
    uint16_t crc = 0;
    for (uint32_t it = 0; it < 2500 * bench_one; it++) {
        crc = list_bench(crc, it);
        crc = matrix_bench(crc, it * 7);
        crc = state_bench(crc, it * 13);
    }
    return crc;
}
