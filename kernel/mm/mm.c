/* Memory management bring-up (to be filled in: PMM, VMM, heap). */
#include "mm/mm.h"

void mm_init(const struct boot_info *bi)
{
    (void)bi;
}
