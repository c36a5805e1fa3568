/* 8254 PIT channel 0: a tick counter read through latches, and a periodic IRQ 0. */
#include <arch/cpu.h>
#include <arch/pit.h>

static uint16_t prev;
static uint64_t total;
static int present = -1;

static uint16_t latch(void)
{
    outb(0x43, 0x00);
    uint8_t lo = inb(0x40);
    uint8_t hi = inb(0x40);
    return (uint16_t)(lo | hi << 8);
}

void pit_ticks_start(void)
{
    outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 */
    outb(0x40, 0);
    outb(0x40, 0);
    prev = latch();
    total = 0;
}

uint64_t pit_ticks(void)
{
    uint16_t now = latch();
    total += (uint16_t)(prev - now); /* counts down, wraps at 65536 */
    prev = now;
    return total;
}

bool pit_present(void)
{
    if (present < 0) {
        pit_ticks_start();
        uint64_t start = rdtsc();
        present = 0;
        while (rdtsc() - start < 50000000ull) { /* ~20 ms at 2.5 GHz; longer on slower TSCs */
            if (pit_ticks() > 2) {
                present = 1;
                break;
            }
        }
    }
    return present;
}

void pit_periodic(uint32_t hz)
{
    uint32_t div = hz ? PIT_HZ / hz : 0;
    if (div < 2)
        div = 2;
    if (div > 65535)
        div = 0; /* 65536 */
    outb(0x43, 0x34);
    outb(0x40, div & 0xFF);
    outb(0x40, div >> 8);
}
