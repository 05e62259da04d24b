/*
 * The suspicious-execution table and its matcher.  Rows are regular
 * expressions over the command line, so adding a technique is adding a
 * row.  Most rows look for a command in command position: at the start of
 * the line or after a shell separator, a quote, or a wrapper such as sudo,
 * optionally behind a directory, and followed by a word end.  That keeps
 * "curl" from matching /home/curly and "id" from matching "grid".
 *
 * The table does not judge intent: an administrator's "id" hits the same
 * row as an intruder's.  Weights, baselines and allowlists decide what a
 * hit is worth.
 */
#include "score/patterns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Command position, then an optional directory before the command. */
#define CMD                                                                 \
    "(?:^|[;&|(`\"'\\n]|\\$\\()\\s*"                                        \
    "(?:(?:sudo|doas|env|nohup|exec|command|time|nice|xargs|busybox|"       \
    "timeout\\s+\\S+)(?:\\s+-\\S+)*\\s+)*"                                  \
    "(?:[^\\s;&|()`\"']*/)?"
/* End of a command word. */
#define END "(?=$|[\\s;&|)`\"'])"
/* Something that writes to the path that follows. */
#define WRITE                                                               \
    "(?:>>?\\s*|\\btee\\s+(?:-a\\s+)?|"                                     \
    "\\b(?:cp|mv|install|ln)\\s[^;&|]*?)"
#define SHELLS "(?:ba|da|z|k|c|tc|fi)?sh"
#define TMP_DIRS "(?:/tmp|/var/tmp|/dev/shm)/"
#define ESXCLI CMD "(?:esxcli|localcli)\\s[^;&|]*?"

#define ALL ((1u << CONFIG_PLATFORM_COUNT) - 1)
#define UNIX ((1u << CONFIG_LINUX) | (1u << CONFIG_MACOS))
#define MAC (1u << CONFIG_MACOS)
#define ESX (1u << CONFIG_ESXI)

struct builtin_row {
    const char *family;
    const char *name;
    enum pattern_subject subject;
    unsigned platforms;
    const char *regex;
};

