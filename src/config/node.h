/*
 * YAML node access for the configuration loader, private to src/config.
 * Every read checks the node's type and bounds; on failure it records the
 * line, the key path and a message in the loader's error and returns -1.
 * Strings and arrays returned are owned by the configuration being loaded.
 */
#ifndef SSHTRAIL_CONFIG_NODE_H
#define SSHTRAIL_CONFIG_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config/config.h"

struct node_loader {
    struct config *cfg;
    yaml_document_t *doc;
    struct config_error *err;
    char key[sizeof(((struct config_error *)0)->key)];
    size_t keylen;
    bool window_set[CONFIG_PLATFORM_COUNT]; /* TimeWindow given */
    void *item; /* the list item a key function fills */
};

typedef int (*node_key_fn)(struct node_loader *ld, yaml_node_t *value);

struct node_key_spec {
    const char *name;
    node_key_fn parse;
};

/* Validates one list item; value is the copy node_list made. */
typedef int (*node_item_fn)(struct node_loader *ld, yaml_node_t *node,
                            const char *value);

/* Hands object to cfg, which calls release on it in config_fini.  Returns
 * object, or NULL after releasing it when memory runs out. */
void *node_own(struct config *cfg, void *object, void (*release)(void *));
void *node_calloc(struct config *cfg, size_t count, size_t size);
char *node_strndup(struct config *cfg, const char *s, size_t len);
/* Releases everything node_own recorded for cfg. */
void node_release_all(struct config *cfg);

/* Records an error at node (NULL: no line) under the current key path. */
int node_fail(struct node_loader *ld, const yaml_node_t *node, const char *fmt,
              ...) __attribute__((format(printf, 3, 4)));
int node_fail_memory(struct node_loader *ld, const yaml_node_t *node);

/* Append ".name" or "[i]" to the key path; return the length to restore
 * with node_path_pop. */
size_t node_path_push(struct node_loader *ld, const char *name);
size_t node_path_index(struct node_loader *ld, size_t i);
void node_path_pop(struct node_loader *ld, size_t old);

yaml_node_t *node_get(struct node_loader *ld, int id);
/* Tests for an empty plain scalar, "~" or "null". */
bool node_is_null(const yaml_node_t *node);
/* Returns "a scalar", "a list" or "a mapping" for messages. */
const char *node_kind(const yaml_node_t *node);

int node_scalar(struct node_loader *ld, yaml_node_t *node, size_t max,
                struct sv *out);
int node_string(struct node_loader *ld, yaml_node_t *node, size_t max,
                bool lower, const char **out);
int node_int(struct node_loader *ld, yaml_node_t *node, int64_t min,
             int64_t max, int64_t *out);
int node_duration(struct node_loader *ld, yaml_node_t *node, int64_t *out_ms);
int node_list(struct node_loader *ld, yaml_node_t *node, size_t max_len,
              bool lower, node_item_fn check, struct config_list *out);
int node_mapping(struct node_loader *ld, yaml_node_t *node, size_t max,
                 yaml_node_pair_t **start, size_t *n);
int node_key(struct node_loader *ld, yaml_node_pair_t *pairs, size_t i,
             struct sv *out);
/* Parses a mapping whose keys come from keys (ended by a NULL name), in
 * table order; unknown and duplicate keys are errors. */
int node_keys(struct node_loader *ld, yaml_node_t *node,
              const struct node_key_spec *keys);

#endif
