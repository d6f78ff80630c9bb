/* meter_ptd.c - the "ptd" meter: a SPEC PTDaemon client over TCP (a wall-power
 * analyzer). open: connect (timeout), Hello, Identify. Phases drive logging:
 * begin "ranging" sets SR,V,Auto / SR,A,Auto and Go; begin "testing" sets the
 * voltage/current ranges from the ranging maximum (the smallest range from RR
 * that holds it) and Go; end of either sends Stop. read: while logging, RL
 * returns the analyzer's samples since the last RL (kept for spl.txt), else
 * Watts; the value is the latest watts. Any socket error or timeout is a read
 * failure (the sampler keeps what it had). Options: host, port, device
 * (expected analyzer model in the Identify reply), sample_ms, connect_timeout_ms,
 * reply_timeout_ms. */
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

#define PTD_MAX_RANGES 32

typedef struct ptd_sample {
    char line[256]; /* the analyzer's line, as received */
    double watts, volts, amps;
    bool ranging;
} ptd_sample;

typedef struct ptd_state {
    int fd;
    char host[128], port[16], identity[256];
    long sample_ms, reply_timeout_ms;
    char rbuf[8192];
    size_t rlen;
    bool logging, ranging_phase, have_ranging;
    double max_volts, max_amps, last_watts;
    double v_ranges[PTD_MAX_RANGES], a_ranges[PTD_MAX_RANGES];
    int n_v, n_a;
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
        if (s->ranging_phase) {
            if (isfinite(smp.volts) && smp.volts > s->max_volts)
                s->max_volts = smp.volts;
            if (isfinite(smp.amps) && smp.amps > s->max_amps)
                s->max_amps = smp.amps;
        }
    }
    return JM_M_OK;
}

/* "Ranges,V,15,30,...,A,0.5,1,..." -> the two lists. */
static void parse_ranges(ptd_state *s, const char *reply)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", reply);
    int which = 0; /* 1 volts, 2 amps */
    s->n_v = s->n_a = 0;
    for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "V") == 0) {
            which = 1;
            continue;
        }
        if (strcmp(tok, "A") == 0) {
            which = 2;
            continue;
        }
        char *end;
        double v = strtod(tok, &end);
        if (end == tok || *end || v <= 0)
            continue;
        if (which == 1 && s->n_v < PTD_MAX_RANGES)
            s->v_ranges[s->n_v++] = v;
        else if (which == 2 && s->n_a < PTD_MAX_RANGES)
            s->a_ranges[s->n_a++] = v;
    }
}

/* Smallest range holding max; "Auto" when unknown or above every range. */
static void pick_range(const double *ranges, int n, double max, char *out, size_t len)
{
    double best = 0;
    for (int i = 0; i < n; i++)
        if (ranges[i] >= max && (best == 0 || ranges[i] < best))
            best = ranges[i];
    if (best > 0 && max > 0)
        snprintf(out, len, "%g", best);
    else
        snprintf(out, len, "Auto");
}

static int ptd_phase(void *state, const char *phase, bool begin, char *err, size_t err_len)
{
    ptd_state *s = state;
    bool ranging = strcmp(phase, "ranging") == 0;
    if (!ranging && strcmp(phase, "testing") != 0)
        return JM_M_OK; /* the analyzer logs only ranging and testing runs */
    char reply[512], cmd[128];
    int rc;
    if (!begin) {
        if (!s->logging)
            return JM_M_OK;
        rc = read_log(s, err, err_len); /* collect the samples up to the end */
        if (rc == JM_M_OK)
            rc = command(s, "Stop", reply, sizeof reply, err, err_len);
        s->logging = false;
        if (ranging)
            s->have_ranging = s->max_volts > 0 || s->max_amps > 0;
        s->ranging_phase = false;
        return rc;
    }
    if (s->logging) {
        rc = command(s, "Stop", reply, sizeof reply, err, err_len);
        s->logging = false;
        if (rc != JM_M_OK)
            return rc;
    }
    char vr[32] = "Auto", ar[32] = "Auto";
    if (ranging) {
        s->max_volts = s->max_amps = 0.0;
    } else if (s->have_ranging) {
        pick_range(s->v_ranges, s->n_v, s->max_volts, vr, sizeof vr);
        pick_range(s->a_ranges, s->n_a, s->max_amps, ar, sizeof ar);
    }
    snprintf(cmd, sizeof cmd, "SR,V,%s", vr);
    rc = command(s, cmd, reply, sizeof reply, err, err_len);
    if (rc == JM_M_OK) {
        snprintf(cmd, sizeof cmd, "SR,A,%s", ar);
        rc = command(s, cmd, reply, sizeof reply, err, err_len);
    }
    if (rc == JM_M_OK) {
        snprintf(cmd, sizeof cmd, "Go,%ld,0,joulemark_%s", s->sample_ms, phase);
        rc = command(s, cmd, reply, sizeof reply, err, err_len);
    }
    if (rc == JM_M_OK) {
        s->logging = true;
        s->ranging_phase = ranging;
    }
    return rc;
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
    long port, sample_ms, cto, rto;
    if (jm__opt_long(spec, "port", 8888, 1, 65535, &port, reason, reason_len) != 0 ||
        jm__opt_long(spec, "sample_ms", 1000, 10, 60000, &sample_ms, reason, reason_len) != 0 ||
        jm__opt_long(spec, "connect_timeout_ms", 3000, 1, 600000, &cto, reason, reason_len) != 0 ||
        jm__opt_long(spec, "reply_timeout_ms", 5000, 1, 600000, &rto, reason, reason_len) != 0)
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
    if (rc == JM_M_OK && command(s, "RR", reply, sizeof reply, err, sizeof err) == JM_M_OK)
        parse_ranges(s, reply);
    else if (rc == JM_M_OK && s->fd < 0)
        rc = JM_M_EIO; /* RR may be refused; a lost connection may not */
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

static const char *const ptd_keys[] = {"host",       "port", "device", "sample_ms",
                                       "connect_timeout_ms", "reply_timeout_ms", NULL};

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
