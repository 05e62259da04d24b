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

#include "core/fixtab.h"

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
/* Literals of the rows that start with ESXCLI. */
#define ESXCLI_LITERALS { "esxcli", "localcli" }

#define ALL ((1u << CONFIG_PLATFORM_COUNT) - 1)
#define UNIX ((1u << CONFIG_LINUX) | (1u << CONFIG_MACOS))
#define MAC (1u << CONFIG_MACOS)
#define ESX (1u << CONFIG_ESXI)

/*
 * One built-in row.  The literals are the row's prefilter: every match of
 * the expression must contain one of them.  A literal is only a necessary
 * condition ("id" also occurs in "pid"), and the expression decides.
 * Changing an expression means checking its literals again.
 */
struct builtin_row {
    const char *family;
    const char *name;
    enum pattern_subject subject;
    unsigned platforms;
    const char *literals[PATTERNS_MAX_LITERALS];
    const char *regex;
};

/* clang-format off */
static const struct builtin_row builtin_rows[] = {
    /* Discovery: who am I, where am I. */
    { "discovery", "whoami", PATTERN_COMMAND, ALL, { "whoami" },
      CMD "whoami" END },
    { "discovery", "id", PATTERN_COMMAND, ALL, { "id" },
      CMD "id" END },
    { "discovery", "uname_all", PATTERN_COMMAND, ALL, { "uname" },
      CMD "uname\\s+(?:-[a-z]*a[a-z]*|--all)" END },
    { "discovery", "hostname", PATTERN_COMMAND, ALL, { "hostname" },
      CMD "hostname" END },
    { "discovery", "network_config", PATTERN_COMMAND, ALL, { "ifconfig", "ip" },
      CMD "(?:ifconfig|ip(?:\\s+-\\S+)*\\s+"
      "(?:a|addr|address|r|route|link|n|neigh))" END },
    { "discovery", "account_files", PATTERN_COMMAND, ALL,
      { "/etc/passwd", "/etc/shadow", "/etc/gshadow", "/etc/master.passwd",
        "/etc/sudoers" },
      CMD "(?:cat|less|more|head|tail|grep|egrep|awk|cut|strings|cp|"
      "base64|xxd)\\s[^;&|]*?/etc/"
      "(?:passwd|shadow|gshadow|master\\.passwd|sudoers)" END },

    /* Tool transfer. */
    { "tool_transfer", "download_tool", PATTERN_COMMAND, ALL,
      { "curl", "wget", "ftp", "fetch", "aria2c" },
      CMD "(?:curl|wget|tftp|ftp|fetch|aria2c)" END },
    { "tool_transfer", "scp", PATTERN_COMMAND, ALL, { "scp" },
      CMD "scp" END },
    { "tool_transfer", "pipe_to_shell", PATTERN_COMMAND, ALL, { "|" },
      "\\|\\s*(?:sudo\\s+)?(?:[^\\s;&|]*/)?"
      "(?:" SHELLS "|python[0-9.]*|perl|ruby|php)" END },
    { "tool_transfer", "chmod_exec", PATTERN_COMMAND, ALL, { "chmod" },
      CMD "chmod\\s+(?:-\\S+\\s+)*"
      "(?:[ugoa]*\\+[rwxXst]*x[rwxXst]*|[0-7]*[1357][0-7]*)" END },

    /* Execution from world-writable directories. */
    { "tmp_execution", "exe_in_tmp", PATTERN_EXE_PATH, ALL,
      { "/tmp/", "/dev/shm/" },
      "^" TMP_DIRS },
    { "tmp_execution", "run_from_tmp", PATTERN_COMMAND, ALL,
      { "/tmp/", "/dev/shm/" },
      "(?:^|[;&|(`\"'\\n])\\s*(?:sudo\\s+)?" TMP_DIRS "\\S" },
    { "tmp_execution", "script_in_tmp", PATTERN_COMMAND, ALL,
      { "/tmp/", "/dev/shm/" },
      CMD "(?:" SHELLS "|python[0-9.]*|perl|ruby|php|node)\\s+"
      "(?:-\\S+\\s+)*" TMP_DIRS "\\S" },

    /* Interpreters fed encoded or inline code. */
    { "encoded_interpreter", "base64_decode", PATTERN_COMMAND, ALL,
      { "base64" },
      CMD "base64\\s(?:[^;&|]*\\s)?(?:-[A-Za-z]*[dD][A-Za-z]*|--decode)"
      END },
    { "encoded_interpreter", "python_inline", PATTERN_COMMAND, ALL,
      { "python" },
      CMD "python[0-9.]*\\s+(?:-\\S+\\s+)*-[A-Za-z]*c" },
    { "encoded_interpreter", "perl_inline", PATTERN_COMMAND, ALL, { "perl" },
      CMD "perl\\s+(?:-\\S+\\s+)*-[A-Za-z]*[eE]" },
    { "encoded_interpreter", "other_inline", PATTERN_COMMAND, ALL,
      { "ruby", "node", "php" },
      CMD "(?:ruby|node|php)\\s+(?:-\\S+\\s+)*-[er]" END },
    { "encoded_interpreter", "openssl_decode", PATTERN_COMMAND, ALL,
      { "openssl" },
      CMD "openssl\\s+(?:base64|enc)\\s[^;&|]*?-d" END },

    /* Reverse shells. */
    { "reverse_shell", "dev_tcp", PATTERN_COMMAND, ALL,
      { "/dev/tcp/", "/dev/udp/" },
      "/dev/(?:tcp|udp)/[^\\s/]+/[0-9]+" },
    { "reverse_shell", "netcat_exec", PATTERN_COMMAND, ALL, { "nc", "netcat" },
      CMD "(?:nc|ncat|netcat|nc\\.traditional|nc\\.openbsd)\\s"
      "(?:[^;&|]*\\s)?-[A-Za-z]*[ec]" END },
    { "reverse_shell", "socat_exec", PATTERN_COMMAND, ALL, { "socat" },
      CMD "socat\\s[^;&|]*(?i:exec|system):" },
    { "reverse_shell", "interactive_shell", PATTERN_COMMAND, ALL, { "sh" },
      CMD "(?:ba|da|z|k)?sh\\s+(?:-\\S+\\s+)*-[A-Za-z]*i[A-Za-z]*" END },
    { "reverse_shell", "named_pipe", PATTERN_COMMAND, ALL,
      { "mkfifo", "mknod" },
      CMD "(?:mkfifo|mknod\\s+\\S+\\s+p)" END },

    /* Persistence. */
    { "persistence", "crontab_edit", PATTERN_COMMAND, ALL, { "crontab" },
      CMD "crontab(?!\\s+-l\\b)" END },
    { "persistence", "cron_files", PATTERN_COMMAND, ALL,
      { "/etc/cron", "/var/spool/cron" },
      WRITE "(?:/etc/cron|/var/spool/cron)" },
    { "persistence", "authorized_keys", PATTERN_COMMAND, ALL,
      { "authorized_keys" },
      "authorized_keys2?" END },
    { "persistence", "systemd_enable", PATTERN_COMMAND, ALL, { "systemctl" },
      CMD "systemctl\\s+(?:--\\S+\\s+)*"
      "(?:enable|link|daemon-reload|edit|preset)" END },
    { "persistence", "systemd_unit_file", PATTERN_COMMAND, ALL, { "/systemd/" },
      WRITE "\\S*/(?:etc/systemd/system|lib/systemd/system|"
      "\\.config/systemd/user)/" },
    { "persistence", "shell_rc_file", PATTERN_COMMAND, ALL,
      { ".bash", ".zsh", "profile", "/etc/rc." },
      WRITE "\\S*(?:\\.bashrc|\\.bash_profile|\\.bash_login|\\.profile|"
      "\\.zshrc|\\.zprofile|\\.zshenv|/etc/rc\\.local|/etc/profile|"
      "/etc/bash\\.bashrc|/etc/rc\\.d/)" },
    { "persistence", "launchctl_load", PATTERN_COMMAND, ALL, { "launchctl" },
      CMD "launchctl\\s+(?:load|bootstrap|enable|submit|kickstart)" END },
    { "persistence", "launchd_plist", PATTERN_COMMAND, MAC,
      { "/Library/Launch" },
      "(?:" WRITE "|\\bdefaults\\s+write\\s+)"
      "\\S*/Library/Launch(?:Agents|Daemons)/" },
    { "persistence", "account_change", PATTERN_COMMAND, ALL,
      { "useradd", "adduser", "usermod", "chpasswd", "dscl" },
      CMD "(?:useradd|adduser|usermod|chpasswd|"
      "dscl\\s+\\S+\\s+-(?:create|append|passwd))" END },

    /* Defence evasion. */
    { "defense_evasion", "history_tamper", PATTERN_COMMAND, ALL,
      { "history", "HISTFILE", "HISTSIZE" },
      "(?:" CMD "history\\s+-[cw]" END "|\\bunset\\s+HISTFILE\\b|"
      "\\bHISTFILE=/dev/null|\\bHISTSIZE=0\\b|\\bset\\s+\\+o\\s+history)" },
    { "defense_evasion", "log_deletion", PATTERN_COMMAND, ALL,
      { "/var/log/", "/scratch/log/", "/var/run/log/" },
      "(?:" CMD "(?:rm|shred|truncate|unlink|srm)\\s[^;&|]*?"
      "|>\\s*)(?:/var/log|/scratch/log|/var/run/log)/" },
    { "defense_evasion", "journal_vacuum", PATTERN_COMMAND, ALL,
      { "journalctl" },
      CMD "journalctl\\s[^;&|]*?--(?:vacuum|rotate)" },
    { "defense_evasion", "audit_rules_cleared", PATTERN_COMMAND, ALL,
      { "auditctl" },
      CMD "auditctl\\s(?:[^;&|]*\\s)?(?:-D|-e\\s*0)" END },
    { "defense_evasion", "selinux_permissive", PATTERN_COMMAND, ALL,
      { "setenforce" },
      CMD "setenforce\\s+(?:0|[Pp]ermissive)" END },
    { "defense_evasion", "logging_stopped", PATTERN_COMMAND, ALL,
      { "auditd", "rsyslog", "syslog-ng", "systemd-journald" },
      CMD "(?:(?:systemctl|service)\\s[^;&|]*?(?:stop|disable|mask|kill)"
      "\\s[^;&|]*?(?:auditd|rsyslog|syslog-ng|systemd-journald)|"
      "service\\s+(?:auditd|rsyslog|syslog-ng)\\s+stop)" END },
    { "defense_evasion", "firewall_off", PATTERN_COMMAND, UNIX,
      { "ufw", "iptables", "firewalld" },
      CMD "(?:ufw\\s+disable|iptables\\s+-F|"
      "systemctl\\s+(?:stop|disable)\\s+(?:firewalld|ufw))" END },

    /* ESXi host shell. */
    { "esxi", "firewall_off", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "network\\s+firewall\\s+(?:set\\s[^;&|]*?"
      "(?:--enabled|-e)[\\s=]+(?:false|0|no)|unload)" },
    { "esxi", "vm_process_kill", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "vm\\s+process\\s+kill" },
    { "esxi", "syslog_change", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "system\\s+(?:syslog\\s+config\\s+set|"
      "auditrecords\\s+local\\s+disable)" },
    { "esxi", "esxcli_discovery", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "(?:vm\\s+process\\s+list|system\\s+account\\s+list|"
      "storage\\s+filesystem\\s+list|system\\s+version\\s+get)" },
    { "esxi", "account_add", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "system\\s+(?:account\\s+add|permission\\s+set)" },
    { "esxi", "exec_policy_change", PATTERN_COMMAND, ALL, ESXCLI_LITERALS,
      ESXCLI "(?:system\\s+settings\\s+(?:kernel|advanced)\\s+set\\s"
      "[^;&|]*execInstalledOnly|software\\s+acceptance\\s+set|"
      "software\\s+vib\\s+install\\s[^;&|]*--no-sig-check)" },
    { "esxi", "vm_power_off", PATTERN_COMMAND, ALL, { "vim-cmd" },
      CMD "vim-cmd\\s+vmsvc/(?:power\\.off|power\\.shutdown|"
      "power\\.suspend|destroy|unregister|snapshot\\.removeall)" },
    { "esxi", "vm_discovery", PATTERN_COMMAND, ALL, { "vim-cmd" },
      CMD "vim-cmd\\s+vmsvc/getallvms" END },
    { "esxi", "vmkfstools", PATTERN_COMMAND, ALL, { "vmkfstools" },
      CMD "vmkfstools" END },
    { "esxi", "encryption_tool", PATTERN_COMMAND, ALL,
      { "openssl", "gpg", "ccencrypt", "7z" },
      CMD "(?:openssl\\s+enc(?![^;&|]*\\s-d\\b)\\s|"
      "gpg\\s(?:[^;&|]*\\s)?(?:-c|--symmetric|-e|--encrypt)|ccencrypt|"
      "7za?\\s+a\\s[^;&|]*-p)" },
    { "esxi", "logging_service_stop", PATTERN_COMMAND, ALL, { "/etc/init.d/" },
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
    /* JIT compiling costs far more than compiling, and most rows never
     * pass their prefilter, so run_rule JIT-compiles a row on its first
     * run.  SSHTRAIL_PCRE2_JIT=0 turns JIT off, for valgrind, which cannot
     * tell that JIT-generated code reads only initialised memory. */
    const char *jit = getenv("SSHTRAIL_PCRE2_JIT");
    r->jit_pending = jit == NULL || strcmp(jit, "0") != 0;
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

/* ---- required literals -------------------------------------------------- */

/* Escapes that match no literal text and take no argument. */
static const char plain_escapes[] = "bBsSdDwWAzZGhHvVRK";

/*
 * Tests for syntax that could make the top-level scan misread an
 * expression: quoting (\Q), verbs such as (*ACCEPT) that end a match
 * early, POSIX classes, and any (? group other than a non-capturing group,
 * a branch-reset group, an atomic group or a lookaround (option settings,
 * comments, named groups, conditionals, recursion, callouts).
 */
static bool
has_unread_syntax(const char *re)
{
    static const char *const unread[] = { "\\Q", "(*", "[:", "[.", "[=" };

    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        if (strstr(re, unread[i]) != NULL) {
            return true;
        }
    }
    for (const char *q = strstr(re, "(?"); q != NULL;
         q = strstr(q + 2, "(?")) {
        bool group = q[2] == ':' || q[2] == '|' || q[2] == '>' ||
                     q[2] == '=' || q[2] == '!' ||
                     (q[2] == '<' && (q[3] == '=' || q[3] == '!'));
        if (!group) {
            return true;
        }
    }
    return false;
}

/* Returns the ']' that closes the class opening at c, or NULL. */
static const char *
skip_class(const char *c)
{
    c++;
    if (*c == '^') {
        c++;
    }
    if (*c == ']') {
        c++;    /* a ']' first in a class is a literal */
    }
    for (; *c != '\0'; c++) {
        if (*c == '\\') {
            if (*++c == '\0') {
                return NULL;
            }
        } else if (*c == ']') {
            return c;
        }
    }
    return NULL;
}

/* Returns the ')' that closes the group opening at c, or NULL. */
static const char *
skip_group(const char *c)
{
    unsigned depth = 0;

    for (; *c != '\0'; c++) {
        if (*c == '\\') {
            if (*++c == '\0') {
                return NULL;
            }
        } else if (*c == '[') {
            c = skip_class(c);
            if (c == NULL) {
                return NULL;
            }
        } else if (*c == '(') {
            depth++;
        } else if (*c == ')' && --depth == 0) {
            return c;
        }
    }
    return NULL;
}

static char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_ascii_punct(char c)
{
    return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') &&
           !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z');
}

/* A run of literal bytes being collected, and the longest one so far. */
struct literal_scan {
    char run[PATTERNS_MAX_LITERAL];
    size_t run_len;
    char *best;
    size_t best_len;
    size_t best_max;    /* room in best, NUL included */
};

/* Ends the current run, keeping it when it is the longest so far. */
static void
scan_end_run(struct literal_scan *s)
{
    size_t len = s->run_len < s->best_max - 1 ? s->run_len : s->best_max - 1;

    if (len > s->best_len) {
        memcpy(s->best, s->run, len);
        s->best[len] = '\0';
        s->best_len = len;
    }
    s->run_len = 0;
}

size_t
patterns_required_literal(const char *regex, char *out, size_t n,
                          bool *caseless)
{
    struct literal_scan s = { .best = out, .best_max = n };
    const char *c = regex;

    *caseless = false;
    if (n == 0) {
        return 0;
    }
    out[0] = '\0';
    if (strncmp(c, "(?i)", 4) == 0) {
        *caseless = true;
        c += 4;
    }
    if (has_unread_syntax(c)) {
        return 0;
    }

    for (; *c != '\0'; c++) {
        int literal = -1;   /* the byte c stands for, if a literal */

        switch (*c) {
        case '\\':
            if (is_ascii_punct(c[1]) || c[1] == ' ') {
                literal = (unsigned char)*++c;
            } else if (c[1] != '\0' && strchr(plain_escapes, c[1]) != NULL) {
                c++;
            } else {
                return 0;   /* \x, \p, \1, \Q and the like */
            }
            break;
        case '(':
            c = skip_group(c);
            break;
        case '[':
            c = skip_class(c);
            break;
        case '|':
        case '{':
            /* An alternative without the run, or a counted repeat. */
            return 0;
        case '?':
        case '*':
            /* The byte before the quantifier may be absent. */
            if (s.run_len > 0) {
                s.run_len--;
            }
            break;
        case '+': case '.': case '^': case '$': case ')': case ']': case '}':
            break;
        default:
            literal = (unsigned char)*c;
            break;
        }
        if (c == NULL) {
            return 0;
        }
        if (literal < 0 || (*caseless && literal >= 0x80)) {
            /* PCRE2 folds only ASCII case without UTF, so a caseless run
             * ends at other bytes. */
            scan_end_run(&s);
        } else if (s.run_len < sizeof(s.run)) {
            /* A longer run is cut: its start is still required. */
            s.run[s.run_len++] = *caseless ? ascii_lower((char)literal)
                                           : (char)literal;
        }
    }
    scan_end_run(&s);
    return s.best_len;
}

/* ---- prefilter ---------------------------------------------------------- */

/* Tests whether s contains lower, a lower-case literal, in any ASCII
 * case. */
static bool
contains_caseless(struct sv s, struct sv lower)
{
    for (size_t i = 0; i + lower.len <= s.len; i++) {
        size_t k = 0;
        while (k < lower.len && ascii_lower(s.p[i + k]) == lower.p[k]) {
            k++;
        }
        if (k == lower.len) {
            return true;
        }
    }
    return false;
}

/* Adds the bytes of text to set, bit b % 64 of set[b / 64] for byte b,
 * with ASCII letters folded to lower case. */
static void
byte_set_add(uint64_t set[4], struct sv text)
{
    for (size_t i = 0; i < text.len; i++) {
        unsigned char b = (unsigned char)ascii_lower(text.p[i]);
        set[b / 64] |= (uint64_t)1 << (b % 64);
    }
}

/* Tests whether set contains every byte of sub. */
static bool
byte_set_covers(const uint64_t set[4], const uint64_t sub[4])
{
    return (sub[0] & ~set[0]) == 0 && (sub[1] & ~set[1]) == 0 &&
           (sub[2] & ~set[2]) == 0 && (sub[3] & ~set[3]) == 0;
}

static void
literal_set(struct pattern_literal *l, struct sv text)
{
    l->text = text;
    memset(l->bytes, 0, sizeof(l->bytes));
    byte_set_add(l->bytes, text);
}

/* A text the rows are matched against, with the set of its bytes. */
struct subject {
    struct sv text;
    uint64_t bytes[4];
};

static void
subject_init(struct subject *s, struct sv text)
{
    s->text = text;
    memset(s->bytes, 0, sizeof(s->bytes));
    byte_set_add(s->bytes, text);
}

/*
 * Tests whether the subject passes r's prefilter: it contains one of the
 * literals, or r has none.  A literal with a byte the subject lacks is
 * rejected without a search, which is the common case.
 */
static bool
has_literal(const struct pattern_rule *r, const struct subject *s)
{
    if (r->nliterals == 0) {
        return true;
    }
    for (uint32_t i = 0; i < r->nliterals; i++) {
        const struct pattern_literal *l = &r->literals[i];

        if (!byte_set_covers(s->bytes, l->bytes)) {
            continue;
        }
        if (r->caseless ? contains_caseless(s->text, l->text)
                        : sv_find(s->text, l->text) >= 0) {
            return true;
        }
    }
    return false;
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
            size_t len = patterns_required_literal(regex, r->derived,
                                                   sizeof(r->derived),
                                                   &r->caseless);
            if (len > 0) {
                literal_set(&r->literals[0], sv_make(r->derived, len));
                r->nliterals = 1;
            }
            p->n++;
        }
    }
    return 0;
}

