/*
 * cli_map.c - national formats in convert and validate: the options, the
 * mapping and XSLT stages they set up, and how record issues are printed.
 */
#define _GNU_SOURCE
#include "cli_map.h"

#include <stdlib.h>
#include <string.h>

const char cli_map_help[] =
    "  -m, --mapping MAP.csv    map a national format onto the profile first (see\n"
    "                           docs/mapping.md); with --reverse, the profile onto it\n"
    "      --reverse            read profile records, write the national format\n"
    "      --trace FILE.ndjson  where each output value came from (never the value)\n"
    "      --xslt FILE.xsl      XSLT 1.0 applied to each XML input record (repeatable)\n"
    "      --param NAME=VALUE   a string parameter of the stylesheets (repeatable)\n"
    "      --xslt-out FILE.xsl  XSLT applied to each XML output record\n"
    "      --key-file KEY       key of the mapping's pseudonymise transform\n";

int cli_map_option(const char *command, int option, const char *arg, struct cli_map *m) {
  switch (option) {
  case 'm': m->mapping = arg; return 0;
  case CLI_OPT_REVERSE: m->reverse = 1; return 0;
  case CLI_OPT_TRACE: m->trace_path = arg; return 0;
  case CLI_OPT_KEY_FILE: m->key_file = arg; return 0;
  case CLI_OPT_XSLT_OUT: m->xslt_out = arg; return 0;
  case CLI_OPT_XSLT:
    if (m->nxslt == sizeof(m->xslt) / sizeof(m->xslt[0]))
      return cli_usage_error(command, "at most 16 --xslt stylesheets");
    m->xslt[m->nxslt++] = arg;
    return 0;
  case CLI_OPT_PARAM: {
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
      return cli_usage_error(command, "--param wants NAME=VALUE, not '%s'", arg);
    if (m->nparams + 2 >= sizeof(m->params) / sizeof(m->params[0]))
      return cli_usage_error(command, "at most 16 --param");
    m->params[m->nparams++] = strndup(arg, (size_t)(eq - arg));
    m->params[m->nparams++] = eq + 1;
    m->params[m->nparams] = NULL;
    return 0;
  }
  default: return 1;
  }
}

int cli_map_active(const struct cli_map *m) { return m->map || m->nxslt || m->out_xslt; }

int cli_map_setup(struct cli_map *m, const thbx_profile_t *profile) {
  thbx_error_t err;
  thbx_error_clear(&err);
  if ((m->reverse || m->trace_path || m->key_file) && !m->mapping) {
    cli_error("--reverse, --trace and --key-file need a mapping (-m MAP.csv)");
    return EXIT_USAGE;
  }
  if (m->trace_path) {
    if (cli_output_open(&m->trace, m->trace_path) != 0)
      return EXIT_USAGE;
    m->trace_open = 1;
  }
  for (size_t i = 0; i < m->nxslt; i++)
    if (thbx_xslt_load(&m->xslts[i], m->xslt[i], NULL, 0, m->params, &err) != THBX_OK) {
      cli_report(&err);
      return EXIT_USAGE;
    }
  if (m->xslt_out &&
      thbx_xslt_load(&m->out_xslt, m->xslt_out, NULL, 0, m->params, &err) != THBX_OK) {
    cli_report(&err);
    return EXIT_USAGE;
  }
  if (m->mapping) {
    if (!profile) {
      cli_error("a mapping maps onto a profile: --profile none cannot be used with -m");
      return EXIT_USAGE;
    }
    thbx_mapping_options_t mo;
    thbx_mapping_options_default(&mo);
    mo.reverse = m->reverse;
    mo.key_file = m->key_file;
    mo.trace = m->trace_open ? m->trace.fp : NULL;
    if (thbx_mapping_load(&m->map, m->mapping, profile, &mo, &err) != THBX_OK) {
      cli_report(&err);
      return EXIT_USAGE;
    }
  }
  if (m->nxslt && thbx_xslt_stage_new(&m->xstage, m->xslts, m->nxslt, m->map ? NULL : profile,
                                      &err) != THBX_OK) {
    cli_report(&err);
    return EXIT_USAGE;
  }
  return 0;
}

