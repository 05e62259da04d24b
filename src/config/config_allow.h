/*
 * Parsing of the configuration's allowlist entries, private to src/config.
 */
#ifndef SSHTRAIL_CONFIG_ALLOW_H
#define SSHTRAIL_CONFIG_ALLOW_H

#include "config/node.h"

/* Parses the `allowlist` list into ld->cfg->allowlist. */
int config_allow_parse(struct node_loader *ld, yaml_node_t *v);

#endif
