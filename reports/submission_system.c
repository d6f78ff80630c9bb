/* submission_system.c - builds systems/<system>.json: every key MLPerf's
 * checker requires, taken from the system description joulemark recorded in
 * results.json (CPU, caches, memory, OS, build) or from facts of joulemark
 * itself (one node, CPU kernels only, so no accelerator), and the rest from
 * the user's file. A key neither can give is an error naming the key and the
 * file to add it to: nothing is invented. User values override ours. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "submission_internal.h"

static const cJSON *get_path(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static void put(cJSON *sys, const char *key, const char *value)
{
    if (value && *value && !cJSON_GetObjectItemCaseSensitive(sys, key))
        cJSON_AddStringToObject(sys, key, value);
}

static void human_bytes(double bytes, char *buf, size_t len)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (bytes >= 1024 && i < 4) {
        bytes /= 1024;
        i++;
    }
    snprintf(buf, len, "%.*f %s", bytes == floor(bytes) ? 0 : 1, bytes, unit[i]);
}

static void from_description(cJSON *sys, const cJSON *d, const char *version)
{
    char buf[1024];
    const cJSON *v;
    if (cJSON_IsString(v = get_path(d, "cpu_model", NULL)))
        put(sys, "host_processor_model_name", v->valuestring);
    const cJSON *packages = get_path(d, "topology", "packages");
    const cJSON *cores = get_path(d, "topology", "cores");
    if (cJSON_IsNumber(packages) && packages->valuedouble >= 1) {
        snprintf(buf, sizeof(buf), "%d", packages->valueint);
        put(sys, "host_processors_per_node", buf);
        if (cJSON_IsNumber(cores)) {
            snprintf(buf, sizeof(buf), "%d", cores->valueint / packages->valueint);
            put(sys, "host_processor_core_count", buf);
        }
    }
    if (cJSON_IsNumber(v = get_path(d, "memory_bytes", NULL))) {
        human_bytes(v->valuedouble, buf, sizeof(buf));
        put(sys, "host_memory_capacity", buf);
    }
    const cJSON *os = get_path(d, "operating_system", NULL);
    const cJSON *kernel = get_path(d, "kernel", NULL);
    if (cJSON_IsString(os)) {
        snprintf(buf, sizeof(buf), "%s%s%s", os->valuestring,
                 cJSON_IsString(kernel) ? ", Linux " : "",
                 cJSON_IsString(kernel) ? kernel->valuestring : "");
        put(sys, "operating_system", buf);
    }
    if (cJSON_IsNumber(v = get_path(d, "cpu_mhz", NULL)) && v->valuedouble > 0) {
        snprintf(buf, sizeof(buf), "%.0f MHz (as reported by the OS during the run)",
                 v->valuedouble);
        put(sys, "host_processor_frequency", buf);
    }
    const cJSON *caches = get_path(d, "topology", "caches");
    if (cJSON_IsArray(caches) && cJSON_GetArraySize(caches) > 0) {
        buf[0] = '\0';
        const cJSON *c;
        cJSON_ArrayForEach(c, caches)
        {
            const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(c, "level");
            const cJSON *size = cJSON_GetObjectItemCaseSensitive(c, "size_bytes");
            const cJSON *inst = cJSON_GetObjectItemCaseSensitive(c, "instances");
            if (!cJSON_IsString(lvl) || !cJSON_IsNumber(size))
                continue;
            char sz[32];
            human_bytes(size->valuedouble, sz, sizeof(sz));
            size_t used = strlen(buf);
            snprintf(buf + used, sizeof(buf) - used, "%s%s: %s x %d", used ? ", " : "",
                     lvl->valuestring, sz, cJSON_IsNumber(inst) ? inst->valueint : 1);
        }
        put(sys, "host_processor_caches", buf);
    }
    snprintf(buf, sizeof(buf), "joulemark %s", version && *version ? version : "unknown");
    put(sys, "framework", buf);
    const cJSON *build = get_path(d, "build", NULL);
    if (cJSON_IsObject(build)) {
        const cJSON *cc = get_path(build, "compiler", NULL);
        const cJSON *kern = get_path(build, "gemm_kernel", NULL);
        snprintf(buf, sizeof(buf), "joulemark %s; compiler %s; OpenMP; GEMM kernel %s",
                 version && *version ? version : "unknown",
                 cJSON_IsString(cc) ? cc->valuestring : "unknown",
                 cJSON_IsString(kern) ? kern->valuestring : "unknown");
        put(sys, "other_software_stack", buf);
    }
    const cJSON *virt = get_path(d, "virtualization", NULL);
    if (cJSON_IsTrue(get_path(virt, "virtual_machine", NULL))) {
        const cJSON *hv = get_path(virt, "hypervisor", NULL);
        snprintf(buf, sizeof(buf), "virtual machine (%s)",
                 cJSON_IsString(hv) ? hv->valuestring : "hypervisor unknown");
        put(sys, "hw_notes", buf);
    }
}

/* facts of joulemark: it runs on one node and its kernels use the CPU only */
static void joulemark_facts(cJSON *sys, const cJSON *results)
{
    put(sys, "number_of_nodes", "1");
    put(sys, "accelerators_per_node", "0");
    static const char *const no_acc[] = {
        "accelerator_model_name", "accelerator_memory_capacity", "accelerator_frequency",
        "accelerator_host_interconnect", "accelerator_interconnect",
        "accelerator_interconnect_topology", "accelerator_memory_configuration",
        "accelerator_on-chip_memories"};
    for (size_t i = 0; i < sizeof(no_acc) / sizeof(*no_acc); i++)
        put(sys, no_acc[i], "N/A");
    char notes[1024];
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(results, "run_rules");
    bool estimated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(results, "estimated"));
    snprintf(notes, sizeof(notes),
             "CPU-only fp32 kernels (no accelerator used); run rules %s; energy %s by "
             "joulemark's meters, not by an MLCommons PTDaemon power analyzer",
             cJSON_IsString(rules) ? rules->valuestring : "unknown",
             estimated ? "ESTIMATED (model, no hardware meter)" : "measured");
    put(sys, "sw_notes", notes);
}