/* ---- memo of recent results -------------------------------------------- */

/* The subjects a match reads, derived from one execution. */
enum { SUBJECT_COMMAND, SUBJECT_EXE, SUBJECT_NAME, SUBJECT_COUNT };

struct memo_hit {
    uint32_t rule;
    uint32_t subject;
    uint32_t off;
    uint32_t len;
};

/*
 * One remembered result.  The key is the platform bit, the command text
 * and the executable path (absent differs from empty).  The hits record
 * which rows matched and where, so the texts are cut again from the
 * subjects.
 */
struct patterns_memo {
    uint64_t hash;          /* 0 for an empty slot */
    unsigned platform_bit;
    bool has_exe;
    uint32_t text_len;
    uint32_t exe_len;
    uint32_t nhits;
    struct memo_hit hits[PATTERNS_MEMO_HITS];
    char key[PATTERNS_MEMO_BYTES];  /* command text, then the path */
};

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
    p->match_data = pcre2_match_data_create(1, NULL);
    if (p->rules == NULL || mc == NULL || p->match_data == NULL) {
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
        for (size_t k = 0; k < PATTERNS_MAX_LITERALS &&
                           builtin_rows[i].literals[k] != NULL; k++) {
            literal_set(&r->literals[k], sv_cstr(builtin_rows[i].literals[k]));
            r->nliterals++;
        }
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
    /* Without memory for the memo every execution is matched in full. */
    p->memo = calloc(PATTERNS_MEMO_SLOTS, sizeof(*p->memo));
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
    pcre2_match_data_free(p->match_data);
    free(p->memo);
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
    size_t pad = n - used - 1 < PATTERNS_PAD ? n - used - 1 : PATTERNS_PAD;
    memset(buf + used, 0, pad + 1);
    return used;
}

