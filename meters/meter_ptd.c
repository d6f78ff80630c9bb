/* meter_ptd.c - the "ptd" meter: a SPEC PTDaemon client over TCP (a wall-power
 * analyzer), following MLPerf's power server (mlcommons/power-dev
 * ptd_client_server). open: connect (timeout), Hello, Identify, RR (the range
 * settings in use: "Ranges,{AmpAuto},{AmpRange},{VoltAuto},{VoltRange}").
 * Phases, per workload: begin "ranging" sets SR,V,Auto / SR,A,Auto (when not
 * already auto), waits the settle time, Go; its samples' maximum volts and amps
 * are kept for that workload. begin "testing" sends that workload's maxima
 * (SR,V,<max volts>, SR,A,<max amps>: the analyzer selects its range), checks
 * with RR that both ranges are fixed, waits the settle time, Go; a workload
 * without a ranging maximum, or ranges the analyzer refuses, fail the phase
 * with the reason (never auto-ranging in testing). Every begin returns once Go
 * is acknowledged and the first sample after it has arrived (the window
 * contract of meters.h). End sends Stop. read: while logging, RL returns the
 * analyzer's samples since the last RL (kept for spl.txt), else Watts; the
 * value is the latest watts. Any socket error or timeout is a read failure.
 * Options: host, port, device (expected analyzer model in the Identify reply),
 * sample_ms, settle_ms (default 10000, MLPerf's wait before Go),
 * connect_timeout_ms, reply_timeout_ms. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "meters_internal.h"

#define PTD_MAX_WORKLOADS 64

typedef struct ptd_sample {
    char line[256]; /* the analyzer's line, as received */
    double watts, volts, amps;
    bool ranging;
} ptd_sample;

/* The ranging maxima of one workload. */
typedef struct ptd_workload_range {
    char workload[64];
    double max_volts, max_amps;
    size_t n_samples;    /* ranging samples with volts and amps */
    double ranging_s;    /* how long its ranging measurement lasted */
} ptd_workload_range;

typedef struct ptd_state {
    int fd;
    char host[128], port[16], identity[256];
    long sample_ms, reply_timeout_ms, settle_ms;
    char rbuf[8192];
    size_t rlen;
    bool logging, ranging_phase, rr_ok;
    double last_watts;
    uint64_t go_ns;
    char cur_v[32], cur_a[32]; /* the setting last sent ("Auto", a value); "" unknown */
    ptd_workload_range ranges[PTD_MAX_WORKLOADS];
    int n_ranges, ranging; /* ranging: the entry being ranged, -1 when none */
    ptd_sample *samples;
    size_t n_samples, cap_samples, garbage_lines;
    char *log; /* transcript: commands and replies with times */
    size_t log_len, log_cap;
} ptd_state;

static void log_line(ptd_state *s, const char *dir, const char *text)
{
    char stamp[40];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%m-%d-%Y %H:%M:%S", &tm);
    size_t need = strlen(stamp) + strlen(text) + 16;
    if (s->log_len + need >= s->log_cap) {
        size_t cap = (s->log_cap + need) * 2;
        char *p = realloc(s->log, cap);
        if (!p)
            return; /* the transcript is best effort; samples are kept separately */
        s->log = p;
        s->log_cap = cap;
    }
    s->log_len += (size_t)snprintf(s->log + s->log_len, s->log_cap - s->log_len, "%s.%03ld %s %s\n",
                                   stamp, ts.tv_nsec / 1000000L, dir, text);
}

static int fail_io(ptd_state *s, const char *what, char *err, size_t err_len)
{
    snprintf(err, err_len, "ptd %s:%s: %s: connection to the analyzer lost", s->host, s->port,
             what);
    log_line(s, "!!", err);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    return JM_M_EIO;
}

static int send_line(ptd_state *s, const char *cmd, char *err, size_t err_len)
{
    if (s->fd < 0)
        return fail_io(s, "not connected", err, err_len);
    char buf[300];
    int n = snprintf(buf, sizeof buf, "%s\r\n", cmd);
    size_t off = 0;
    log_line(s, ">>", cmd);
    while (off < (size_t)n) {
        ssize_t w = send(s->fd, buf + off, (size_t)n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            char what[320];
            snprintf(what, sizeof what, "sending '%s' failed (%s)", cmd, strerror(errno));
            return fail_io(s, what, err, err_len);
        }
        off += (size_t)w;
    }
    return JM_M_OK;
}

