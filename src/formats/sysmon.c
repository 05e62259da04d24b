/*
 * The sysmon format: Sysmon for Linux events, which sysmon writes to
 * syslog as one XML <Event> document per line
 * ("... sysmon: <Event><System>...</System><EventData>...</EventData>
 * </Event>"), or the bare <Event> documents alone, one per line.
 *
 * Event ID 1 (process create) becomes an exec event.  Event ID 3 (network
 * connection) becomes a net_ssh event when either port is 22.  Other event
 * IDs are skipped.
 *
 * The XML is parsed with libxml2 without network access, without loading
 * a DTD and without substituting entities.  A line with a DOCTYPE or
 * ENTITY declaration is rejected before parsing, because sysmon never
 * writes one.  So external entities (XXE) and entity expansion cannot come
 * from the input.
 * This file does not read events split over several lines.
 */
#include "formats/format.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "formats/syslog_header.h"

/* Maximum bytes of one <Event> document. */
#define SYSMON_MAX_EVENT (1024 * 1024)

struct sysmon_state {
    struct format_opts opts;
    struct syslog_header_state header;
    struct event ev;
};

/* The <EventData> and <System> values used, as views into the document. */
struct sysmon_fields {
    long event_id;
    struct sv computer;
    struct sv system_time;
    struct sv data[32];
    const char *names[32];
    int count;
};

static int
sysmon_probe(struct sv line)
{
    if (sv_find(line, SV_LIT("<Provider Name=\"Linux-Sysmon\"")) >= 0) {
        return 100;
    }
    if (sv_find(line, SV_LIT("<Event><System>")) >= 0) {
        return 60;
    }
    return 0;
}

static void *
sysmon_open(const struct format_opts *opts)
{
    struct sysmon_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    syslog_header_init(&st->header, &st->opts);
    event_init(&st->ev);
    return st;
}

static void
sysmon_close(void *state)
{
    struct sysmon_state *st = state;

    if (st == NULL) {
        return;
    }
    event_fini(&st->ev);
    free(st);
}

/*
 * Returns the text of an element with one text child, an empty view for
 * an empty element, or SV_NULL for mixed content.  The view points into
 * the document.
 */
static struct sv
node_text(xmlNode *node)
{
    xmlNode *child = node->children;

    if (child != NULL && child->type == XML_TEXT_NODE && child->next == NULL &&
        child->content != NULL) {
        return sv_cstr((const char *)child->content);
    }
    return child == NULL ? SV_LIT("") : SV_NULL;
}

