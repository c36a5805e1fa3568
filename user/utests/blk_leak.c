/*
 * Block sessions come and go without leaking: 50 times a fresh frame,
 * a session on it, 16 reads checked, the session ended and the frame
 * freed. init counts the kernel's free frames before this program starts
 * and after it has ended (utest "blk_leak" in init/tests.c): they must be
 * equal, so the driver kept nothing of the sessions.
 */
#include "blk_pattern.h"
#include "mn_blk.h"
#include "utest.h"

static const char *utest_name = "blk_leak";

int main(void)
{
    uint32_t ep = mn_cap("blk");
    CHECK(1, ep != 0);
    for (unsigned round = 0; round < 50; round++) {
        struct mn_blk b;
        CHECK(2, mn_blk_open(&b, ep, 4, 16) == MN_ERR_OK);
        uint64_t data = mn_blk_data_offset(&b);
        for (unsigned i = 0; i < 16; i++)
            CHECK(3, mn_blk_queue(&b, MN_BLK_OP_READ, round * 16 + i, 1, data + i * 512, i) == MN_ERR_OK);
        CHECK(4, mn_blk_submit(&b, 16) >= 16);
        struct mn_blk_cqe c;
        for (unsigned i = 0; i < 16; i++) {
            CHECK(5, mn_blk_complete(&b, &c) && c.result == MN_ERR_OK);
            const volatile uint64_t *w = mn_blk_buf(&b, data + c.tag * 512);
            CHECK(6, w[0] == blk_stamp(round * 16 + c.tag, 0) && w[63] == blk_stamp(round * 16 + c.tag, 63));
        }
        CHECK(7, mn_blk_close(&b) == MN_ERR_OK);
    }
    printf("blk_leak: 50 sessions opened, used and closed\n");
    return 0;
}
