/*
 * Memory from Ring 3 through the capability calls: frames from the
 * allocator, mapped, written, read back; a multi-page frame; its physical
 * address; unmapped (and gone: touching it would fault, which the kernel's
 * own tests cover).
 */
#include "utest.h"

static const char *utest_name = "memory";

int main(void)
{
    for (unsigned order = 0; order <= 4; order++) {
        uint32_t slot;
        volatile uint64_t *p = mn_map_pages(order, &slot);
        CHECK(1, p != NULL);
        uint64_t words = (MN_PAGE_SIZE << order) / 8;
        for (uint64_t i = 0; i < words; i++)
            CHECK(2, p[i] == 0); /* zeroed by the kernel */
        for (uint64_t i = 0; i < words; i++)
            p[i] = i * 0x9E3779B97F4A7C15ull + order;
        for (uint64_t i = 0; i < words; i++)
            CHECK(3, p[i] == i * 0x9E3779B97F4A7C15ull + order);
        uint64_t info[3];
        CHECK(4, mn_sys_FRAME_INFO(slot, info) == 0 && info[1] == order);
        CHECK(5, (info[0] & ((MN_PAGE_SIZE << order) - 1)) == 0); /* naturally aligned */
        CHECK(6, mn_unmap_pages((void *)p, order) == 0);
        CHECK(7, mn_sys_DROP_CAP(slot) == 0);
        mn_slot_free(slot);
    }
    printf("memory: mapped, wrote and read back frames of 1 to 16 pages\n");
    return 0;
}
