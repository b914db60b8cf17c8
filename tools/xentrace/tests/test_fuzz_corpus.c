/*
 * test_fuzz_corpus - replay every file of the fuzzer's committed corpus
 * (tools/xentrace/fuzz/corpus) through the same check the fuzzer runs:
 * both reading modes, the decoder, and their agreement.  A regression
 * anywhere in the reader aborts here under `make check` (and under ASan and
 * UBSan with SANITIZE=address,undefined) without needing libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xte_fuzz_check(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tools/xentrace/fuzz/corpus";
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned int n = 0;

    if (!d) {
        perror(dir);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        FILE *f;
        uint8_t *buf;
        long len;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0) {
            perror(path);
            return 1;
        }
        rewind(f);
        buf = malloc((size_t)len + 1);
        if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
            perror(path);
            return 1;
        }
        fclose(f);
        xte_fuzz_check(buf, (size_t)len);
        free(buf);
        n++;
    }
    closedir(d);
    printf("%u corpus files replayed\n", n);
    if (n == 0) {
        fprintf(stderr, "no corpus files in %s\n", dir);
        return 1;
    }
    return 0;
}