static bool
is_element(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

/* Reads <System>: EventID, Computer, TimeCreated SystemTime. */
static void
read_system(xmlNode *system, struct sysmon_fields *f)
{
    for (xmlNode *n = system->children; n != NULL; n = n->next) {
        if (is_element(n, "EventID")) {
            int64_t id;
            if (sv_to_i64(node_text(n), &id)) {
                f->event_id = (long)id;
            }
        } else if (is_element(n, "Computer")) {
            f->computer = node_text(n);
        } else if (is_element(n, "TimeCreated")) {
            xmlAttr *a = n->properties;
            for (; a != NULL; a = a->next) {
                if (strcmp((const char *)a->name, "SystemTime") == 0 &&
                    a->children != NULL && a->children->content != NULL) {
                    f->system_time =
                        sv_cstr((const char *)a->children->content);
                }
            }
        }
    }
}

/* Reads <EventData>: each <Data Name="...">value</Data>. */
static void
read_event_data(xmlNode *data, struct sysmon_fields *f)
{
    for (xmlNode *n = data->children; n != NULL; n = n->next) {
        if (!is_element(n, "Data") || f->count == 32) {
            continue;
        }
        xmlAttr *a = n->properties;
        for (; a != NULL; a = a->next) {
            if (strcmp((const char *)a->name, "Name") == 0 &&
                a->children != NULL && a->children->content != NULL) {
                f->names[f->count] = (const char *)a->children->content;
                f->data[f->count] = node_text(n);
                f->count++;
                break;
            }
        }
    }
}

/* Returns a <Data> value; "-" (sysmon's empty value) reads as absent. */
static struct sv
data_value(const struct sysmon_fields *f, const char *name)
{
    for (int i = 0; i < f->count; i++) {
        if (strcmp(f->names[i], name) == 0) {
            struct sv v = f->data[i];
            return sv_eq_cstr(v, "-") ? SV_NULL : v;
        }
    }
    return SV_NULL;
}

static void
set_str_data(struct event *ev, enum event_str field,
             const struct sysmon_fields *f, const char *name)
{
    struct sv v = data_value(f, name);

    if (v.p != NULL && v.len > 0) {
        event_set_str(ev, field, v);
    }
}

static void
set_num_data(struct event *ev, enum event_num field,
             const struct sysmon_fields *f, const char *name)
{
    int64_t v;

    if (sv_to_i64(data_value(f, name), &v)) {
        event_set_num(ev, field, v);
    }
}

/*
 * Event ID 1: <Data Name="ProcessId">, "Image", "CommandLine",
 * "CurrentDirectory", "User", "LogonId", "ParentProcessId", "ParentImage".
 */
static void
fill_exec(struct event *ev, const struct sysmon_fields *f)
{
    ev->kind = EVENT_EXEC;
    ev->result = EVENT_RESULT_SUCCESS;
    set_num_data(ev, EVENT_PID, f, "ProcessId");
    set_num_data(ev, EVENT_PPID, f, "ParentProcessId");
    set_str_data(ev, EVENT_EXE, f, "Image");
    set_str_data(ev, EVENT_CMDLINE, f, "CommandLine");
    set_str_data(ev, EVENT_CWD, f, "CurrentDirectory");
    set_str_data(ev, EVENT_USER, f, "User");
    set_str_data(ev, EVENT_PARENT_EXE, f, "ParentImage");
    set_str_data(ev, EVENT_LOGON_ID, f, "LogonId");
}

/*
 * Event ID 3 with port 22 on either side.  The side with port 22 is the
 * SSH server: with DestinationPort 22 the source is the client, with only
 * SourcePort 22 the roles are swapped.  Returns false for other ports.
 */
static bool
fill_net_ssh(struct event *ev, const struct sysmon_fields *f)
{
    struct sv dport = data_value(f, "DestinationPort");
    struct sv sport = data_value(f, "SourcePort");
    bool to_server = sv_eq_cstr(dport, "22");

    if (!to_server && !sv_eq_cstr(sport, "22")) {
        return false;
    }
    ev->kind = EVENT_NET_SSH;
    set_str_data(ev, EVENT_SRC_IP, f, to_server ? "SourceIp"
                                                : "DestinationIp");
    set_num_data(ev, EVENT_SRC_PORT, f, to_server ? "SourcePort"
                                                  : "DestinationPort");
    set_str_data(ev, EVENT_DST_IP, f, to_server ? "DestinationIp"
                                                : "SourceIp");
    event_set_num(ev, EVENT_DST_PORT, 22);
    set_num_data(ev, EVENT_PID, f, "ProcessId");
    set_str_data(ev, EVENT_EXE, f, "Image");
    set_str_data(ev, EVENT_USER, f, "User");
    return true;
}

/* Sets the time from UtcTime ("2021-11-23 14:06:07.116"), else SystemTime. */
static bool
set_time(struct event *ev, const struct sysmon_fields *f)
{
    static const struct tz utc = { 0 };
    struct sv utc_time = data_value(f, "UtcTime");

    if (utc_time.p != NULL &&
        time_parse_iso(utc_time, &utc, &ev->time) == utc_time.len) {
        return true;
    }
    return f->system_time.p != NULL &&
           time_parse_iso(f->system_time, &utc, &ev->time) ==
               f->system_time.len;
}

/* Parses one <Event> document and fills st->ev.  Returns the status. */
static enum parse_status
parse_event(struct sysmon_state *st, struct sv xml, const char **reason)
{
    struct sysmon_fields f = { .event_id = -1 };
    enum parse_status status = PARSE_OK;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

#ifdef XML_PARSE_NO_XXE
    options |= XML_PARSE_NO_XXE;
#endif
    xmlDoc *doc = xmlReadMemory(xml.p, (int)xml.len, NULL, "UTF-8", options);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL || !is_element(root, "Event")) {
        xmlFreeDoc(doc);
        *reason = "invalid sysmon event XML";
        return PARSE_MALFORMED;
    }
    for (xmlNode *n = root->children; n != NULL; n = n->next) {
        if (is_element(n, "System")) {
            read_system(n, &f);
        } else if (is_element(n, "EventData")) {
            read_event_data(n, &f);
        }
    }

    struct event *ev = &st->ev;
    if (!set_time(ev, &f)) {
        *reason = "sysmon event without a valid UtcTime or SystemTime";
        status = PARSE_MALFORMED;
    } else if (f.event_id == 1) {
        fill_exec(ev, &f);
    } else if (f.event_id != 3 || !fill_net_ssh(ev, &f)) {
        *reason = f.event_id == 3 ? "sysmon network event not on port 22"
                                  : "sysmon event ID not used";
        status = PARSE_SKIP;
    }
    if (status == PARSE_OK && f.computer.len > 0) {
        event_set_str(ev, EVENT_HOST, f.computer);
    }
    xmlFreeDoc(doc);
    return status;
}

