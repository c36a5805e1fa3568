/* trap.c - WASI test: prints, then executes an unreachable instruction. */
#include <stdio.h>

int main(void)
{
    printf("before trap\n");
    fflush(stdout);
    __builtin_trap();
}
