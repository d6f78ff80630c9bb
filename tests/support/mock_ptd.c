/* mock_ptd.c - the PTDaemon emulator of mock_ptd.h (tests only). Reply
 * strings are those of the PTDaemon 1.10 logs in shared/data/mlperf-power;
 * the text after "Error:" of a refused SR is ours (clients test the prefix). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mock_ptd.h"

/* The analyzer's ranges (a Yokogawa WT3xx has these; RR reports the one in use). */
static const double volt_ranges[] = {15, 30, 60, 150, 300, 600};
static const double amp_ranges[] = {0.5, 1, 2, 5, 10, 20};
#define N_RANGES 6

struct jm_mock_ptd {
    jm_mock_ptd_config cfg;
    int listen_fd;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stop;
    char commands[16384];
    long n_commands, samples_sent, auto_testing;
    double watts; /* under lock */
    /* range state: auto flags and the range in use */
    bool volt_auto, amp_auto;
    double volt_range, amp_range;
    /* logging state of the current connection */
    bool logging;
    long interval_ms, emitted;
    struct timespec go_real, go_mono;
    uint64_t go_ns, first_ns;
    char mark[64];
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static uint64_t mono_ns(const struct timespec *t)
{
    return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static double elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) * 1e3 + (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static bool send_text(int fd, const char *text)
{
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = send(fd, text + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        off += (size_t)w;
    }
    return true;
}

static long first_sample_ms(const struct jm_mock_ptd *m)
{
    return m->cfg.first_sample_ms > 0 ? m->cfg.first_sample_ms : 310;
}

/* Sample k (0-based) of the measurement: first_sample_ms after Go, then one per interval. */
static void sample_line(struct jm_mock_ptd *m, long k, double watts, char *buf, size_t len)
{
    long ms = first_sample_ms(m) + k * m->interval_ms;
    long total_ms = m->go_real.tv_nsec / 1000000L + ms;
    time_t sec = m->go_real.tv_sec + (time_t)(total_ms / 1000);
    long milli = total_ms % 1000;
    struct tm tm;
    gmtime_r(&sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%m-%d-%Y %H:%M:%S", &tm);
    double volts = m->cfg.volts > 0 ? m->cfg.volts : 230.0;
    snprintf(buf, len, "Time,%s.%03ld,Watts,%.6f,Volts,%.6f,Amps,%.6f,PF,0.950000,Mark,%s\r\n",
             stamp, milli, watts, volts, watts / volts, m->mark);
}

/* SR,V|A,Auto|<value>: the smallest range holding the value; false when none does. */
static bool set_range(struct jm_mock_ptd *m, char which, const char *arg, bool *changed)
{
    bool *autof = which == 'V' ? &m->volt_auto : &m->amp_auto;
    double *range = which == 'V' ? &m->volt_range : &m->amp_range;
    const double *table = which == 'V' ? volt_ranges : amp_ranges;
    if (strcmp(arg, "Auto") == 0) {
        *changed = !*autof;
        *autof = true;
        return true;
    }
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > 0))
        return false;
    for (int i = 0; i < N_RANGES; i++) {
        if (table[i] >= v) {
            *changed = *autof || *range != table[i];
            *autof = false;
            *range = table[i];
            return true;
        }
    }
    return false;
}

/* Builds the reply to one command; returns false to drop the connection. */
static bool reply(struct jm_mock_ptd *m, int fd, const char *cmd)
{
    char out[65536];
    out[0] = '\0';
    pthread_mutex_lock(&m->lock);
    double watts = m->watts;
    pthread_mutex_unlock(&m->lock);
    unsigned latency_ms = 0;
    char which;
    if (m->cfg.error_on && strncmp(cmd, m->cfg.error_on, strlen(m->cfg.error_on)) == 0) {
        snprintf(out, sizeof out, "Error: mock refuses '%s'\r\n", cmd);
    } else if (strcmp(cmd, "Hello") == 0) {
        snprintf(out, sizeof out, "%s\r\n",
                 m->cfg.garbage_hello ? "#$%@ line noise" : "Hello, PTDaemon here!");
    } else if (strcmp(cmd, "Identify") == 0) {
        snprintf(out, sizeof out,
                 "YokogawaWT330E,1000,1,1,1,1,0,0,1,version=1.10.0-ed9a21d2-20220817,"
                 "OS=Linux,mode=power,1,1,1,0,0,no_cal_date,YOKOGAWA;WT333E;EMULATOR;F1.04\r\n");
    } else if (strcmp(cmd, "RR") == 0) {
        snprintf(out, sizeof out, "Ranges,%d,%.6f,%d,%.6f\r\n", m->amp_auto ? 1 : 0, m->amp_range,
                 m->volt_auto ? 1 : 0, m->volt_range);
    } else if (sscanf(cmd, "SR,%c,", &which) == 1 && (which == 'V' || which == 'A')) {
        bool changed = false;
        if (m->logging || !set_range(m, which, cmd + 5, &changed)) {
            snprintf(out, sizeof out, "Error: cannot set range '%s'\r\n", cmd + 5);
        } else {
            snprintf(out, sizeof out, "Range %c changed\r\n", which);
            if (changed && m->cfg.range_change_ms >= 0)
                latency_ms = m->cfg.range_change_ms > 0 ? (unsigned)m->cfg.range_change_ms : 1500;
        }
    } else if (strncmp(cmd, "Go,", 3) == 0) {
        long iv = 1000;
        char mark[64] = "";
        if (sscanf(cmd, "Go,%ld,%*d,%63s", &iv, mark) < 1 || iv <= 0) {
            snprintf(out, sizeof out, "Error: bad Go\r\n");
        } else {
            m->logging = true;
            m->interval_ms = iv;
            m->emitted = 0;
            snprintf(m->mark, sizeof m->mark, "%s", mark);
            clock_gettime(CLOCK_REALTIME, &m->go_real);
            clock_gettime(CLOCK_MONOTONIC, &m->go_mono);
            pthread_mutex_lock(&m->lock);
            m->go_ns = mono_ns(&m->go_mono);
            m->first_ns = m->go_ns + (uint64_t)first_sample_ms(m) * 1000000u;
            if (strstr(mark, "testing") && (m->volt_auto || m->amp_auto))
                m->auto_testing++;
            pthread_mutex_unlock(&m->lock);
            snprintf(out, sizeof out,
                     "Starting untimed measurement, maximum 500000 samples at %ldms with 0 rampup "
                     "samples\r\n",
                     iv);
        }
    } else if (strcmp(cmd, "Stop") == 0) {
        snprintf(out, sizeof out, "%s\r\n",
                 m->logging ? "Stopping untimed measurement" : "Error: no measurement to stop");
        m->logging = false;
    } else if (strcmp(cmd, "Watts") == 0) {
        snprintf(out, sizeof out, "Watts,%.6f\r\n", watts);
    } else if (strcmp(cmd, "RL") == 0) {
        double since = m->logging ? elapsed_ms(&m->go_mono) - (double)first_sample_ms(m) : -1;
        long due = since >= 0 ? (long)(since / (double)m->interval_ms) + 1 : 0;
        long n = due - m->emitted;
        if (n < 0)
            n = 0;
        if (n > 500)
            n = 500;
        long garbage = m->cfg.garbage_every > 0 ? n / m->cfg.garbage_every : 0;
        size_t used = (size_t)snprintf(out, sizeof out, "Last %ld samples\r\n", n + garbage);
        for (long i = 0; i < n && used < sizeof out - 300; i++) {
            sample_line(m, m->emitted + i, watts, out + used, sizeof out - used);
            used += strlen(out + used);
            if (m->cfg.garbage_every > 0 && (i + 1) % m->cfg.garbage_every == 0)
                used += (size_t)snprintf(out + used, sizeof out - used, "Tyme,garbage,,Watts\r\n");
        }
        m->emitted += n;
        pthread_mutex_lock(&m->lock);
        m->samples_sent += n;
        pthread_mutex_unlock(&m->lock);
    } else {
        snprintf(out, sizeof out, "Error: unknown command '%s'\r\n", cmd);
    }
    if (latency_ms)
        sleep_ms(latency_ms);
    if (m->cfg.slow_ms && m->cfg.slow_after >= 0 && m->n_commands > m->cfg.slow_after)
        sleep_ms(m->cfg.slow_ms);
    return send_text(fd, out);
}

static void serve(struct jm_mock_ptd *m, int fd)
{
    char buf[4096];
    size_t len = 0;
    m->logging = false;
    for (;;) {
        pthread_mutex_lock(&m->lock);
        bool stop = m->stop;
        pthread_mutex_unlock(&m->lock);
        if (stop)
            return;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0)
            return;
        len += (size_t)r;
        char *nl;
        while ((nl = memchr(buf, '\n', len)) != NULL) {
            size_t l = (size_t)(nl - buf);
            char cmd[512];
            size_t c = l < sizeof cmd - 1 ? l : sizeof cmd - 1;
            memcpy(cmd, buf, c);
            cmd[c] = '\0';
            if (c > 0 && cmd[c - 1] == '\r')
                cmd[c - 1] = '\0';
            memmove(buf, nl + 1, len - l - 1);
            len -= l + 1;
            pthread_mutex_lock(&m->lock);
            size_t u = strlen(m->commands);
            snprintf(m->commands + u, sizeof m->commands - u, "%s%s", u ? "|" : "", cmd);
            m->n_commands++;
            long n_cmd = m->n_commands;
            pthread_mutex_unlock(&m->lock);
            if (m->cfg.disconnect_after > 0 && n_cmd >= m->cfg.disconnect_after)
                return;
            if (!reply(m, fd, cmd))
                return;
        }
        if (len == sizeof buf - 1)
            return;
    }
}