/*
 * Reads one line: "Nov 23 14:06:07 sysmon-test sysmon: <Event><System>
 * <Provider Name="Linux-Sysmon" .../><EventID>1</EventID>...</Event>", or
 * the <Event> document alone.  The host is <Computer>, else the syslog
 * host.
 */
static enum parse_status
sysmon_feed(void *state, struct sv line, const struct event_origin *origin,
            const struct event_sink *sink, const char **reason)
{
    struct sysmon_state *st = state;
    ptrdiff_t start = sv_find(line, SV_LIT("<Event"));
    ptrdiff_t end = sv_rfind(line, SV_LIT("</Event>"));
    struct syslog_header h;

    if (start < 0) {
        *reason = "no sysmon <Event> in the line";
        return PARSE_SKIP;
    }

    /* Sysmon escapes "<" in values, so these are markup, never data. */
    if (sv_find(line, SV_LIT("<!DOCTYPE")) >= 0 ||
        sv_find(line, SV_LIT("<!ENTITY")) >= 0) {
        *reason = "sysmon event with a DOCTYPE or ENTITY declaration";
        return PARSE_MALFORMED;
    }
    if (end < start) {
        *reason = "sysmon <Event> without </Event>";
        return PARSE_MALFORMED;
    }
    struct sv xml = sv_make(line.p + start, (size_t)(end - start) + 8);
    if (xml.len > SYSMON_MAX_EVENT) {
        *reason = "sysmon event larger than 1 MiB";
        return PARSE_MALFORMED;
    }

    event_reset(&st->ev);
    st->ev.origin = *origin;
    enum parse_status status = parse_event(st, xml, reason);
    if (status != PARSE_OK) {
        return status;
    }
    if (!event_has_str(&st->ev, EVENT_HOST) && start > 0 &&
        syslog_header_parse(&st->header, sv_head(line, (size_t)start), &h) !=
            SYSLOG_HEADER_NONE &&
        h.host.p != NULL) {
        event_set_str(&st->ev, EVENT_HOST, h.host);
    }
    sink->emit(sink->arg, &st->ev);
    return PARSE_OK;
}

const struct format_ops sysmon_format = {
    .name = "sysmon",
    .description = "Sysmon for Linux events (XML in syslog)",
    .platform = "linux",
    .probe = sysmon_probe,
    .open = sysmon_open,
    .close = sysmon_close,
    .feed = sysmon_feed,
    .flush = NULL,
};
