/*
 * Building a process's startup page (<mnos/startup.h>) from the kernel:
 * for init, and for the Ring 3 programs the in-kernel tests and benchmarks
 * start with capabilities of their choosing.
 */
#ifndef LOADER_STARTUP_H
#define LOADER_STARTUP_H

#include <mnos/startup.h>
#include <stdint.h>

struct process;

/*
 * Fills a fresh page with a struct mn_startup (argv[0..argc), caps[0..ncaps),
 * initrd_size, boot_tsc) and maps it read-only at MN_STARTUP_VA in p (the page is p's:
 * its teardown frees it). Returns MN_ERR_OK, MN_ERR_BAD_ARG (too many
 * arguments or capabilities, or the strings do not fit) or
 * MN_ERR_NO_MEMORY.
 */
int startup_page_build(struct process *p, const char *const *argv, int argc, const struct mn_startup_cap *caps,
                       int ncaps, uint64_t initrd_size, uint64_t boot_tsc);

/*
 * Gives p an "initrd" capability in `slot`: an MmioRegion over the initrd
 * (read-only, mapped cached) whose size the startup page's initrd_size
 * reports. Returns the archive's size in bytes, or 0 (logged) when there is
 * no usable initrd.
 */
uint64_t startup_mint_initrd(struct process *p, uint32_t slot, uint8_t rights);

#endif