static struct sv
basename_of(struct sv path)
{
    ptrdiff_t slash = sv_rfind(path, SV_LIT("/"));
    return slash < 0 ? path : sv_skip(path, (size_t)slash + 1);
}

/* The bytes [off, off + len) of a subject that an expression matched. */
struct span {
    size_t off;
    size_t len;
};

/* Copies the matched span of subject into hit, cut at the maximum. */
static void
set_hit(struct pattern_hit *hit, const struct pattern_rule *r,
        struct sv subject, struct span m)
{
    size_t len = m.len < sizeof(hit->text) ? m.len : sizeof(hit->text) - 1;

    memcpy(hit->text, subject.p + m.off, len);
    hit->text[len] = '\0';
    hit->family = r->family;
    hit->name = r->name;
}

/* Runs one rule on the subject when it passes the prefilter; sets *m to
 * the matched bytes on success. */
static bool
run_rule(const struct patterns *p, struct pattern_rule *r,
         const struct subject *s, struct span *m)
{
    pcre2_match_data *md = p->match_data;
    struct sv subject = s->text;

    if (subject.p == NULL || !has_literal(r, s)) {
        return false;
    }
    if (r->jit_pending) {
        /* Without JIT support the interpreter runs the same expression. */
        (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
        r->jit_pending = false;
    }
    r->runs++;
    int rc = pcre2_match(r->code, (PCRE2_SPTR)subject.p, subject.len, 0, 0,
                         md, p->match_context);
    /* JIT code repeats a group on a fixed stack, which a long command
     * line can exhaust.  The interpreter then runs the same expression
     * with the same limits, so padding a command cannot hide it. */
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rc = pcre2_match(r->code, (PCRE2_SPTR)subject.p, subject.len, 0,
                         PCRE2_NO_JIT, md, p->match_context);
    }
    if (rc < 0) {
        return false;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    m->off = ov[0];
    m->len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
    return true;
}

static uint64_t
memo_hash(unsigned bit, struct sv text, struct sv exe)
{
    uint64_t h = fixtab_hash(text) * 31 + fixtab_hash(exe);

    h ^= (uint64_t)bit << 56 ^ (uint64_t)(exe.p != NULL) << 48;
    return h != 0 ? h : 1;
}

/* Returns the slot holding this key, or NULL. */
static const struct patterns_memo *
memo_find(const struct patterns *p, uint64_t hash, unsigned bit,
          struct sv text, struct sv exe)
{
    const struct patterns_memo *m =
        &p->memo[hash & (PATTERNS_MEMO_SLOTS - 1)];

    if (m->hash != hash || m->platform_bit != bit ||
        m->has_exe != (exe.p != NULL) || m->text_len != text.len ||
        m->exe_len != exe.len ||
        memcmp(m->key, text.p, text.len) != 0 ||
        (exe.len > 0 && memcmp(m->key + text.len, exe.p, exe.len) != 0)) {
        return NULL;
    }
    return m;
}

int
patterns_match(struct patterns *p, const char *platform,
               const struct event *exec, struct pattern_hit *hits, int max)
{
    unsigned bit = 1u << config_platform_from_name(platform);
    char text[PATTERNS_MAX_TEXT];
    bool cut;
    int found = 0;

    size_t len = patterns_command_text(exec, text, sizeof(text), &cut);
    struct sv exe_path = event_str(exec, EVENT_EXE);
    struct sv subjects[SUBJECT_COUNT] = {
        [SUBJECT_COMMAND] = sv_make(text, len),
        [SUBJECT_EXE] = exe_path,
        [SUBJECT_NAME] = exe_path.p != NULL ? basename_of(exe_path) : SV_NULL,
    };

    bool memo = p->memo != NULL && len + exe_path.len <= PATTERNS_MEMO_BYTES;
    uint64_t hash = 0;
    if (memo) {
        hash = memo_hash(bit, subjects[SUBJECT_COMMAND], exe_path);
        const struct patterns_memo *m =
            memo_find(p, hash, bit, subjects[SUBJECT_COMMAND], exe_path);
        if (m != NULL) {
            for (uint32_t i = 0; i < m->nhits && (int)i < max; i++) {
                const struct memo_hit *h = &m->hits[i];
                set_hit(&hits[i], &p->rules[h->rule], subjects[h->subject],
                        (struct span){ h->off, h->len });
            }
            p->memo_hits++;
            return (int)m->nhits;
        }
    }

    /* The rows match the path in a copy with defined bytes after it, as
     * the command text has (see PATTERNS_PAD). */
    char path[PATTERNS_MAX_TEXT];
    if (exe_path.p != NULL && exe_path.len + PATTERNS_PAD <= sizeof(path)) {
        memcpy(path, exe_path.p, exe_path.len);
        memset(path + exe_path.len, 0, PATTERNS_PAD);
        subjects[SUBJECT_EXE] = sv_make(path, exe_path.len);
        subjects[SUBJECT_NAME] = basename_of(subjects[SUBJECT_EXE]);
    }

    struct memo_hit seen[PATTERNS_MEMO_HITS];
    struct subject command, exe, name;

    subject_init(&command, subjects[SUBJECT_COMMAND]);
    subject_init(&exe, subjects[SUBJECT_EXE]);
    subject_init(&name, subjects[SUBJECT_NAME]);

    for (uint32_t i = 0; i < p->n; i++) {
        struct pattern_rule *r = &p->rules[i];
        struct span m;
        uint32_t where;

        if (!(r->platforms & bit)) {
            continue;
        }
        if (r->subject == PATTERN_EXE_PATH) {
            where = SUBJECT_EXE;
            if (!run_rule(p, r, &exe, &m)) {
                continue;
            }
        } else if (run_rule(p, r, &command, &m)) {
            where = SUBJECT_COMMAND;
        } else if (run_rule(p, r, &name, &m)) {
            /* The name catches an applet or a renamed argv[0]. */
            where = SUBJECT_NAME;
        } else {
            continue;
        }
        if (found < max) {
            set_hit(&hits[found], r, subjects[where], m);
        }
        if (found < (int)PATTERNS_MEMO_HITS) {
            seen[found] = (struct memo_hit){ i, where, (uint32_t)m.off,
                                             (uint32_t)m.len };
        }
        found++;
    }

    if (memo && found <= (int)PATTERNS_MEMO_HITS) {
        struct patterns_memo *m = &p->memo[hash & (PATTERNS_MEMO_SLOTS - 1)];
        m->hash = hash;
        m->platform_bit = bit;
        m->has_exe = exe_path.p != NULL;
        m->text_len = (uint32_t)len;
        m->exe_len = (uint32_t)exe_path.len;
        m->nhits = (uint32_t)found;
        memcpy(m->hits, seen, (size_t)found * sizeof(seen[0]));
        memcpy(m->key, text, len);
        if (exe_path.len > 0) {
            memcpy(m->key + len, exe_path.p, exe_path.len);
        }
    }
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