static void *mock_main(void *arg)
{
    struct jm_mock_ptd *m = arg;
    for (;;) {
        pthread_mutex_lock(&m->lock);
        bool stop = m->stop;
        pthread_mutex_unlock(&m->lock);
        if (stop)
            break;
        struct pollfd p = {.fd = m->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(m->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve(m, fd);
        close(fd);
    }
    return NULL;
}

jm_mock_ptd *jm_mock_ptd_start(const jm_mock_ptd_config *cfg, int *port)
{
    struct jm_mock_ptd *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cfg = *cfg;
    m->watts = cfg->watts > 0 ? cfg->watts : 150.0;
    m->volt_auto = m->amp_auto = true; /* as the Orin log's first RR: auto, 0.5 A, 300 V */
    m->volt_range = 300.0;
    m->amp_range = 0.5;
    m->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (m->listen_fd < 0 || bind(m->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(m->listen_fd, 4) != 0 || getsockname(m->listen_fd, (struct sockaddr *)&a, &al) != 0) {
        if (m->listen_fd >= 0)
            close(m->listen_fd);
        free(m);
        return NULL;
    }
    *port = ntohs(a.sin_port);
    pthread_mutex_init(&m->lock, NULL);
    if (pthread_create(&m->thread, NULL, mock_main, m) != 0) {
        close(m->listen_fd);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
    }
    return m;
}

void jm_mock_ptd_stop(jm_mock_ptd *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->stop = true;
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    close(m->listen_fd);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void jm_mock_ptd_commands(jm_mock_ptd *m, char *buf, size_t len)
{
    pthread_mutex_lock(&m->lock);
    snprintf(buf, len, "%s", m->commands);
    pthread_mutex_unlock(&m->lock);
}

long jm_mock_ptd_samples_sent(jm_mock_ptd *m)
{
    pthread_mutex_lock(&m->lock);
    long n = m->samples_sent;
    pthread_mutex_unlock(&m->lock);
    return n;
}

long jm_mock_ptd_auto_testing(jm_mock_ptd *m)
{
    pthread_mutex_lock(&m->lock);
    long n = m->auto_testing;
    pthread_mutex_unlock(&m->lock);
    return n;
}

void jm_mock_ptd_last_go(jm_mock_ptd *m, uint64_t *go_ns, uint64_t *first_sample_ns)
{
    pthread_mutex_lock(&m->lock);
    *go_ns = m->go_ns;
    *first_sample_ns = m->first_ns;
    pthread_mutex_unlock(&m->lock);
}

void jm_mock_ptd_set_watts(jm_mock_ptd *m, double watts)
{
    pthread_mutex_lock(&m->lock);
    m->watts = watts;
    pthread_mutex_unlock(&m->lock);
}
