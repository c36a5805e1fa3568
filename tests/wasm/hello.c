/* hello.c - WASI test: prints to stdout and stderr, echoes its arguments,
 * and exits with the status given as its last argument (0 by default). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("Hello from the Wasm Sandbox!\n");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    fprintf(stderr, "this goes to stderr\n");
    return argc > 1 ? atoi(argv[argc - 1]) : 0;
}