/* One reply line (without CR/LF) within reply_timeout_ms. */
static int recv_line(ptd_state *s, char *line, size_t len, char *err, size_t err_len)
{
    uint64_t deadline = jm_now_ns() + (uint64_t)s->reply_timeout_ms * 1000000u;
    for (;;) {
        char *nl = memchr(s->rbuf, '\n', s->rlen);
        if (nl) {
            size_t l = (size_t)(nl - s->rbuf);
            size_t copy = l < len - 1 ? l : len - 1;
            memcpy(line, s->rbuf, copy);
            line[copy] = '\0';
            if (copy > 0 && line[copy - 1] == '\r')
                line[copy - 1] = '\0';
            memmove(s->rbuf, nl + 1, s->rlen - l - 1);
            s->rlen -= l + 1;
            log_line(s, "<<", line);
            return JM_M_OK;
        }
        if (s->rlen == sizeof s->rbuf)
            return fail_io(s, "reply line longer than 8 KiB", err, err_len);
        if (s->fd < 0)
            return fail_io(s, "not connected", err, err_len);
        uint64_t now = jm_now_ns();
        if (now >= deadline) {
            char what[96];
            snprintf(what, sizeof what, "no reply within %ld ms", s->reply_timeout_ms);
            return fail_io(s, what, err, err_len);
        }
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue; /* the deadline check above reports the timeout */
        ssize_t r = recv(s->fd, s->rbuf + s->rlen, sizeof s->rbuf - s->rlen, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return fail_io(s, r == 0 ? "closed by the analyzer" : strerror(errno), err, err_len);
        s->rlen += (size_t)r;
    }
}

/* Sends cmd, reads one reply; a reply starting with "Error" is an error. */
static int command(ptd_state *s, const char *cmd, char *reply, size_t reply_len, char *err,
                   size_t err_len)
{
    int rc = send_line(s, cmd, err, err_len);
    if (rc == JM_M_OK)
        rc = recv_line(s, reply, reply_len, err, err_len);
    if (rc == JM_M_OK && strncmp(reply, "Error", 5) == 0) {
        jm__setf(err, err_len, "ptd %s:%s: '%s' answered '%s'", s->host, s->port, cmd, reply);
        return JM_M_EIO;
    }
    return rc;
}

static int connect_to(const char *host, const char *port, long timeout_ms, char *why,
                      size_t why_len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        snprintf(why, why_len, "cannot resolve %s: %s", host, gai_strerror(g));
        return -1;
    }
    int fd = -1;
    snprintf(why, why_len, "no address");
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int pr = poll(&p, 1, (int)timeout_ms);
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (pr == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                rc = 0;
            else
                errno = pr == 0 ? ETIMEDOUT : (soerr ? soerr : errno);
        }
        if (rc == 0) {
            int fl = fcntl(fd, F_GETFL);
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
            break;
        }
        snprintf(why, why_len, "%s", strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* "Time,MM-DD-YYYY HH:MM:SS.mmm,Watts,W,Volts,V,Amps,A,PF,x,Mark,m" */
static bool parse_sample(const char *line, ptd_sample *out)
{
    if (strncmp(line, "Time,", 5) != 0)
        return false;
    uint64_t ns;
    if (jm_ptd_time_parse(line + 5, &ns) != 0)
        return false;
    out->watts = out->volts = out->amps = NAN;
    const struct {
        const char *key;
        double *dst;
    } f[] = {{",Watts,", &out->watts}, {",Volts,", &out->volts}, {",Amps,", &out->amps}};
    for (size_t i = 0; i < 3; i++) {
        const char *p = strstr(line, f[i].key);
        if (p) {
            char *end;
            double v = strtod(p + strlen(f[i].key), &end);
            if (end != p + strlen(f[i].key))
                *f[i].dst = v;
        }
    }
    if (!isfinite(out->watts))
        return false;
    jm__setf(out->line, sizeof out->line, "%s", line);
    return true;
}

static int read_log(ptd_state *s, char *err, size_t err_len)
{
    char reply[512];
    int rc = command(s, "RL", reply, sizeof reply, err, err_len);
    if (rc != JM_M_OK)
        return rc;
    long n;
    if (sscanf(reply, "Last %ld samples", &n) != 1 || n < 0 || n > 100000) {
        snprintf(err, err_len, "ptd %s:%s: RL answered '%s': expected 'Last N samples'", s->host,
                 s->port, reply);
        return JM_M_EIO;
    }
    for (long i = 0; i < n; i++) {
        char line[512];
        rc = recv_line(s, line, sizeof line, err, err_len);
        if (rc != JM_M_OK)
            return rc;
        ptd_sample smp;
        if (!parse_sample(line, &smp)) {
            s->garbage_lines++;
            continue;
        }
        smp.ranging = s->ranging_phase;
        if (s->n_samples == s->cap_samples) {
            size_t cap = s->cap_samples ? s->cap_samples * 2 : 256;
            ptd_sample *p = realloc(s->samples, cap * sizeof(*p));
            if (!p) {
                snprintf(err, err_len, "ptd: out of memory for samples");
                return JM_M_ENOMEM;
            }
            s->samples = p;
            s->cap_samples = cap;
        }
        s->samples[s->n_samples++] = smp;
        s->last_watts = smp.watts;
        if (s->ranging_phase && s->ranging >= 0 && isfinite(smp.volts) && isfinite(smp.amps) &&
            smp.volts > 0 && smp.amps > 0) {
            ptd_workload_range *r = &s->ranges[s->ranging];
            r->max_volts = smp.volts > r->max_volts ? smp.volts : r->max_volts;
            r->max_amps = smp.amps > r->max_amps ? smp.amps : r->max_amps;
            r->n_samples++;
        }
    }
    return JM_M_OK;
}

/* RR's reply "Ranges,{AmpAuto},{AmpRange},{VoltAuto},{VoltRange}" (autorange 1 on,
 * 0 off, -1 unknown; a range -1 unknown). Returns false when malformed. */
static bool parse_ranges(const char *reply, int *amp_auto, double *amp_range, int *volt_auto,
                         double *volt_range)
{
    int n = 0;
    if (sscanf(reply, "Ranges,%d,%lf,%d,%lf%n", amp_auto, amp_range, volt_auto, volt_range, &n) !=
            4 ||
        reply[n] != '\0')
        return false;
    return *amp_auto >= -1 && *amp_auto <= 1 && *volt_auto >= -1 && *volt_auto <= 1;
}

static ptd_workload_range *find_range(ptd_state *s, const char *workload, bool create)
{
    for (int i = 0; i < s->n_ranges; i++)
        if (strcmp(s->ranges[i].workload, workload) == 0)
            return &s->ranges[i];
    if (!create || s->n_ranges == PTD_MAX_WORKLOADS)
        return NULL;
    ptd_workload_range *r = &s->ranges[s->n_ranges++];
    memset(r, 0, sizeof(*r));
    jm__setf(r->workload, sizeof r->workload, "%s", workload);
    return r;
}

/* SR,<which>,<value> unless the analyzer already has it; *changed when sent. */
static int set_range(ptd_state *s, char which, const char *value, bool *changed, char *err,
                     size_t err_len)
{
    char *cur = which == 'V' ? s->cur_v : s->cur_a;
    if (strcmp(cur, value) == 0)
        return JM_M_OK;
    char cmd[64], reply[256], want[32];
    jm__setf(cmd, sizeof cmd, "SR,%c,%s", which, value);
    cur[0] = '\0'; /* unknown until acknowledged */
    int rc = command(s, cmd, reply, sizeof reply, err, err_len);
    jm__setf(want, sizeof want, "Range %c changed", which);
    if (rc == JM_M_OK && strncmp(reply, want, strlen(want)) != 0) {
        jm__setf(err, err_len, "ptd %s:%s: '%s' answered '%s': expected '%s'", s->host, s->port,
                 cmd, reply, want);
        rc = JM_M_EIO;
    }
    if (rc != JM_M_OK)
        return rc;
    jm__setf(cur, 32, "%s", value);
    *changed = true;
    return JM_M_OK;
}

/* The fixed ranges of a workload's testing runs: its ranging maxima, sent as
 * MLPerf's server sends them, then RR must show both autoranges off. */
static int set_fixed_ranges(ptd_state *s, const char *workload, bool *changed, char *err,
                            size_t err_len)
{
    const ptd_workload_range *r = find_range(s, workload, false);
    if (!r) {
        jm__setf(err, err_len,
                 "ptd: no fixed range can be set for the testing runs of '%s': it was not ranged "
                 "(a ranging run must precede them; MLPerf forbids auto-ranging in testing)",
                 workload);
        return JM_M_EIO;
    }
    if (r->n_samples == 0) {
        jm__setf(err, err_len,
                 "ptd: no fixed range can be set for the testing runs of '%s': its ranging run "
                 "(%.2f s) got no analyzer sample with volts and amps (at %ld ms per sample it "
                 "must cover more time)",
                 workload, r->ranging_s, s->sample_ms);
        return JM_M_EIO;
    }
    char v[32], a[32], cerr[JM_METER_REASON_MAX];
    jm__setf(v, sizeof v, "%.6f", r->max_volts);
    jm__setf(a, sizeof a, "%.6f", r->max_amps);
    int rc = set_range(s, 'V', v, changed, cerr, sizeof cerr);
    if (rc == JM_M_OK)
        rc = set_range(s, 'A', a, changed, cerr, sizeof cerr);
    if (rc == JM_M_OK && s->rr_ok) {
        char reply[256];
        int aa, va;
        double ar, vr;
        rc = command(s, "RR", reply, sizeof reply, cerr, sizeof cerr);
        if (rc == JM_M_OK && (!parse_ranges(reply, &aa, &ar, &va, &vr) || aa != 0 || va != 0)) {
            jm__setf(cerr, sizeof cerr, "after SR,V,%s and SR,A,%s RR answered '%s': the ranges "
                     "are not fixed", v, a, reply);
            rc = JM_M_EIO;
        }
    }
    if (rc != JM_M_OK)
        jm__setf(err, err_len, "ptd: no fixed range can be set for the testing runs of '%s' "
                 "(ranging max %.2f V, %.4f A): %s", workload, r->max_volts, r->max_amps, cerr);
    return rc;
}

/* Blocks until the first sample after Go has arrived (RL), within the time
 * the analyzer may take: one sample interval, 1 s, and a reply timeout. */
static int wait_first_sample(ptd_state *s, char *err, size_t err_len)
{
    size_t before = s->n_samples;
    uint64_t deadline = s->go_ns + (uint64_t)(s->sample_ms + 1000 + s->reply_timeout_ms) * 1000000u;
    unsigned poll_ms = s->sample_ms / 4 > 50 ? 50 : (unsigned)(s->sample_ms / 4 + 1);
    for (;;) {
        int rc = read_log(s, err, err_len);
        if (rc != JM_M_OK)
            return rc;
        if (s->n_samples > before)
            return JM_M_OK;
        if (jm_now_ns() >= deadline) {
            jm__setf(err, err_len, "ptd %s:%s: no sample within %.1f s after Go", s->host,
                     s->port, (double)(jm_now_ns() - s->go_ns) * 1e-9);
            return JM_M_EIO;
        }
        jm__sleep_ms(poll_ms);
    }
}

static int stop_logging(ptd_state *s, char *err, size_t err_len)
{
    char reply[256];
    int rc = read_log(s, err, err_len); /* collect the samples up to the end */
    if (rc == JM_M_OK)
        rc = command(s, "Stop", reply, sizeof reply, err, err_len);
    if (s->ranging_phase && s->ranging >= 0)
        s->ranges[s->ranging].ranging_s = (double)(jm_now_ns() - s->go_ns) * 1e-9;
    s->logging = false;
    s->ranging_phase = false;
    s->ranging = -1;
    return rc;
}

static int ptd_phase(void *state, const char *phase, const char *workload, bool begin, char *err,
                     size_t err_len)
{
    ptd_state *s = state;
    bool ranging = strcmp(phase, "ranging") == 0;
    if (!ranging && strcmp(phase, "testing") != 0)
        return JM_M_OK; /* the analyzer logs only ranging and testing runs */
    if (!begin)
        return s->logging ? stop_logging(s, err, err_len) : JM_M_OK;
    int rc = s->logging ? stop_logging(s, err, err_len) : JM_M_OK;
    bool changed = false;
    if (rc == JM_M_OK && ranging) {
        ptd_workload_range *r = find_range(s, workload, true);
        if (!r) {
            jm__setf(err, err_len, "ptd: more than %d workloads to range", PTD_MAX_WORKLOADS);
            return JM_M_EIO;
        }
        r->max_volts = r->max_amps = 0.0;
        r->n_samples = 0;
        s->ranging = (int)(r - s->ranges);
        rc = set_range(s, 'V', "Auto", &changed, err, err_len);
        if (rc == JM_M_OK)
            rc = set_range(s, 'A', "Auto", &changed, err, err_len);
    } else if (rc == JM_M_OK) {
        rc = set_fixed_ranges(s, workload, &changed, err, err_len);
    }
    if (rc != JM_M_OK)
        return rc;
    if (changed) /* the analyzer settles in its new range before measuring */
        jm__sleep_ms((unsigned)s->settle_ms);
    char cmd[128], reply[512];
    snprintf(cmd, sizeof cmd, "Go,%ld,0,joulemark_%s", s->sample_ms, phase);
    rc = command(s, cmd, reply, sizeof reply, err, err_len);
    if (rc != JM_M_OK)
        return rc;
    s->go_ns = jm_now_ns();
    s->logging = true;
    s->ranging_phase = ranging;
    return wait_first_sample(s, err, err_len);
}

static int ptd_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    ptd_state *s = state;
    int rc;
    if (s->logging) {
        rc = read_log(s, err, err_len);
    } else {
        char reply[256];
        rc = command(s, "Watts", reply, sizeof reply, err, err_len);
        double w;
        if (rc == JM_M_OK) {
            if (sscanf(reply, "Watts,%lf", &w) == 1 && isfinite(w)) {
                s->last_watts = w;
            } else {
                snprintf(err, err_len, "ptd %s:%s: Watts answered '%s': expected 'Watts,W'",
                         s->host, s->port, reply);
                rc = JM_M_EIO;
            }
        }
    }
    if (rc != JM_M_OK)
        return rc;
    out->t_ns = jm_now_ns();
    out->value[0] = s->last_watts;
    return JM_M_OK;
}

static void ptd_close(void *state)
{
    ptd_state *s = state;
    if (!s)
        return;
    if (s->fd >= 0) {
        char reply[128], err[256];
        if (s->logging)
            command(s, "Stop", reply, sizeof reply, err, sizeof err);
        if (s->fd >= 0)
            close(s->fd);
    }
    free(s->samples);
    free(s->log);
    free(s);
}

static int write_file(const char *dir, const char *name, const ptd_state *s, int which,
                      char *err, size_t err_len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, err_len, "ptd: cannot write %s: %s", path, strerror(errno));
        return JM_M_EIO;
    }
    if (which == 2)
        fwrite(s->log, 1, s->log_len, f);
    for (size_t i = 0; which != 2 && i < s->n_samples; i++)
        if (s->samples[i].ranging == (which == 1))
            fprintf(f, "%s\n", s->samples[i].line);
    if (fclose(f) != 0) {
        snprintf(err, err_len, "ptd: cannot write %s: %s", path, strerror(errno));
        return JM_M_EIO;
    }
    return JM_M_OK;
}

