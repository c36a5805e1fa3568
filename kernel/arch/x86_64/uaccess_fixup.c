/* Exception fixups for user-memory accesses (see <arch/uaccess.h>). */
#include <arch/uaccess.h>
#include <stdint.h>

extern char uaccess_copy_insn[], uaccess_copy_tail_insn[], uaccess_copy_fixup[];

/* Faulting instruction -> where to resume. One entry per user-access instruction. */
static const struct {
    const char *insn, *fixup;
} table[] = {
    {uaccess_copy_insn, uaccess_copy_fixup},
    {uaccess_copy_tail_insn, uaccess_copy_fixup},
};

bool uaccess_fixup(struct int_frame *frame)
{
    if (frame->cs & 3)
        return false;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (frame->rip == (uint64_t)(uintptr_t)table[i].insn) {
            frame->rip = (uint64_t)(uintptr_t)table[i].fixup;
            return true;
        }
    }
    return false;
}
