/* Kernel command line lookups: space-separated `key=value` words. */
#include "boot/boot_info.h"
#include "lib/string.h"

bool boot_cmdline_get(const struct boot_info *bi, const char *key, char *out, size_t out_size)
{
    size_t key_len = strlen(key);
    const char *p = bi->cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        size_t word_len = (size_t)(p - word);
        if (word_len > key_len && strncmp(word, key, key_len) == 0 && word[key_len] == '=') {
            size_t n = word_len - key_len - 1;
            if (out_size == 0)
                return true;
            if (n >= out_size)
                n = out_size - 1;
            memcpy(out, word + key_len + 1, n);
            out[n] = 0;
            return true;
        }
    }
    return false;
}