void cli_map_reader(const struct cli_map *m, thbx_reader_options_t *ro) {
  if (m->map && !m->reverse)
    thbx_mapping_reader_options(m->map, ro);
  else if (m->nxslt && m->map == NULL)
    ro->profile = NULL; /* the stylesheet's input is not the profile's XML */
  if (m->nxslt)
    ro->format = THBX_FORMAT_XML;
}

int cli_map_check_input(const struct cli_map *m, const char *path,
                        const thbx_reader_options_t *ro) {
  if (!m->map || m->reverse || !path || ro->format != THBX_FORMAT_CSV)
    return 0;
  /* OpenRefine's lesson: check the columns before the first record */
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return 0; /* the reader says why */
  char line[65536];
  size_t n = fread(line, 1, sizeof(line) - 1, fp);
  fclose(fp);
  line[n] = '\0';
  char *nl = strpbrk(line, "\r\n");
  if (nl)
    *nl = '\0';
  int bad = 0;
  json_t *f = NULL;
  thbx_error_t err;
  /* thbx_mapping_check with a one-record sample does the header check */
  FILE *mem = fmemopen(line, strlen(line), "r");
  if (!mem)
    return 0;
  (void)f;
  char *buf = NULL;
  size_t len = 0;
  FILE *one = open_memstream(&buf, &len);
  fprintf(one, "%s\n", line);
  /* a data row of empty cells, so that the reader gives one record */
  char d = ro->delimiter ? ro->delimiter : ',';
  for (char *p = line; *p; p++)
    if (*p == d)
      fputc(d, one);
  fputc('\n', one);
  fclose(one);
  fclose(mem);
  FILE *in = fmemopen(buf, len, "r");
  json_t *findings = NULL;
  if (in && thbx_mapping_check(m->map, in, path, &findings, &err) == THBX_OK) {
    size_t i;
    json_t *e;
    json_array_foreach(findings, i, e) {
      const char *msg = json_string_value(json_object_get(e, "message"));
      if (strcmp(json_string_value(json_object_get(e, "level")), "error") == 0 &&
          strstr(msg, "is not in the header")) {
        fprintf(stderr, "%s:%lld: error: %s\n", json_string_value(json_object_get(e, "file")),
                (long long)json_integer_value(json_object_get(e, "line")), msg);
        bad = 1;
      }
    }
  }
  json_decref(findings);
  if (in)
    fclose(in);
  free(buf);
  return bad ? EXIT_USAGE : 0;
}

int cli_map_add_stages(struct cli_map *m, thbx_pipeline_t *p) {
  thbx_error_t err;
  thbx_error_clear(&err);
  if (m->xstage) {
    thbx_xslt_stage_t *st = m->xstage;
    m->xstage = NULL; /* the pipeline owns it now */
    if (thbx_pipeline_add_stage(p, thbx_xslt_stage_ops(), st, &err) != THBX_OK) {
      cli_report(&err);
      return EXIT_USAGE;
    }
  }
  if (m->map &&
      thbx_pipeline_add_stage(p, thbx_mapping_stage_ops(m->map), m->map, &err) != THBX_OK) {
    cli_report(&err);
    return EXIT_USAGE;
  }
  return 0;
}

int cli_map_finish(struct cli_map *m, int ok) {
  if (!m->trace_open)
    return 0;
  m->trace_open = 0;
  if (ok)
    return cli_output_commit(&m->trace);
  cli_output_abort(&m->trace);
  return 0;
}

void cli_map_free(struct cli_map *m) {
  cli_map_finish(m, 0);
  thbx_mapping_free(m->map);
  for (size_t i = 0; i < m->nxslt; i++)
    thbx_xslt_free(m->xslts[i]);
  thbx_xslt_free(m->out_xslt);
  if (m->xstage)
    thbx_xslt_stage_ops()->free(m->xstage);
  for (size_t i = 0; i < m->nparams; i += 2)
    free((char *)m->params[i]);
}
