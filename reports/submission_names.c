/* submission_names.c - the fixed vocabulary of the MLPerf submission tree:
 * folder-name validation, the required keys of the systems and measurements
 * JSON files (checker v5.1) and which of them must be non-empty, the valid
 * system types, and the MLPerf model each workload kind maps to in
 * open/<submitter>/model_mapping.json. */
#include <stdio.h>
#include <string.h>

#include "submission_internal.h"

int jm_submission_name_check(const char *what, const char *name, char *err, size_t err_len)
{
    if (!name || !*name) {
        snprintf(err, err_len, "%s is empty: expected letters, digits, '-', '_' or '.'", what);
        return JM_R_EINVAL;
    }
    size_t n = strlen(name);
    if (n > 64) {
        snprintf(err, err_len, "%s \"%.64s...\" is %zu characters long: at most 64 allowed", what,
                 name, n);
        return JM_R_EINVAL;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strstr(name, "..")) {
        snprintf(err, err_len, "%s \"%s\" contains \"..\": not allowed in a folder name", what,
                 name);
        return JM_R_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) {
            if (c < 0x20 || c == 0x7f)
                snprintf(err, err_len,
                         "%s contains the control character 0x%02x at position %zu: only "
                         "letters, digits, '-', '_' and '.' are allowed",
                         what, c, i + 1);
            else
                snprintf(err, err_len,
                         "%s \"%s\" contains '%c' at position %zu: only letters, digits, '-', "
                         "'_' and '.' are allowed",
                         what, name, c, i + 1);
            return JM_R_EINVAL;
        }
    }
    return JM_R_OK;
}

const char *const jm_submission_system_keys[] = {
    "division", "submitter", "status", "system_name", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "host_memory_capacity", "host_storage_capacity", "host_storage_type",
    "accelerators_per_node", "accelerator_model_name", "accelerator_memory_capacity",
    "framework", "operating_system", "system_type", "other_software_stack",
    "host_processor_frequency", "host_processor_caches", "host_memory_configuration",
    "host_processor_interconnect", "host_networking", "host_networking_topology",
    "accelerator_frequency", "accelerator_host_interconnect", "accelerator_interconnect",
    "accelerator_interconnect_topology", "accelerator_memory_configuration",
    "accelerator_on-chip_memories", "cooling", "hw_notes", "sw_notes",
    "host_network_card_count", "system_type_detail", NULL};

const char *const jm_submission_measurement_keys[] = {
    "input_data_types", "retraining", "starting_weights_filename", "weight_data_types",
    "weight_transformations", NULL};

/* the system keys MLCommons' checker v5.1 wants non-empty
 * (SYSTEM_DESC_MEANINGFUL_RESPONSE_REQUIRED_FIELDS) */
const char *const jm__sub_meaningful_system_keys[] = {
    "division", "submitter", "system_type", "status", "system_name", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "host_memory_capacity", "host_memory_configuration", "host_storage_capacity",
    "host_storage_type", "host_networking", "host_network_card_count",
    "host_networking_topology", "accelerators_per_node", "accelerator_model_name",
    "accelerator_memory_capacity", "accelerator_host_interconnect",
    "accelerator_memory_configuration", "accelerator_interconnect", "cooling", "framework",
    "operating_system", "other_software_stack", NULL};

bool jm__sub_json_empty(const cJSON *v)
{
    /* Python's `not value` on the parsed JSON, as the checker tests it */
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return true;
    if (cJSON_IsString(v))
        return !v->valuestring || v->valuestring[0] == '\0';
    if (cJSON_IsNumber(v))
        return v->valuedouble == 0.0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        return v->child == NULL;
    return false;
}

bool jm__sub_valid_system_type(const char *t)
{
    return t && (strcmp(t, "datacenter") == 0 || strcmp(t, "edge") == 0 ||
                 strcmp(t, "datacenter,edge") == 0 || strcmp(t, "edge,datacenter") == 0);
}

const char *jm_submission_model_for_kind(const char *kind)
{
    if (!kind)
        return NULL;
    if (strcmp(kind, "moe") == 0)
        return "mixtral-8x7b";
    if (strcmp(kind, "dense") == 0)
        return "llama2-70b-99";
    return NULL;
}
