/*
 * The shared ABI headers (abi/include/mnos/): the roadmap's numbers are the
 * ones DESIGN.md section 7 fixes, the X-macro tables generate consistent
 * enums, names and counts, and the layouts are what both sides assume.
 */
#include <mnos/caps.h>
#include <mnos/errors.h>
#include <mnos/ipc.h>
#include <mnos/layout.h>
#include <mnos/syscalls.h>
#include <string.h>

#include "host_test.h"

/* What a dispatch table built from the X-macro looks like (as the kernel's will). */
static const char *const dispatch_names[MN_SYSCALL_COUNT] = {
#define ENTRY_(name, num, args, outs, doc) [num] = #name,
    MN_SYSCALL_TABLE(ENTRY_)
#undef ENTRY_
};

int main(void)
{
    HT_BEGIN("cap_abi");

    HT_CASE("roadmap-syscalls")
    {
        static const struct {
            const char *name;
            int args;
        } core[12] = {
            {"EXIT", 0},       {"SEND", 4},     {"RECV", 1},          {"PORT_OUT", 4},
            {"PORT_IN", 3},    {"WAIT_IRQ", 1}, {"SPAWN_PROCESS", 0}, {"ALLOC_MEMORY", 2},
            {"MAP_MEMORY", 4}, {"DELEGATE", 4}, {"SPAWN_THREAD", 3},  {"DROP_CAP", 1},
        };
        for (int i = 0; i < 12; i++) {
            HT_CHECK(mn_syscall_name((uint64_t)i) && strcmp(mn_syscall_name((uint64_t)i), core[i].name) == 0,
                     "number %d is %s", i, core[i].name);
            HT_CHECK(mn_syscall_args((uint64_t)i) == core[i].args, "%s takes %d arguments", core[i].name, core[i].args);
        }
    }

    HT_CASE("syscall-table")
    {
        int n = 0;
        for (uint64_t i = 0; i < MN_SYSCALL_COUNT; i++) {
            HT_CHECK(dispatch_names[i] != NULL, "number %lu is used (no holes)", (unsigned long)i);
            HT_CHECK(mn_syscall_name(i) == NULL || strcmp(mn_syscall_name(i), dispatch_names[i]) == 0, "names");
            n += mn_syscall_name(i) != NULL;
            for (uint64_t j = 0; j < i; j++)
                HT_CHECK(strcmp(dispatch_names[i], dispatch_names[j]) != 0, "duplicate name %s", dispatch_names[i]);
        }
        HT_CHECK(n == MN_SYSCALL_COUNT && n >= 30, "%d calls", n);
        HT_CHECK(mn_syscall_name(MN_SYSCALL_COUNT) == NULL && mn_syscall_args(MN_SYSCALL_COUNT) == -1 &&
                     mn_syscall_name(UINT64_MAX) == NULL,
                 "out of range");
        HT_CHECK(MN_SYS_CALL >= 12 && MN_SYS_REPLY_RECV >= 12 && MN_SYS_REVOKE >= 12 && MN_SYS_INSPECT >= 12,
                 "extensions from 12 up");
    }

    HT_CASE("errors")
    {
        HT_CHECK(MN_ERR_INVALID_SLOT == -1 && MN_ERR_NO_RIGHTS == -2 && MN_ERR_WRONG_TYPE == -3 &&
                     MN_ERR_NOT_FOUND == -4 && MN_ERR_NO_MEMORY == -5 && MN_ERR_BUSY == -6 && MN_ERR_MAP_FAILED == -7,
                 "the roadmap's codes");
        HT_CHECK((uint64_t)(int64_t)MN_ERR_INVALID_SLOT == UINT64_MAX, "-1 is u64::MAX");
        for (int64_t e = 0; e >= MN_ERR_MIN; e--) {
            HT_CHECK(strcmp(mn_error_name(e), "MN_ERR_?") != 0 && strcmp(mn_error_text(e), "unknown error") != 0,
                     "code %ld named", (long)e);
            HT_CHECK(e == 0 || mn_is_error(e), "code %ld is an error", (long)e);
            for (int64_t f = 0; f > e; f--)
                HT_CHECK(strcmp(mn_error_name(e), mn_error_name(f)) != 0, "codes %ld %ld same name", (long)e, (long)f);
        }
        HT_CHECK(strcmp(mn_error_name(MN_ERR_NO_RIGHTS), "MN_ERR_NO_RIGHTS") == 0, "name spelling");
        HT_CHECK(strcmp(mn_error_name(MN_ERR_MIN - 1), "MN_ERR_?") == 0 && !mn_is_error(MN_ERR_MIN - 1) &&
                     !mn_is_error(5),
                 "unknown codes");
    }

    HT_CASE("caps")
    {
        HT_CHECK(MN_CAP_EMPTY == 0 && MN_CAP_PMM_ALLOCATOR == 1 && MN_CAP_MEMORY_FRAME == 2 && MN_CAP_IO_PORT == 3 &&
                     MN_CAP_PROCESS == 4 && MN_CAP_THREAD == 5 && MN_CAP_ENDPOINT == 6 && MN_CAP_IRQ_LINE == 7 &&
                     MN_CAP_MMIO_REGION == 8 && MN_CAP_NOTIFICATION == 9 && MN_CAP_PCI_DEVICE == 10 &&
                     MN_CAP_TYPE_COUNT == 11,
                 "type numbers in the roadmap's order");
        HT_CHECK(MN_RIGHT_READ == 1 && MN_RIGHT_WRITE == 2 && MN_RIGHT_EXEC == 4 && MN_RIGHT_GRANT == 8 &&
                     MN_RIGHT_REVOKE == 0x10 && MN_RIGHTS_ALL == 0x1F,
                 "rights bits");
        HT_CHECK(strcmp(mn_cap_type_name(MN_CAP_ENDPOINT), "ENDPOINT") == 0 && strcmp(mn_cap_type_name(99), "?") == 0,
                 "type names");
        uint64_t v = MN_INSPECT_MAKE(MN_CAP_IRQ_LINE, MN_RIGHT_READ | MN_RIGHT_GRANT);
        HT_CHECK(MN_INSPECT_TYPE(v) == MN_CAP_IRQ_LINE && MN_INSPECT_RIGHTS(v) == 9, "inspect encoding");
    }

    HT_CASE("ipc-and-layout")
    {
        mn_msg_t m = {1, 2, 3};
        uint64_t words[3];
        memcpy(words, &m, sizeof m);
        HT_CHECK(sizeof m == 24 && words[0] == 1 && words[1] == 2 && words[2] == 3, "three words in order");
        HT_CHECK(MN_USER_IMAGE_BASE == 0x400000 && MN_USER_STACK_TOP == 0x7FFFFFFFE000 &&
                     MN_USER_INITRD_VIEW == 0x10000000 && MN_USER_HEAP_BASE == 0x40000000 &&
                     MN_USER_END == 0x0000800000000000ull,
                 "DESIGN.md section 4 addresses");
        HT_CHECK(MN_USER_MIN < MN_USER_IMAGE_BASE && MN_USER_MIN % MN_PAGE_SIZE == 0, "lower bound");
    }
    return HT_END();
}
