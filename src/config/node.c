/*
 * YAML node access for the configuration loader: typed reads of scalars,
 * lists and mappings with bounds, the key path of the value being read,
 * and the first validation error.  Private to src/config.
 */
#include "config/node.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeconv.h"

/* One allocation owned by a configuration, freed by node_release_all. */
struct config_block {
    struct config_block *next;
    void (*release)(void *); /* free, or a compiled-pattern free */
    void *object;
};

/* ---- storage ----------------------------------------------------------- */

void *
node_own(struct config *cfg, void *object, void (*release)(void *))
{
    struct config_block *b = malloc(sizeof(*b));

    if (b == NULL) {
        release(object);
        return NULL;
    }
    b->object = object;
    b->release = release;
    b->next = cfg->blocks;
    cfg->blocks = b;
    return object;
}

void *
node_calloc(struct config *cfg, size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    return p == NULL ? NULL : node_own(cfg, p, free);
}

char *
node_strndup(struct config *cfg, const char *s, size_t len)
{
    char *p = node_calloc(cfg, len + 1, 1);

    if (p != NULL) {
        memcpy(p, s, len);
    }
    return p;
}

/* ---- errors and key paths ---------------------------------------------- */

int
node_fail(struct node_loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;

    ld->err->line = node != NULL ? node->start_mark.line + 1 : 0;
    snprintf(ld->err->key, sizeof(ld->err->key), "%s", ld->key);
    va_start(ap, fmt);
    vsnprintf(ld->err->message, sizeof(ld->err->message), fmt, ap);
    va_end(ap);
    return -1;
}

int
node_fail_memory(struct node_loader *ld, const yaml_node_t *node)
{
    return node_fail(ld, node, "out of memory");
}

size_t
node_path_push(struct node_loader *ld, const char *name)
{
    size_t old = ld->keylen;
    int n = snprintf(ld->key + old, sizeof(ld->key) - old, "%s%s",
                     old ? "." : "", name);

    ld->keylen = n < 0 ? old : old + (size_t)n;
    if (ld->keylen >= sizeof(ld->key)) {
        ld->keylen = sizeof(ld->key) - 1;
    }
    return old;
}

size_t
node_path_index(struct node_loader *ld, size_t i)
{
    size_t old = ld->keylen;
    int n = snprintf(ld->key + old, sizeof(ld->key) - old, "[%zu]", i);

    ld->keylen = n < 0 ? old : old + (size_t)n;
    if (ld->keylen >= sizeof(ld->key)) {
        ld->keylen = sizeof(ld->key) - 1;
    }
    return old;
}

void
node_path_pop(struct node_loader *ld, size_t old)
{
    ld->keylen = old;
    ld->key[old] = '\0';
}

/* ---- node access ------------------------------------------------------- */

yaml_node_t *
node_get(struct node_loader *ld, int id)
{
    return yaml_document_get_node(ld->doc, id);
}

bool
node_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE ||
        node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = (const char *)node->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *
node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/*
 * Reads a scalar of at most max bytes without control characters.  The
 * value stays owned by the document.
 */
int
node_scalar(struct node_loader *ld, yaml_node_t *node, size_t max,
            struct sv *out)
{
    if (node->type != YAML_SCALAR_NODE || node_is_null(node)) {
        return node_fail(ld, node, "missing value: expected a string, found %s",
                         node_is_null(node) ? "an empty value"
                                            : node_kind(node));
    }

    const char *v = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    if (len > max) {
        return node_fail(
            ld, node, "value is %zu bytes long: the maximum is %zu", len, max);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return node_fail(ld, node,
                             "value contains control character 0x%02x "
                             "at byte %zu",
                             c, i);
        }
    }
    *out = sv_make(v, len);
    return 0;
}

int
node_string(struct node_loader *ld, yaml_node_t *node, size_t max, bool lower,
            const char **out)
{
    struct sv v;

    if (node_scalar(ld, node, max, &v) < 0) {
        return -1;
    }
    if (v.len == 0) {
        return node_fail(ld, node,
                         "value is empty: expected a non-empty string");
    }
    char *copy = node_strndup(ld->cfg, v.p, v.len);
    if (copy == NULL) {
        return node_fail_memory(ld, node);
    }
    for (size_t i = 0; lower && i < v.len; i++) {
        copy[i] = (char)tolower((unsigned char)copy[i]);
    }
    *out = copy;
    return 0;
}

int
node_int(struct node_loader *ld, yaml_node_t *node, int64_t min, int64_t max,
         int64_t *out)
{
    struct sv v;
    int64_t n;

    if (node_scalar(ld, node, 32, &v) < 0) {
        return -1;
    }
    if (!sv_to_i64(v, &n) || n < min || n > max) {
        return node_fail(ld, node,
                         "invalid value '%.*s': expected a whole number "
                         "from %lld to %lld",
                         (int)v.len, v.p, (long long)min, (long long)max);
    }
    *out = n;
    return 0;
}

/* Durations are bounded to one day: windows and spans are minutes long. */
int
node_duration(struct node_loader *ld, yaml_node_t *node, int64_t *out_ms)
{
    struct sv v;
    char text[40];
    int64_t ms;

    if (node_scalar(ld, node, sizeof(text) - 1, &v) < 0) {
        return -1;
    }
    memcpy(text, v.p, v.len);
    text[v.len] = '\0';
    if (!duration_parse(text, &ms) || ms <= 0 || ms > 86400000) {
        return node_fail(ld, node,
                         "invalid duration '%s': expected a positive "
                         "duration of at most one day such as 90s, 10m or 1h",
                         text);
    }
    *out_ms = ms;
    return 0;
}

