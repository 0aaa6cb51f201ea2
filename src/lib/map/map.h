/*
 * map.h - the compiled form of a mapping (internal): rows, sources,
 * crosswalks, value syntax and transforms. Compiled once by map_compile.c,
 * then read-only: map_apply.c (forward) and map_reverse.c run on worker
 * threads over it. See docs/mapping.md for the columns.
 */
#ifndef THBX_MAP_H
#define THBX_MAP_H

#include "internal.h"
#include "profile.h"

#include <libxml/xpath.h>

/* ---------------------------------------------------------- CSV tables */

/* A small CSV file read whole (mappings, crosswalks): rows of cells, each
 * row with the line it starts on. Cells are NUL-terminated copies. */
struct map_table {
  char *path;
  char ***rows;
  size_t *ncells;
  long *lines;
  size_t nrows;
};

/* Read `path` as RFC 4180 CSV with `delim`. THBX_EIO / THBX_ESCHEMA (err
 * names the file and line). */
int map_table_read(struct map_table *t, const char *path, const char *text, size_t len, char delim,
                   thbx_error_t *err);
void map_table_free(struct map_table *t);
/* Index of the header cell named `name` (case-insensitive), -1 if none. */
int map_table_column(const struct map_table *t, const char *name);
/* Cell `col` of row `i`, "" if the row is short or col < 0. */
const char *map_table_cell(const struct map_table *t, size_t i, int col);

/* ----------------------------------------------------------- crosswalks */

enum map_rel {
  REL_EQUIVALENT = 0,
  REL_NARROWER, /* source-is-narrower-than-target: many to one */
  REL_BROADER,  /* source-is-broader-than-target */
  REL_RELATED,  /* related-to */
  REL_NOT_RELATED
};

struct cw_row {
  char *src, *tgt;
  enum map_rel rel;
  int preferred; /* the reverse takes this row for its target code */
  long line;
  int is_range; /* src is LO..HI (numbers, either side may be open) */
  int lo_set, hi_set;
  double lo, hi;
};

enum map_unmapped { UNMAPPED_ERROR = 0, UNMAPPED_KEEP, UNMAPPED_FIXED };

struct crosswalk {
  char *name; /* as the mapping names it */
  char *path; /* the file read, or "crosswalks/NAME.csv" if shipped */
  struct cw_row *rows;
  size_t nrows;
  json_t *fwd; /* source code -> row index (first row wins) */
  json_t *rev; /* target code -> row index of the reverse (equivalent/preferred) */
  int has_ranges;
  enum map_unmapped policy; /* a "*" row: fixed */
  char *fixed;
  long policy_line;
};

/* ------------------------------------------------------------- mapping */

enum src_kind { SRC_COL = 1, SRC_PTR, SRC_XPATH };

struct map_source {
  enum src_kind kind;
  char *text;   /* as written, without the prefix: "Pol|Spol", "/a/b", "@sex" */
  char **names; /* SRC_COL: the spellings */
  size_t nnames;
  xmlXPathCompExprPtr xpath; /* SRC_XPATH */
};

enum map_op {
  OP_TRIM = 1,
  OP_UPPER,
  OP_LOWER,
  OP_PREFIX,
  OP_SUFFIX,
  OP_CONCAT,
  OP_YEAR,
  OP_MONTH,
  OP_FLAGS,
  OP_PSEUDONYMISE
};

struct map_step {
  enum map_op op;
  char *arg;
};

struct map_row {
  long line;
  char *target;                  /* "person.sex" */
  const struct thbx_shape *leaf; /* its shape */
  unsigned types;                /* SHAPE_* of the value (an array's items) */
  int is_array;
  int is_date, is_datetime; /* format date / date-time */
  const json_t *codes;      /* the profile's enum for the value, or NULL */
  json_t *code_set;         /* the same as an object (code -> true), for lookups */
  json_t *def_value;        /* the default as a value, compiled once (copied per record) */
  struct map_source *srcs;
  size_t nsrcs;
  char *pattern; /* strptime pattern, NULL: ISO */
  char decimal;  /* decimal char, default '.' */
  char **trues, **falses, **missing;
  size_t ntrues, nfalses, nmissing;
  char *separator; /* list separator of array targets, NULL: none */
  struct crosswalk *cw;
  char *def; /* default for absent or missing values */
  struct map_step *steps;
  size_t nsteps;
  enum map_unmapped unmapped;
  char *fixed;
  int unmapped_set;
  int ledger_only; /* reverse: another row writes the same source back */
};