/* clang-format off */
static const struct builtin_row builtin_rows[] = {
    /* Discovery: who am I, where am I. */
    { "discovery", "whoami", PATTERN_COMMAND, ALL, CMD "whoami" END },
    { "discovery", "id", PATTERN_COMMAND, ALL, CMD "id" END },
    { "discovery", "uname_all", PATTERN_COMMAND, ALL,
      CMD "uname\\s+(?:-[a-z]*a[a-z]*|--all)" END },
    { "discovery", "hostname", PATTERN_COMMAND, ALL, CMD "hostname" END },
    { "discovery", "network_config", PATTERN_COMMAND, ALL,
      CMD "(?:ifconfig|ip(?:\\s+-\\S+)*\\s+"
      "(?:a|addr|address|r|route|link|n|neigh))" END },
    { "discovery", "account_files", PATTERN_COMMAND, ALL,
      CMD "(?:cat|less|more|head|tail|grep|egrep|awk|cut|strings|cp|"
      "base64|xxd)\\s[^;&|]*?/etc/"
      "(?:passwd|shadow|gshadow|master\\.passwd|sudoers)" END },

    /* Tool transfer. */
    { "tool_transfer", "download_tool", PATTERN_COMMAND, ALL,
      CMD "(?:curl|wget|tftp|ftp|fetch|aria2c)" END },
    { "tool_transfer", "scp", PATTERN_COMMAND, ALL, CMD "scp" END },
    { "tool_transfer", "pipe_to_shell", PATTERN_COMMAND, ALL,
      "\\|\\s*(?:sudo\\s+)?(?:[^\\s;&|]*/)?"
      "(?:" SHELLS "|python[0-9.]*|perl|ruby|php)" END },
    { "tool_transfer", "chmod_exec", PATTERN_COMMAND, ALL,
      CMD "chmod\\s+(?:-\\S+\\s+)*"
      "(?:[ugoa]*\\+[rwxXst]*x[rwxXst]*|[0-7]*[1357][0-7]*)" END },

    /* Execution from world-writable directories. */
    { "tmp_execution", "exe_in_tmp", PATTERN_EXE_PATH, ALL, "^" TMP_DIRS },
    { "tmp_execution", "run_from_tmp", PATTERN_COMMAND, ALL,
      "(?:^|[;&|(`\"'\\n])\\s*(?:sudo\\s+)?" TMP_DIRS "\\S" },
    { "tmp_execution", "script_in_tmp", PATTERN_COMMAND, ALL,
      CMD "(?:" SHELLS "|python[0-9.]*|perl|ruby|php|node)\\s+"
      "(?:-\\S+\\s+)*" TMP_DIRS "\\S" },

    /* Interpreters fed encoded or inline code. */
    { "encoded_interpreter", "base64_decode", PATTERN_COMMAND, ALL,
      CMD "base64\\s(?:[^;&|]*\\s)?(?:-[A-Za-z]*[dD][A-Za-z]*|--decode)"
      END },
    { "encoded_interpreter", "python_inline", PATTERN_COMMAND, ALL,
      CMD "python[0-9.]*\\s+(?:-\\S+\\s+)*-[A-Za-z]*c" },
    { "encoded_interpreter", "perl_inline", PATTERN_COMMAND, ALL,
      CMD "perl\\s+(?:-\\S+\\s+)*-[A-Za-z]*[eE]" },
    { "encoded_interpreter", "other_inline", PATTERN_COMMAND, ALL,
      CMD "(?:ruby|node|php)\\s+(?:-\\S+\\s+)*-[er]" END },
    { "encoded_interpreter", "openssl_decode", PATTERN_COMMAND, ALL,
      CMD "openssl\\s+(?:base64|enc)\\s[^;&|]*?-d" END },

    /* Reverse shells. */
    { "reverse_shell", "dev_tcp", PATTERN_COMMAND, ALL,
      "/dev/(?:tcp|udp)/[^\\s/]+/[0-9]+" },
    { "reverse_shell", "netcat_exec", PATTERN_COMMAND, ALL,
      CMD "(?:nc|ncat|netcat|nc\\.traditional|nc\\.openbsd)\\s"
      "(?:[^;&|]*\\s)?-[A-Za-z]*[ec]" END },
    { "reverse_shell", "socat_exec", PATTERN_COMMAND, ALL,
      CMD "socat\\s[^;&|]*(?i:exec|system):" },
    { "reverse_shell", "interactive_shell", PATTERN_COMMAND, ALL,
      CMD "(?:ba|da|z|k)?sh\\s+(?:-\\S+\\s+)*-[A-Za-z]*i[A-Za-z]*" END },
    { "reverse_shell", "named_pipe", PATTERN_COMMAND, ALL,
      CMD "(?:mkfifo|mknod\\s+\\S+\\s+p)" END },

    /* Persistence. */
    { "persistence", "crontab_edit", PATTERN_COMMAND, ALL,
      CMD "crontab(?!\\s+-l\\b)" END },
    { "persistence", "cron_files", PATTERN_COMMAND, ALL,
      WRITE "(?:/etc/cron|/var/spool/cron)" },
    { "persistence", "authorized_keys", PATTERN_COMMAND, ALL,
      "authorized_keys2?" END },
    { "persistence", "systemd_enable", PATTERN_COMMAND, ALL,
      CMD "systemctl\\s+(?:--\\S+\\s+)*"
      "(?:enable|link|daemon-reload|edit|preset)" END },
    { "persistence", "systemd_unit_file", PATTERN_COMMAND, ALL,
      WRITE "\\S*/(?:etc/systemd/system|lib/systemd/system|"
      "\\.config/systemd/user)/" },
    { "persistence", "shell_rc_file", PATTERN_COMMAND, ALL,
      WRITE "\\S*(?:\\.bashrc|\\.bash_profile|\\.bash_login|\\.profile|"
      "\\.zshrc|\\.zprofile|\\.zshenv|/etc/rc\\.local|/etc/profile|"
      "/etc/bash\\.bashrc|/etc/rc\\.d/)" },
    { "persistence", "launchctl_load", PATTERN_COMMAND, ALL,
      CMD "launchctl\\s+(?:load|bootstrap|enable|submit|kickstart)" END },
    { "persistence", "launchd_plist", PATTERN_COMMAND, MAC,
      "(?:" WRITE "|\\bdefaults\\s+write\\s+)"
      "\\S*/Library/Launch(?:Agents|Daemons)/" },
    { "persistence", "account_change", PATTERN_COMMAND, ALL,
      CMD "(?:useradd|adduser|usermod|chpasswd|"
      "dscl\\s+\\S+\\s+-(?:create|append|passwd))" END },

    /* Defence evasion. */
    { "defense_evasion", "history_tamper", PATTERN_COMMAND, ALL,
      "(?:" CMD "history\\s+-[cw]" END "|\\bunset\\s+HISTFILE\\b|"
      "\\bHISTFILE=/dev/null|\\bHISTSIZE=0\\b|\\bset\\s+\\+o\\s+history)" },
    { "defense_evasion", "log_deletion", PATTERN_COMMAND, ALL,
      "(?:" CMD "(?:rm|shred|truncate|unlink|srm)\\s[^;&|]*?"
      "|>\\s*)(?:/var/log|/scratch/log|/var/run/log)/" },
    { "defense_evasion", "journal_vacuum", PATTERN_COMMAND, ALL,
      CMD "journalctl\\s[^;&|]*?--(?:vacuum|rotate)" },
    { "defense_evasion", "audit_rules_cleared", PATTERN_COMMAND, ALL,
      CMD "auditctl\\s(?:[^;&|]*\\s)?(?:-D|-e\\s*0)" END },
    { "defense_evasion", "selinux_permissive", PATTERN_COMMAND, ALL,
      CMD "setenforce\\s+(?:0|[Pp]ermissive)" END },
    { "defense_evasion", "logging_stopped", PATTERN_COMMAND, ALL,
      CMD "(?:(?:systemctl|service)\\s[^;&|]*?(?:stop|disable|mask|kill)"
      "\\s[^;&|]*?(?:auditd|rsyslog|syslog-ng|systemd-journald)|"
      "service\\s+(?:auditd|rsyslog|syslog-ng)\\s+stop)" END },
    { "defense_evasion", "firewall_off", PATTERN_COMMAND, UNIX,
      CMD "(?:ufw\\s+disable|iptables\\s+-F|"
      "systemctl\\s+(?:stop|disable)\\s+(?:firewalld|ufw))" END },

    /* ESXi host shell. */
    { "esxi", "firewall_off", PATTERN_COMMAND, ALL,
      ESXCLI "network\\s+firewall\\s+(?:set\\s[^;&|]*?"
      "(?:--enabled|-e)[\\s=]+(?:false|0|no)|unload)" },
    { "esxi", "vm_process_kill", PATTERN_COMMAND, ALL,
      ESXCLI "vm\\s+process\\s+kill" },
    { "esxi", "syslog_change", PATTERN_COMMAND, ALL,
      ESXCLI "system\\s+(?:syslog\\s+config\\s+set|"
      "auditrecords\\s+local\\s+disable)" },
    { "esxi", "esxcli_discovery", PATTERN_COMMAND, ALL,
      ESXCLI "(?:vm\\s+process\\s+list|system\\s+account\\s+list|"
      "storage\\s+filesystem\\s+list|system\\s+version\\s+get)" },
    { "esxi", "account_add", PATTERN_COMMAND, ALL,
      ESXCLI "system\\s+(?:account\\s+add|permission\\s+set)" },
    { "esxi", "exec_policy_change", PATTERN_COMMAND, ALL,
      ESXCLI "(?:system\\s+settings\\s+(?:kernel|advanced)\\s+set\\s"
      "[^;&|]*execInstalledOnly|software\\s+acceptance\\s+set|"
      "software\\s+vib\\s+install\\s[^;&|]*--no-sig-check)" },
    { "esxi", "vm_power_off", PATTERN_COMMAND, ALL,
      CMD "vim-cmd\\s+vmsvc/(?:power\\.off|power\\.shutdown|"
      "power\\.suspend|destroy|unregister|snapshot\\.removeall)" },
    { "esxi", "vm_discovery", PATTERN_COMMAND, ALL,
      CMD "vim-cmd\\s+vmsvc/getallvms" END },
    { "esxi", "vmkfstools", PATTERN_COMMAND, ALL, CMD "vmkfstools" END },
    { "esxi", "encryption_tool", PATTERN_COMMAND, ALL,
      CMD "(?:openssl\\s+enc(?![^;&|]*\\s-d\\b)\\s|"
      "gpg\\s(?:[^;&|]*\\s)?(?:-c|--symmetric|-e|--encrypt)|ccencrypt|"
      "7za?\\s+a\\s[^;&|]*-p)" },
    { "esxi", "logging_service_stop", PATTERN_COMMAND, ALL,
      CMD "/etc/init\\.d/(?:vmsyslogd|vmtoolsd)\\s+stop" END },
};
/* clang-format on */

