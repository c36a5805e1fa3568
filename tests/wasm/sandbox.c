/* sandbox.c - the freestanding module of the SFI bridge (no WASI): built
 * with clang --target=wasm32 -nostdlib, run by init's hypervisor
 * (user/init/hypervisor.c) at boot and in its self-test, and by wasmrun.
 * Its one import is env.host_print(ptr, len): the host range-checks
 * [ptr, ptr+len) against this module's linear memory and writes the bytes
 * to COM1 (init) or the console (wasmrun).
 *
 * Exports: run_guest (the greeting), add, and the misbehaviours the host
 * must survive: bad_print / bad_len (out-of-range pointers), spin (a loop
 * that never ends), grow_all (memory.grow until refused), recurse (calls
 * without end). */
__attribute__((import_module("env"), import_name("host_print"))) void host_print(const char *ptr, int len);

static const char greeting[] = "Hello from the Wasm Sandbox!\n";

__attribute__((export_name("run_guest"))) int run_guest(void)
{
    host_print(greeting, (int)sizeof greeting - 1);
    return 0;
}

__attribute__((export_name("add"))) int add(int a, int b)
{
    return a + b;
}

/* A pointer near the top of the 32-bit space: far past the end of memory. */
__attribute__((export_name("bad_print"))) void bad_print(void)
{
    host_print((const char *)0xFFFFFF00u, 64);
}

/* A valid pointer with a length that runs past the end of memory. */
__attribute__((export_name("bad_len"))) void bad_len(void)
{
    host_print(greeting, 0x7FFFFFFF);
}

__attribute__((export_name("spin"))) void spin(void)
{
    for (volatile int i = 0;; i++)
        ;
}

/* Grows memory a page at a time until memory.grow refuses; returns the pages it then has. */
__attribute__((export_name("grow_all"))) int grow_all(void)
{
    while (__builtin_wasm_memory_grow(0, 1) != (unsigned long)-1)
        ;
    return (int)__builtin_wasm_memory_size(0);
}

static volatile int depth;

__attribute__((export_name("recurse"))) int recurse(int n)
{
    depth = n;
    return recurse(n + 1) + depth;
}
