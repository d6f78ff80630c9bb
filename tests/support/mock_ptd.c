/* mock_ptd.c - the mock PTDaemon of mock_ptd.h (tests only). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mock_ptd.h"

struct jm_mock_ptd {
    jm_mock_ptd_config cfg;
    int listen_fd;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stop;
    char commands[16384];
    long n_commands, samples_sent;
    /* logging state of the current connection */
    bool logging;
    long interval_ms, emitted;
    struct timespec go_real, go_mono;
    char mark[64];
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
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

static void sample_line(struct jm_mock_ptd *m, long k, char *buf, size_t len)
{
    long ms = k * m->interval_ms;
    time_t sec = m->go_real.tv_sec + (time_t)((m->go_real.tv_nsec / 1000000L + ms) / 1000);
    long milli = (m->go_real.tv_nsec / 1000000L + ms) % 1000;
    struct tm tm;
    gmtime_r(&sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%m-%d-%Y %H:%M:%S", &tm);
    double volts = m->cfg.volts > 0 ? m->cfg.volts : 230.0;
    double watts = m->cfg.watts > 0 ? m->cfg.watts : 150.0;
    snprintf(buf, len, "Time,%s.%03ld,Watts,%.6f,Volts,%.6f,Amps,%.6f,PF,0.950000,Mark,%s\r\n",
             stamp, milli, watts, volts, watts / volts, m->mark);
}

/* Builds the reply to one command; returns false to drop the connection. */
static bool reply(struct jm_mock_ptd *m, int fd, const char *cmd)
{
    char out[65536];
    out[0] = '\0';
    if (m->cfg.error_on && strncmp(cmd, m->cfg.error_on, strlen(m->cfg.error_on)) == 0) {
        snprintf(out, sizeof out, "Error: mock refuses '%s'\r\n", cmd);
    } else if (strcmp(cmd, "Hello") == 0) {
        snprintf(out, sizeof out, "%s\r\n",
                 m->cfg.garbage_hello ? "#$%@ line noise" : "Hello, PTDaemon here! (mock)");
    } else if (strcmp(cmd, "Identify") == 0) {
        snprintf(out, sizeof out, "Mock WT310,serial=0,version=1.0-mock\r\n");
    } else if (strcmp(cmd, "RR") == 0) {
        snprintf(out, sizeof out, "Ranges,V,15,30,60,150,300,600,A,0.5,1,2,5,10,20\r\n");
    } else if (strncmp(cmd, "SR,", 3) == 0) {
        snprintf(out, sizeof out, "Range changed\r\n");
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
            snprintf(out, sizeof out, "Starting untimed measurement at %ld ms\r\n", iv);
        }
    } else if (strcmp(cmd, "Stop") == 0) {
        m->logging = false;
        snprintf(out, sizeof out, "Stopping untimed measurement\r\n");
    } else if (strcmp(cmd, "Watts") == 0) {
        snprintf(out, sizeof out, "Watts,%.6f\r\n", m->cfg.watts > 0 ? m->cfg.watts : 150.0);
    } else if (strcmp(cmd, "RL") == 0) {
        long due = m->logging ? (long)(elapsed_ms(&m->go_mono) / (double)m->interval_ms) : 0;
        long n = due - m->emitted;
        if (n < 0)
            n = 0;
        if (n > 500)
            n = 500;
        long garbage = m->cfg.garbage_every > 0 ? n / m->cfg.garbage_every : 0;
        size_t used = (size_t)snprintf(out, sizeof out, "Last %ld samples\r\n", n + garbage);
        for (long i = 0; i < n && used < sizeof out - 300; i++) {
            sample_line(m, m->emitted + i + 1, out + used, sizeof out - used);
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
