/*
 * A tiny static program for the ELF loader's host test and the fuzz seed
 * corpus: text, read-only data, initialized data and BSS, so the linked
 * image has R, R+X and R+W PT_LOAD segments. It is never run.
 */
static const char message[] = "hello from a MinimalOS test image";
static long counter = 42;
static char scratch[8192];

void _start(void)
{
    for (unsigned i = 0; i < sizeof message; i++)
        scratch[i] = message[i];
    counter += scratch[3];
    for (;;)
        __asm__ volatile("" ::"r"(counter));
}