cJSON *jm__sub_system_json(const cJSON *results, const cJSON *user, const char *user_file,
                           const char *submitter, const char *system, char *err,
                           size_t err_len)
{
    cJSON *sys = cJSON_CreateObject();
    if (!sys) {
        snprintf(err, err_len, "system JSON: out of memory");
        return NULL;
    }
    cJSON_AddStringToObject(sys, "division", "open");
    cJSON_AddStringToObject(sys, "submitter", submitter);
    /* the user's values first: they override everything but the names */
    const cJSON *item;
    cJSON_ArrayForEach(item, user)
    {
        if (!item->string || strcmp(item->string, "division") == 0 ||
            strcmp(item->string, "submitter") == 0)
            continue;
        cJSON_AddItemToObject(sys, item->string, cJSON_Duplicate(item, true));
    }
    put(sys, "system_name", system);
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(results, "joulemark_version");
    from_description(sys, cJSON_GetObjectItemCaseSensitive(results, "system"),
                     cJSON_IsString(ver) ? ver->valuestring : NULL);
    joulemark_facts(sys, results);
    for (const char *const *key = jm_submission_system_keys; *key; key++) {
        if (!cJSON_GetObjectItemCaseSensitive(sys, *key)) {
            snprintf(err, err_len,
                     "systems/%s.json: required key \"%s\" is not in the system description; "
                     "add it to %s",
                     system, *key,
                     user_file ? user_file : "a user file given with --system-file USER.json");
            cJSON_Delete(sys);
            return NULL;
        }
    }
    for (const char *const *key = jm__sub_meaningful_system_keys; *key; key++) {
        if (jm__sub_json_empty(cJSON_GetObjectItemCaseSensitive(sys, *key))) {
            snprintf(err, err_len,
                     "systems/%s.json: key \"%s\" is empty; MLCommons' checker requires a "
                     "meaningful value: set it in %s",
                     system, *key,
                     user_file ? user_file : "a user file given with --system-file USER.json");
            cJSON_Delete(sys);
            return NULL;
        }
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(sys, "status");
    if (!cJSON_IsString(status) || (strcmp(status->valuestring, "available") != 0 &&
                                    strcmp(status->valuestring, "preview") != 0 &&
                                    strcmp(status->valuestring, "rdi") != 0)) {
        snprintf(err, err_len, "%s: \"status\" must be \"available\", \"preview\" or \"rdi\"",
                 user_file ? user_file : "system file");
        cJSON_Delete(sys);
        return NULL;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(sys, "system_type");
    if (!cJSON_IsString(type) || !jm__sub_valid_system_type(type->valuestring)) {
        snprintf(err, err_len,
                 "%s: \"system_type\" must be \"datacenter\", \"edge\", \"datacenter,edge\" "
                 "or \"edge,datacenter\"",
                 user_file ? user_file : "system file");
        cJSON_Delete(sys);
        return NULL;
    }
    return sys;
}
