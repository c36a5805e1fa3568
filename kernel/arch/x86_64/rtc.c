/* CMOS RTC: register access and its seconds counter as a (slow) reference clock. */
#include <arch/cpu.h>
#include <arch/rtc.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_OFF 0x80 /* bit 7 of the index: NMIs stay masked while indexing */
#define REG_A_UIP 0x80 /* update in progress: the time registers are changing */

static uint8_t last_sec;
static uint64_t seconds;

uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, NMI_OFF | reg);
    uint8_t v = inb(CMOS_DATA);
    outb(CMOS_INDEX, 0x0D); /* index back to a harmless register, NMIs on */
    return v;
}

void cmos_write(uint8_t reg, uint8_t value)
{
    outb(CMOS_INDEX, NMI_OFF | reg);
    outb(CMOS_DATA, value);
    outb(CMOS_INDEX, 0x0D);
}

bool rtc_present(void)
{
    return !(cmos_read(0x0A) == 0xFF && cmos_read(0x0B) == 0xFF);
}

/* The seconds register, read outside an update cycle. */
static uint8_t read_sec(void)
{
    while (cmos_read(0x0A) & REG_A_UIP)
        cpu_relax();
    return cmos_read(0x00);
}

void rtc_seconds_start(void)
{
    last_sec = read_sec();
    seconds = 0;
}

uint64_t rtc_seconds(void)
{
    uint8_t s = read_sec();
    if (s != last_sec) {
        last_sec = s;
        seconds++;
    }
    return seconds;
}