/* spl.txt (testing samples), ranging_spl.txt, ptd_log.txt - only from what
 * the analyzer sent: a file with no samples to hold is not written. */
static int ptd_export(void *state, const char *dir, char *err, size_t err_len)
{
    ptd_state *s = state;
    bool have[2] = {false, false};
    for (size_t i = 0; i < s->n_samples; i++)
        have[s->samples[i].ranging ? 1 : 0] = true;
    int rc = JM_M_OK;
    if (have[0])
        rc = write_file(dir, "spl.txt", s, 0, err, err_len);
    if (rc == JM_M_OK && have[1])
        rc = write_file(dir, "ranging_spl.txt", s, 1, err, err_len);
    if (rc == JM_M_OK && s->log_len)
        rc = write_file(dir, "ptd_log.txt", s, 2, err, err_len);
    return rc;
}

static int ptd_open(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                    size_t reason_len)
{
    const char *host = jm_meter_spec_get(spec, "host");
    if (!host) {
        snprintf(reason, reason_len,
                 "no analyzer configured: give the PTDaemon address, e.g. --meter "
                 "ptd:host=192.168.1.10,port=8888");
        return JM_M_UNAVAILABLE;
    }
    long port, sample_ms, cto, rto, settle;
    if (jm__opt_long(spec, "port", 8888, 1, 65535, &port, reason, reason_len) != 0 ||
        jm__opt_long(spec, "sample_ms", 1000, 10, 60000, &sample_ms, reason, reason_len) != 0 ||
        jm__opt_long(spec, "connect_timeout_ms", 3000, 1, 600000, &cto, reason, reason_len) != 0 ||
        jm__opt_long(spec, "reply_timeout_ms", 5000, 1, 600000, &rto, reason, reason_len) != 0 ||
        jm__opt_long(spec, "settle_ms", 10000, 0, 600000, &settle, reason, reason_len) != 0)
        return JM_M_EOPTION;
    ptd_state *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(reason, reason_len, "ptd: out of memory");
        return JM_M_ENOMEM;
    }
    snprintf(s->host, sizeof s->host, "%s", host);
    snprintf(s->port, sizeof s->port, "%ld", port);
    s->sample_ms = sample_ms;
    s->reply_timeout_ms = rto;
    s->settle_ms = settle;
    char why[256];
    s->fd = connect_to(s->host, s->port, cto, why, sizeof why);
    if (s->fd < 0) {
        snprintf(reason, reason_len,
                 "cannot connect to PTDaemon at %s:%s (%s): start PTDaemon on that host "
                 "(e.g. `ptd -p %s <device> <port>`) and check host/port and firewall",
                 s->host, s->port, why, s->port);
        ptd_close(s);
        return JM_M_UNAVAILABLE;
    }
    char reply[256], err[JM_METER_REASON_MAX];
    int rc = command(s, "Hello", reply, sizeof reply, err, sizeof err);
    if (rc == JM_M_OK && strncmp(reply, "Hello", 5) != 0) {
        snprintf(err, sizeof err, "ptd %s:%s: Hello answered '%s': not a PTDaemon", s->host,
                 s->port, reply);
        rc = JM_M_EIO;
    }
    if (rc == JM_M_OK)
        rc = command(s, "Identify", s->identity, sizeof s->identity, err, sizeof err);
    const char *device = jm_meter_spec_get(spec, "device");
    if (rc == JM_M_OK && device && !strstr(s->identity, device)) {
        snprintf(err, sizeof err, "ptd %s:%s: analyzer identifies as '%s', not device '%s'",
                 s->host, s->port, s->identity, device);
        rc = JM_M_EIO;
    }
    int aa, va;
    double ar, vr;
    s->ranging = -1;
    if (rc == JM_M_OK && command(s, "RR", reply, sizeof reply, err, sizeof err) == JM_M_OK) {
        /* the settings in use: an autorange on needs no SR,x,Auto before ranging */
        s->rr_ok = parse_ranges(reply, &aa, &ar, &va, &vr);
        snprintf(s->cur_a, sizeof s->cur_a, "%s", s->rr_ok && aa == 1 ? "Auto" : "");
        snprintf(s->cur_v, sizeof s->cur_v, "%s", s->rr_ok && va == 1 ? "Auto" : "");
    } else if (rc == JM_M_OK && s->fd < 0) {
        rc = JM_M_EIO; /* RR may be refused; a lost connection may not */
    }
    if (rc != JM_M_OK) {
        snprintf(reason, reason_len, "%s", err);
        ptd_close(s);
        return JM_M_UNAVAILABLE;
    }
    memset(info, 0, sizeof(*info));
    info->kind = JM_METER_MEASURED;
    info->quantity = JM_METER_POWER;
    info->n_domains = 1;
    snprintf(info->domains[0], JM_METER_NAME_MAX, "wall");
    info->roles[0].type = JM_DOMAIN_WALL;
    info->resolution_j = 0.0;
    info->update_period_ms = (unsigned)sample_ms;
    info->default_interval_ms = (unsigned)sample_ms;
    jm__setf(info->source, sizeof info->source, "PTDaemon %s:%s, analyzer '%s'", s->host,
             s->port, s->identity);
    *state = s;
    return JM_M_OK;
}

static const char *const ptd_keys[] = {"host",      "port",
                                       "device",    "sample_ms",
                                       "settle_ms", "connect_timeout_ms",
                                       "reply_timeout_ms", NULL};

const jm_meter_ops jm__meter_ptd = {
    .name = "ptd",
    .summary = "wall power from a SPEC PTDaemon power analyzer over TCP (ranging + testing)",
    .option_keys = ptd_keys,
    .open = ptd_open,
    .read = ptd_read,
    .phase = ptd_phase,
    .export_logs = ptd_export,
    .close = ptd_close,
};