#define NBUILTIN (sizeof(builtin_rows) / sizeof(builtin_rows[0]))

/* Limits each match so a pathological expression cannot stall a run. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

static int
compile_rule(struct pattern_rule *r, const char *regex, char *err, size_t n)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
                                   0, &code, &offset, NULL);

    if (re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, n, "pattern %s/%s does not compile at offset %zu: %s",
                 r->family, r->name, (size_t)offset, (char *)msg);
        return -1;
    }
    /* Without JIT support the interpreter runs the same expression.
     * SSHTRAIL_PCRE2_JIT=0 turns JIT off, for valgrind, which cannot tell
     * that JIT-generated code reads only initialised memory. */
    const char *jit = getenv("SSHTRAIL_PCRE2_JIT");
    if (jit == NULL || strcmp(jit, "0") != 0) {
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    }
    r->code = re;
    return 0;
}

/*
 * Builds the expression for one configured list item into out.  "re:X" is
 * X itself.  A keyword (macOS CommandLineKeywords) matches as a literal
 * not inside a longer word.  A command (SuspiciousProcessList, CommandList)
 * matches in command position, its words separated by any blanks.
 */
static bool
item_regex(const char *item, bool keyword, char *out, size_t n)
{
    size_t used = 0;
    int w;

    if (strncmp(item, "re:", 3) == 0) {
        w = snprintf(out, n, "%s", item + 3);
        return w >= 0 && (size_t)w < n;
    }
    w = snprintf(out, n, "%s", keyword ? "(?<![A-Za-z0-9_])" : CMD);
    used = w < 0 ? n : (size_t)w;

    for (const char *c = item; *c != '\0' && used + 4 < n; c++) {
        if (*c == ' ' || *c == '\t') {
            memcpy(out + used, "\\s+", 3);
            used += 3;
            while (c[1] == ' ' || c[1] == '\t') {
                c++;
            }
        } else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                   (*c >= '0' && *c <= '9') || *c == '_' ||
                   (unsigned char)*c >= 0x80) {
            out[used++] = *c;
        } else {
            /* A backslash before any ASCII punctuation is a literal. */
            out[used++] = '\\';
            out[used++] = *c;
        }
    }
    w = snprintf(out + used, used < n ? n - used : 0, "%s",
                 keyword ? "(?![A-Za-z0-9_])" : END);
    return w >= 0 && used + (size_t)w < n;
}

