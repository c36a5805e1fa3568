/*
 * Builds derivation trees of a given size and shape, for the
 * `cap.revoke_1000` benchmark (kernel) and its host test. The caller holds
 * the capability lock.
 */
#include "cap/cap.h"

uint32_t cap_bench_build_tree(cap_slot_t *root, cnode_t *const *cnodes, size_t ncnodes, uint32_t count,
                              enum cap_bench_shape shape)
{
    cap_slot_t *parent = root;
    uint32_t made = 0;
    for (uint32_t i = 0; i < count && ncnodes > 0; i++) {
        cnode_t *cn = cnodes[i % ncnodes];
        uint32_t index;
        cap_slot_t *child;
        if (cnode_find_free(cn, &index) != MN_ERR_OK)
            break;
        if (cap_derive(parent, cn, index, MN_RIGHTS_ALL, &child) != MN_ERR_OK)
            break;
        made++;
        if (shape == CAP_BENCH_CHAIN)
            parent = child;
    }
    return made;
}
