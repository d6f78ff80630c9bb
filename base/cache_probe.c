/* cache_probe.c - the one hwloc probe of the cache hierarchy (sizes, line,
 * associativity, instances, cores sharing each cache) and of the core counts,
 * loaded once per process (pthread_once). The GEMM blocking model (kernels/)
 * and the system description (harness/sysinfo.c) both read it from here. */
#include <hwloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

static jm_cache_hierarchy g_host;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void read_level(hwloc_topology_t topo, hwloc_obj_type_t type, jm_cache_level *out) {
    const int n = hwloc_get_nbobjs_by_type(topo, type);
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    if (n <= 0 || !o || !o->attr)
        return;
    out->size = (size_t)o->attr->cache.size;
    out->line = o->attr->cache.linesize;
    out->assoc = o->attr->cache.associativity;
    out->instances = n;
    const int cores =
        o->cpuset ? hwloc_get_nbobjs_inside_cpuset_by_type(topo, o->cpuset, HWLOC_OBJ_CORE) : 0;
    out->sharing_cores = cores > 0 ? cores : 1;
}

static void probe(void) {
    memset(&g_host, 0, sizeof(g_host));
    snprintf(g_host.name, sizeof(g_host.name), "host");
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) {
        snprintf(g_host.reason, sizeof(g_host.reason), "hwloc could not initialise a topology");
        return;
    }
    if (hwloc_topology_load(topo) != 0) {
        snprintf(g_host.reason, sizeof(g_host.reason), "hwloc could not load the topology");
        hwloc_topology_destroy(topo);
        return;
    }
    read_level(topo, HWLOC_OBJ_L1CACHE, &g_host.l1d);
    read_level(topo, HWLOC_OBJ_L1ICACHE, &g_host.l1i);
    read_level(topo, HWLOC_OBJ_L2CACHE, &g_host.l2);
    read_level(topo, HWLOC_OBJ_L3CACHE, &g_host.l3);
    g_host.cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    g_host.pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    g_host.packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    g_host.loaded = true;
    hwloc_topology_destroy(topo);
}

void jm_cache_probe(jm_cache_hierarchy *out) {
    pthread_once(&g_once, probe);
    *out = g_host;
}