/* ---- lists and mappings ------------------------------------------------- */

/*
 * Reads a list of strings.  A null value is an empty list.  check, when
 * not NULL, validates each item with the key path pointing at it.
 */
int
node_list(struct node_loader *ld, yaml_node_t *node, size_t max_len, bool lower,
          node_item_fn check, struct config_list *out)
{
    if (node_is_null(node)) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    if (node->type != YAML_SEQUENCE_NODE) {
        return node_fail(ld, node, "expected a list of strings, found %s",
                         node_kind(node));
    }

    yaml_node_item_t *start = node->data.sequence.items.start;
    size_t n = (size_t)(node->data.sequence.items.top - start);
    if (n > CONFIG_MAX_LIST) {
        return node_fail(ld, node, "list has %zu items: the maximum is %u", n,
                         CONFIG_MAX_LIST);
    }
    const char **items = node_calloc(ld->cfg, n, sizeof(*items));
    uint64_t *lines = node_calloc(ld->cfg, n, sizeof(*lines));
    if (items == NULL || lines == NULL) {
        return node_fail_memory(ld, node);
    }

    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node_get(ld, start[i]);
        size_t old = node_path_index(ld, i);
        if (node_string(ld, item, max_len, lower, &items[i]) < 0 ||
            (check != NULL && check(ld, item, items[i]) < 0)) {
            return -1;
        }
        lines[i] = item->start_mark.line + 1;
        node_path_pop(ld, old);
    }
    out->items = items;
    out->lines = lines;
    out->n = (uint32_t)n;
    return 0;
}

/* Checks node is a mapping (null: empty) of at most max pairs. */
int
node_mapping(struct node_loader *ld, yaml_node_t *node, size_t max,
             yaml_node_pair_t **start, size_t *n)
{
    *start = NULL;
    *n = 0;
    if (node_is_null(node)) {
        return 0;
    }
    if (node->type != YAML_MAPPING_NODE) {
        return node_fail(ld, node,
                         "expected a mapping of keys to values, found "
                         "%s",
                         node_kind(node));
    }
    *start = node->data.mapping.pairs.start;
    *n = (size_t)(node->data.mapping.pairs.top - *start);
    if (*n > max) {
        return node_fail(ld, node, "mapping has %zu keys: the maximum is %zu",
                         *n, max);
    }
    return 0;
}

/* Reads key i of a mapping and rejects a repeat of an earlier key. */
int
node_key(struct node_loader *ld, yaml_node_pair_t *pairs, size_t i,
         struct sv *out)
{
    yaml_node_t *key = node_get(ld, pairs[i].key);

    if (key->type != YAML_SCALAR_NODE) {
        return node_fail(ld, key, "expected a plain key, found %s",
                         node_kind(key));
    }
    if (node_scalar(ld, key, CONFIG_MAX_NAME, out) < 0) {
        return -1;
    }
    for (size_t j = 0; j < i; j++) {
        yaml_node_t *prev = node_get(ld, pairs[j].key);
        if (prev->type == YAML_SCALAR_NODE &&
            sv_eq(sv_make((const char *)prev->data.scalar.value,
                          prev->data.scalar.length),
                  *out)) {
            return node_fail(ld, key,
                             "duplicate key '%.*s' (first at line "
                             "%lu)",
                             (int)out->len, out->p,
                             (unsigned long)prev->start_mark.line + 1);
        }
    }
    return 0;
}

static void
list_names(const struct node_key_spec *keys, char *buf, size_t n)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; keys[i].name != NULL && used < n; i++) {
        int w =
            snprintf(buf + used, n - used, "%s%s", i ? ", " : "", keys[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

/*
 * Walks a mapping whose keys come from a fixed table.  Unknown and
 * duplicate keys are errors.  The value nodes go into found[], indexed
 * like keys, so the caller decides the order of handling.
 */
static int
collect_keys(struct node_loader *ld, yaml_node_t *node,
             const struct node_key_spec *keys, yaml_node_t **found)
{
    yaml_node_pair_t *pairs;
    size_t n, nkeys = 0;

    while (keys[nkeys].name != NULL) {
        found[nkeys++] = NULL;
    }
    if (node_mapping(ld, node, CONFIG_MAX_LIST, &pairs, &n) < 0) {
        return -1;
    }

    for (size_t i = 0; i < n; i++) {
        struct sv name;
        size_t k;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        for (k = 0; k < nkeys && !sv_eq_cstr(name, keys[k].name); k++) {
        }
        if (k == nkeys) {
            char expected[512];
            list_names(keys, expected, sizeof(expected));
            return node_fail(ld, node_get(ld, pairs[i].key),
                             "unknown key '%.*s': "
                             "expected one of %s",
                             (int)name.len, name.p, expected);
        }
        found[k] = node_get(ld, pairs[i].value);
    }
    return 0;
}

/* Handles the keys collect_keys found, in table order. */
int
node_keys(struct node_loader *ld, yaml_node_t *node,
          const struct node_key_spec *keys)
{
    yaml_node_t *found[32];

    if (collect_keys(ld, node, keys, found) < 0) {
        return -1;
    }
    for (size_t k = 0; keys[k].name != NULL; k++) {
        if (found[k] == NULL) {
            continue;
        }
        size_t old = node_path_push(ld, keys[k].name);
        if (keys[k].parse(ld, found[k]) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
    }
    return 0;
}

void
node_release_all(struct config *cfg)
{
    struct config_block *b = cfg->blocks;

    while (b != NULL) {
        struct config_block *next = b->next;
        b->release(b->object);
        free(b);
        b = next;
    }
    cfg->blocks = NULL;
}
