/* Memory management bring-up. */
#ifndef MM_MM_H
#define MM_MM_H

#include "boot/boot_info.h"

/* Phase 3 ("can remember"): PMM, the kernel's own page tables, kernel heap. */
void mm_init(const struct boot_info *bi);

#endif