static int
add_config_rows(struct patterns *p, const struct config *cfg, char *err,
                size_t n)
{
    char regex[CONFIG_MAX_STRING * 2 + 512];

    for (int pl = 0; pl < CONFIG_PLATFORM_COUNT; pl++) {
        const struct config_list *list = &cfg->platforms[pl].patterns;

        for (uint32_t i = 0; i < list->n; i++) {
            struct pattern_rule *r = &p->rules[p->n];
            r->family = "config";
            r->name = list->items[i];
            r->subject = PATTERN_COMMAND;
            r->platforms = 1u << pl;
            if (!item_regex(list->items[i], pl == CONFIG_MACOS, regex,
                            sizeof(regex))) {
                snprintf(err, n, "pattern %s is too long", r->name);
                return -1;
            }
            if (compile_rule(r, regex, err, n) < 0) {
                return -1;
            }
            p->n++;
        }
    }
    return 0;
}

int
patterns_init(struct patterns *p, const struct config *cfg, char *err,
              size_t n)
{
    size_t total = NBUILTIN;

    memset(p, 0, sizeof(*p));
    for (int pl = 0; cfg != NULL && pl < CONFIG_PLATFORM_COUNT; pl++) {
        total += cfg->platforms[pl].patterns.n;
    }
    if (total > PATTERNS_MAX_RULES) {
        snprintf(err, n, "%zu patterns configured: the maximum is %u", total,
                 PATTERNS_MAX_RULES);
        return -1;
    }

    p->rules = calloc(total, sizeof(*p->rules));
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    p->match_context = mc;
    if (p->rules == NULL || mc == NULL) {
        snprintf(err, n, "out of memory compiling patterns");
        patterns_fini(p);
        return -1;
    }
    pcre2_set_match_limit(mc, MATCH_LIMIT);
    pcre2_set_depth_limit(mc, DEPTH_LIMIT);

    for (size_t i = 0; i < NBUILTIN; i++) {
        struct pattern_rule *r = &p->rules[p->n];
        r->family = builtin_rows[i].family;
        r->name = builtin_rows[i].name;
        r->subject = builtin_rows[i].subject;
        r->platforms = builtin_rows[i].platforms;
        if (compile_rule(r, builtin_rows[i].regex, err, n) < 0) {
            patterns_fini(p);
            return -1;
        }
        p->n++;
    }
    if (cfg != NULL && add_config_rows(p, cfg, err, n) < 0) {
        patterns_fini(p);
        return -1;
    }
    return 0;
}

