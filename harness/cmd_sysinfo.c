/* cmd_sysinfo.c - `joulemark sysinfo [--json]`: the system description that
 * every result carries, as text or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static void print_text(const cJSON *sys)
{
    const cJSON *v;
#define STR(key, label)                                                                        \
    if ((v = cJSON_GetObjectItem(sys, key)) && cJSON_IsString(v))                              \
        printf("%-18s %s\n", label, v->valuestring);
    STR("cpu_model", "cpu:");
    STR("operating_system", "os:");
    STR("kernel", "kernel:");
#undef STR
    const cJSON *topo = cJSON_GetObjectItem(sys, "topology");
    if (cJSON_IsObject(topo)) {
        printf("%-18s %d package(s), %d core(s), %d hardware thread(s), %d NUMA node(s)\n",
               "topology:", cJSON_GetObjectItem(topo, "packages")->valueint,
               cJSON_GetObjectItem(topo, "cores")->valueint,
               cJSON_GetObjectItem(topo, "pus")->valueint,
               cJSON_GetObjectItem(topo, "numa_nodes")->valueint);
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(topo, "caches"))
        {
            printf("%-18s %.0f KiB x %d\n", cJSON_GetObjectItem(c, "level")->valuestring,
                   cJSON_GetObjectItem(c, "size_bytes")->valuedouble / 1024.0,
                   cJSON_GetObjectItem(c, "instances")->valueint);
        }
    }
    if ((v = cJSON_GetObjectItem(sys, "memory_bytes")) && cJSON_IsNumber(v))
        printf("%-18s %.1f GiB\n", "memory:", v->valuedouble / (1024.0 * 1024.0 * 1024.0));
    const cJSON *isa = cJSON_GetObjectItem(sys, "isa");
    printf("%-18s", "isa:");
    cJSON_ArrayForEach(v, isa) printf(" %s", v->valuestring);
    printf("\n");
    const cJSON *virt = cJSON_GetObjectItem(sys, "virtualization");
    if (cJSON_IsObject(virt)) {
        bool vm = cJSON_IsTrue(cJSON_GetObjectItem(virt, "virtual_machine"));
        const cJSON *h = cJSON_GetObjectItem(virt, "hypervisor");
        printf("%-18s %s%s%s\n", "virtual machine:", vm ? "yes" : "no",
               cJSON_IsString(h) ? ", hypervisor " : "", cJSON_IsString(h) ? h->valuestring : "");
    }
    const cJSON *build = cJSON_GetObjectItem(sys, "build");
    if (cJSON_IsObject(build)) {
        printf("%-18s %s\n", "gemm kernel:", cJSON_GetObjectItem(build, "gemm_kernel")->valuestring);
        printf("%-18s %s\n", "openblas backend:",
               cJSON_IsTrue(cJSON_GetObjectItem(build, "openblas_backend")) ? "built in"
                                                                           : "not built");
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(sys, "gpus"))
    {
        printf("%-18s %d: %s, %.1f GiB, SM %d MHz, memory %d MHz, power limit %.0f W (NVML)\n",
               "gpu:", cJSON_GetObjectItem(g, "index")->valueint,
               cJSON_GetObjectItem(g, "name")->valuestring,
               cJSON_GetObjectItem(g, "memory_bytes")->valuedouble / (1024.0 * 1024.0 * 1024.0),
               cJSON_GetObjectItem(g, "sm_clock_max_mhz")->valueint,
               cJSON_GetObjectItem(g, "mem_clock_max_mhz")->valueint,
               cJSON_GetObjectItem(g, "power_limit_w")->valuedouble);
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItem(sys, "gpus")) == 0 &&
        (v = cJSON_GetObjectItem(sys, "gpus_reason")) && cJSON_IsString(v))
        printf("%-18s none listed: %s\n", "gpu:", v->valuestring);
    const cJSON *cuda = cJSON_GetObjectItem(sys, "cuda_backend");
    if (cJSON_IsObject(cuda))
        printf("%-18s %s\n", "cuda backend:",
               cJSON_GetObjectItem(cuda, "reason")->valuestring);
}

int jm_cmd_sysinfo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'h':
            printf("usage: joulemark sysinfo [--json]\n\n"
                   "Describes this machine as recorded in results.json: CPU, topology and\n"
                   "caches (hwloc), memory, OS, virtualisation, build.\n");
            return JM_EXIT_OK;
        default:
            fprintf(stderr, "usage: joulemark sysinfo [--json]\n");
            return JM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulemark sysinfo: unexpected argument '%s'\n", argv[optind]);
        return JM_EXIT_USAGE;
    }
    cJSON *sys = jm_system_describe();
    if (json) {
        char *text = cJSON_Print(sys);
        printf("%s\n", text);
        free(text);
    } else {
        print_text(sys);
    }
    cJSON_Delete(sys);
    return JM_EXIT_OK;
}