struct thbx_mapping {
  char *path;
  char *dir; /* directory of the mapping, for relative crosswalks */
  const struct thbx_profile *profile;
  thbx_mapping_options_t opt;
  thbx_format format; /* @format */
  char delimiter;     /* @delimiter */
  char *record_element, *records_pointer, *root_element;
  char *columns; /* reverse: national columns "a,b,c" */
  struct map_row *rows;
  size_t nrows;
  size_t *order; /* rows in output order (the profile's leaf order) */
  struct crosswalk **cws;
  size_t ncws;
  thbx_pseudonymiser_t *pz; /* the pseudonymise transform's key (--key-file) */
  int has_key;
  int has_xpath;
};

/* map_crosswalk.c */
int map_crosswalk_load(struct crosswalk **out, const char *name, const char *dir,
                       thbx_error_t *err);
void map_crosswalk_free(struct crosswalk *cw);
/* The row mapping `code` forward, or NULL (ranges: `code` read as a number
 * with decimal char `dec`). */
const struct cw_row *map_crosswalk_find(const struct crosswalk *cw, const char *code, char dec);
/* The row the reverse takes for target `code`, or NULL. */
const struct cw_row *map_crosswalk_back(const struct crosswalk *cw, const char *code);
const char *map_rel_name(enum map_rel rel);

/* map_value.c: value syntax */
/* Parse `s` with the strptime pattern (NULL: ISO YYYY-MM-DD). 0 and y/m/d
 * set, -1 if it does not fit or is no real date. */
int map_date_parse(const char *pattern, const char *s, int *y, int *m, int *d);
/* Is `pattern` a usable strptime date pattern (it must name the year, the
 * month and the day, or be used with year/month)? NULL or why not. */
const char *map_date_pattern_check(const char *pattern);
/* Format y-m-d with a strftime pattern into out. */
int map_date_format(const char *pattern, int y, int m, int d, thbx_buf_t *out);
/* A number with decimal char `dec`: 0 and *v, -1 if not a number. */
int map_number_parse(const char *s, char dec, double *v);
int map_token_in(char *const *tokens, size_t n, const char *s);

/* Set `v` (stolen) at the dotted `path` of object `root`, creating objects. */
int map_set_path(json_t *root, const char *path, json_t *v);
/* The object member `name` of obj, made (an empty object) when absent;
 * NULL if it is not an object or out of memory. Borrowed. */
json_t *map_child_object(json_t *obj, const char *name);
/* The value at dotted `path` of `root`, NULL if absent (borrowed). */
json_t *map_get_path(const json_t *root, const char *path);

/* map_compile.c: the code list of a profile leaf (its enum), NULL if none */
const json_t *map_schema_codes(const struct thbx_profile *profile, const char *path);

/* map_apply.c: the regional value of text `s` for row r (after the crosswalk),
 * NULL and *why if it is not one */
json_t *map_typed(const struct map_row *r, const char *s, const char **why);
/* map_apply.c: forward, with a trace stream or none */
int map_forward(const struct thbx_mapping *m, thbx_item_t *item, FILE *trace, thbx_error_t *err);

/* map_reverse.c */
int map_reverse_apply(const struct thbx_mapping *m, thbx_item_t *item, thbx_error_t *err);
int map_issue(thbx_item_t *item, const struct thbx_mapping *m, const struct map_row *row, long line,
              long column, const char *value, const char *fmt, ...) THBX_PRINTF(7, 8);
void map_trace(const struct thbx_mapping *m, const thbx_item_t *item, const struct map_row *row,
               const char *from, const struct cw_row *cwr, const struct crosswalk *cw);

#endif