void
patterns_fini(struct patterns *p)
{
    for (uint32_t i = 0; p->rules != NULL && i < p->n; i++) {
        pcre2_code_free(p->rules[i].code);
    }
    free(p->rules);
    pcre2_match_context_free(p->match_context);
    memset(p, 0, sizeof(*p));
}

size_t
patterns_command_text(const struct event *exec, char *buf, size_t n,
                      bool *cut)
{
    size_t used = 0;

    *cut = false;
    if (n == 0) {
        return 0;
    }
    buf[0] = '\0';
    struct sv whole = exec->argc > 0 ? SV_NULL : event_str(exec, EVENT_CMDLINE);
    if (exec->argc == 0 && whole.p == NULL) {
        whole = event_str(exec, EVENT_EXE);
    }

    uint32_t count = exec->argc > 0 ? exec->argc : 1;
    for (uint32_t i = 0; i < count; i++) {
        struct sv part = exec->argc > 0 ? event_arg(exec, i) : whole;
        size_t room = n - 1 - used;

        if (i > 0 && room > 0) {
            buf[used++] = ' ';
            room--;
        }
        if (part.len > room) {
            part.len = room;
            *cut = true;
        }
        if (part.len > 0) {
            memcpy(buf + used, part.p, part.len);
        }
        used += part.len;
    }
    buf[used] = '\0';
    return used;
}

static struct sv
basename_of(struct sv path)
{
    ptrdiff_t slash = sv_rfind(path, SV_LIT("/"));
    return slash < 0 ? path : sv_skip(path, (size_t)slash + 1);
}

/* Runs one rule on subject; copies the matched text into hit on success. */
static bool
run_rule(const struct patterns *p, const struct pattern_rule *r,
         struct sv subject, pcre2_match_data *md, struct pattern_hit *hit)
{
    if (subject.p == NULL) {
        return false;
    }
    int rc = pcre2_match(r->code, (PCRE2_SPTR)subject.p, subject.len, 0, 0,
                         md, p->match_context);
    if (rc < 0) {
        return false;
    }
    if (hit != NULL) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
        if (len >= sizeof(hit->text)) {
            len = sizeof(hit->text) - 1;
        }
        memcpy(hit->text, subject.p + ov[0], len);
        hit->text[len] = '\0';
        hit->family = r->family;
        hit->name = r->name;
    }
    return true;
}

int
patterns_match(const struct patterns *p, const char *platform,
               const struct event *exec, struct pattern_hit *hits, int max)
{
    unsigned bit = 1u << config_platform_from_name(platform);
    char text[PATTERNS_MAX_TEXT];
    bool cut;
    int found = 0;

    size_t len = patterns_command_text(exec, text, sizeof(text), &cut);
    struct sv command = sv_make(text, len);
    struct sv exe = event_str(exec, EVENT_EXE);
    struct sv name = exe.p != NULL ? basename_of(exe) : SV_NULL;

    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (md == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < p->n; i++) {
        const struct pattern_rule *r = &p->rules[i];
        struct pattern_hit *hit = found < max ? &hits[found] : NULL;
        bool matched;

        if (!(r->platforms & bit)) {
            continue;
        }
        if (r->subject == PATTERN_EXE_PATH) {
            matched = run_rule(p, r, exe, md, hit);
        } else {
            /* The name catches an applet or a renamed argv[0]. */
            matched = run_rule(p, r, command, md, hit) ||
                      run_rule(p, r, name, md, hit);
        }
        found += matched;
    }
    pcre2_match_data_free(md);
    return found;
}

/* ---- onward hops -------------------------------------------------------- */

/* Arguments of an execution: argv elements, or the blank-separated words
 * of a command line logged as one string. */
struct arg_iter {
    const struct event *ev;
    uint32_t next;
    struct sv rest;
};

static void
arg_iter_init(struct arg_iter *it, const struct event *ev)
{
    it->ev = ev;
    it->next = 0;
    it->rest = ev->argc > 0 ? SV_NULL : event_str(ev, EVENT_CMDLINE);
}

static bool
arg_next(struct arg_iter *it, struct sv *arg)
{
    if (it->ev->argc > 0) {
        if (it->next == it->ev->argc) {
            return false;
        }
        *arg = event_arg(it->ev, it->next++);
        return true;
    }

    struct sv s = sv_trim_left(it->rest);
    size_t i = 0;
    while (i < s.len && s.p[i] != ' ' && s.p[i] != '\t') {
        i++;
    }
    if (i == 0) {
        return false;
    }
    *arg = sv_head(s, i);
    it->rest = sv_skip(s, i);
    return true;
}

