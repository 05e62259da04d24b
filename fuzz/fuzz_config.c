/*
 * libFuzzer harness for the YAML configuration loader.
 *
 * The input is written to a temporary file and loaded with config_load.
 * A rejected file must come back with a NUL-terminated error message.  An
 * accepted file is written out with config_write_effective, which promises
 * YAML that loads back to the same configuration: the harness loads that
 * output again and requires it to be accepted and to write the same bytes
 * a second time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz_common.h"

static char input_path[] = "/tmp/sshtrail-fuzz-config-XXXXXX";
static char again_path[] = "/tmp/sshtrail-fuzz-config-again-XXXXXX";

static void
remove_files(void)
{
    unlink(input_path);
    unlink(again_path);
}

static int
make_temp(char *path)
{
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_config: mkstemp");
        exit(2);
    }
    close(fd);
    return 0;
}

static void
write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(data, 1, n, f) != n) ||
        fclose(f) != 0) {
        perror("fuzz_config: writing the input");
        abort();
    }
}

/* Writes cfg's effective YAML into a new malloc'd buffer. */
static char *
effective(const struct config *cfg, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL) {
        abort();
    }
    config_write_effective(cfg, f);
    if (fclose(f) != 0) {
        abort();
    }
    return text;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    make_temp(input_path);
    make_temp(again_path);
    atexit(remove_files);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct config cfg;
    struct config again;
    struct config_error err;
    char msg[1024];

    write_file(input_path, data, n);
    config_default(&cfg);
    memset(&err, 0, sizeof(err));
    if (config_load(&cfg, input_path, &err) < 0) {
        config_error_format(&err, msg, sizeof(msg));
        if (memchr(msg, '\0', sizeof(msg)) == NULL) {
            fuzz_fail("error message not terminated", msg, sizeof(msg));
        }
        config_fini(&cfg);
        return 0;
    }

    size_t len1;
    char *text1 = effective(&cfg, &len1);
    config_fini(&cfg);

    write_file(again_path, text1, len1);
    config_default(&again);
    if (config_load(&again, again_path, &err) < 0) {
        config_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "reload: %s\n", msg);
        fuzz_fail("effective configuration does not load back", text1,
                  len1);
    }
    size_t len2;
    char *text2 = effective(&again, &len2);
    config_fini(&again);

    /* The path line names the file loaded, so compare after it. */
    const char *body1 = strchr(text1, '\n');
    const char *body2 = strchr(text2, '\n');
    if ((body1 == NULL) != (body2 == NULL) ||
        (body1 != NULL && strcmp(body1, body2) != 0)) {
        fuzz_fail("effective configuration changes on reload", text2, len2);
    }
    free(text1);
    free(text2);
    return 0;
}
