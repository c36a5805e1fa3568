/* A program that works until it is killed: allocates, writes, yields, for ever (the leak test kills it mid-work). */
#include "stdlib.h"
#include "utest.h"

int main(void)
{
    for (unsigned i = 0;; i++) {
        volatile uint8_t *p = malloc(4096 + (i % 8) * 1024);
        if (p) {
            p[0] = (uint8_t)i;
            free((void *)p);
        }
        mn_sys_YIELD();
    }
}