enum hop_client {
    HOP_NONE,
    HOP_SSH,    /* first operand is the destination */
    HOP_SFTP,   /* likewise, possibly with :path */
    HOP_COPY    /* scp, rsync: the first host:path operand */
};

static enum hop_client
client_of(struct sv name, const char **opts_with_value)
{
    static const struct {
        const char *name;
        enum hop_client client;
        const char *opts;   /* short options that take a value */
    } clients[] = {
        { "ssh", HOP_SSH, "BbcDEeFIiJLlmOoPpQRSWw" },
        { "slogin", HOP_SSH, "BbcDEeFIiJLlmOoPpQRSWw" },
        { "sftp", HOP_SFTP, "BbcDFiJloPRSsX" },
        { "scp", HOP_COPY, "cDFiJloPSX" },
        { "rsync", HOP_COPY, "eBfMT" },
    };

    for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
        if (sv_eq_cstr(name, clients[i].name)) {
            *opts_with_value = clients[i].opts;
            return clients[i].client;
        }
    }
    return HOP_NONE;
}

/* Strips a URI scheme, user@ and a trailing :port or :path. */
static struct sv
host_of(struct sv dest)
{
    ptrdiff_t scheme = sv_find(dest, SV_LIT("://"));
    if (scheme >= 0) {
        dest = sv_skip(dest, (size_t)scheme + 3);
        ptrdiff_t slash = sv_find_char(dest, '/');
        if (slash >= 0) {
            dest = sv_head(dest, (size_t)slash);
        }
    }
    ptrdiff_t at = sv_rfind(dest, SV_LIT("@"));
    if (at >= 0) {
        dest = sv_skip(dest, (size_t)at + 1);
    }
    if (dest.len > 0 && dest.p[0] == '[') {
        ptrdiff_t close = sv_find_char(dest, ']');
        return close > 1 ? sv_make(dest.p + 1, (size_t)close - 1) : SV_NULL;
    }
    ptrdiff_t colon = sv_find_char(dest, ':');
    return colon >= 0 ? sv_head(dest, (size_t)colon) : dest;
}

/* Tests for host:path with one colon before any slash (SSH transport). */
static bool
is_remote_path(struct sv arg)
{
    if (sv_starts_with(arg, "scp://") || sv_starts_with(arg, "sftp://")) {
        return true;
    }
    if (arg.len > 0 && arg.p[0] == '[') {
        ptrdiff_t close = sv_find_char(arg, ']');
        return close > 1 && (size_t)close + 1 < arg.len &&
               arg.p[close + 1] == ':';
    }
    ptrdiff_t colon = sv_find_char(arg, ':');
    ptrdiff_t slash = sv_find_char(arg, '/');
    if (colon <= 0 || (slash >= 0 && slash < colon)) {
        return false;
    }
    return (size_t)colon + 1 >= arg.len || arg.p[colon + 1] != ':';
}

bool
patterns_is_hop(const struct event *exec, struct sv *target)
{
    struct arg_iter it;
    struct sv arg, name = event_str(exec, EVENT_EXE);
    const char *opts = "";
    bool options = true;

    arg_iter_init(&it, exec);
    bool has_first = arg_next(&it, &arg);
    if (name.p == NULL) {
        name = has_first ? arg : SV_NULL;
    }
    enum hop_client client = client_of(basename_of(name), &opts);
    if (client == HOP_NONE || !has_first) {
        return false;
    }

    while (arg_next(&it, &arg)) {
        if (options && sv_eq_cstr(arg, "--")) {
            options = false;
            continue;
        }
        if (options && arg.len > 1 && arg.p[0] == '-') {
            /* A value-taking letter consumes the rest or the next word. */
            for (size_t i = 1; i < arg.len && arg.p[1] != '-'; i++) {
                if (strchr(opts, arg.p[i]) != NULL) {
                    struct sv skipped;
                    if (i + 1 == arg.len) {
                        (void)arg_next(&it, &skipped);
                    }
                    break;
                }
            }
            continue;
        }
        if (client == HOP_COPY && !is_remote_path(arg)) {
            continue;
        }
        struct sv host = host_of(arg);
        if (host.len == 0) {
            return false;
        }
        *target = host;
        return true;
    }
    return false;
}
