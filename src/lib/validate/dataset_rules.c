/*
 * dataset_rules.c - the dataset-level rules of `thbx validate` (see
 * dataset_rules.h and docs/validate.md): unique ids across all the inputs
 * of a run, end dates not before their start, dates not in the future, on
 * the fields the profile's x-thbx annotation names. The dataset rules stage
 * (stages.c) calls dataset_rules_check() once per readable record, in input
 * order, after the schemas.
 *
 * The id set is core/id_set.c: compact (about 40 bytes a distinct id with where
 * it was first seen), never the records.
 */
#include "dataset_rules.h"
#include "id_set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dataset_rules {
  char today[11];
  const struct profile_rules *rules; /* borrowed from the profile */
  dataset_issue_t *out;              /* findings of the last check */
  size_t nrules;
  struct id_set ids; /* each distinct id and where it was first seen */
  /* names of the sources ids were first seen in (one per input) */
  char **sources;
  size_t nsources, capsources;
  /* messages of the last check, one buffer per rule */
  thbx_buf_t *msg;
};

int dataset_rules_is_date(const char *s, size_t len) {
  if (len != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  for (size_t i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return 0;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1)
    return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap);
}

int dataset_rules_new(struct dataset_rules **out, const struct profile_rules *rules,
                      const char *today, thbx_error_t *err) {
  *out = NULL;
  char now[11];
  if (!today) {
    /* UTC+14 (Kiribati's Line Islands) is the latest date on Earth */
    time_t t = time(NULL) + 14 * 3600;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(now, sizeof(now), "%Y-%m-%d", &tm) != 10)
      return thbx_error_set(err, THBX_EINVAL, "cannot tell today's date");
    today = now;
  }
  if (!dataset_rules_is_date(today, strlen(today)))
    return thbx_error_set(err, THBX_EINVAL, "'%s' is not a date YYYY-MM-DD", today);
  struct dataset_rules *r = calloc(1, sizeof(*r));
  if (!r)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  memcpy(r->today, today, 11);
  static const struct profile_rules none;
  r->rules = rules ? rules : &none;
  r->nrules = 1 + r->rules->norder + r->rules->nfuture;
  r->out = calloc(r->nrules, sizeof(*r->out));
  r->msg = calloc(r->nrules, sizeof(*r->msg));
  if (!r->out || !r->msg) {
    dataset_rules_free(r);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  *out = r;
  return THBX_OK;
}

void dataset_rules_free(struct dataset_rules *r) {
  if (!r)
    return;
  id_set_free(&r->ids);
  for (size_t i = 0; i < r->nsources; i++)
    free(r->sources[i]);
  free(r->sources);
  for (size_t i = 0; r->msg && i < r->nrules; i++)
    thbx_buf_free(&r->msg[i]);
  free(r->msg);
  free(r->out);
  free(r);
}

const char *dataset_rules_today(const struct dataset_rules *r) { return r->today; }

/* Index of `source` in the list of sources, added when new; (size_t)-1 when
 * out of memory. Sources come one input at a time, so the last is checked
 * first. */
static size_t source_index(struct dataset_rules *r, const char *source) {
  if (!source)
    source = "-";
  if (r->nsources && strcmp(r->sources[r->nsources - 1], source) == 0)
    return r->nsources - 1;
  for (size_t i = 0; i < r->nsources; i++)
    if (strcmp(r->sources[i], source) == 0)
      return i;
  if (r->nsources == r->capsources) {
    size_t cap = r->capsources ? r->capsources * 2 : 8;
    char **s = realloc(r->sources, cap * sizeof(*s));
    if (!s)
      return (size_t)-1;
    r->sources = s;
    r->capsources = cap;
  }
  char *copy = strdup(source);
  if (!copy)
    return (size_t)-1;
  r->sources[r->nsources] = copy;
  return r->nsources++;
}

/* A string at a pointer of the record as (pointer, length), NULL if absent
 * or not a string. */
static const char *member(const json_t *record, const char *pointer, size_t *len) {
  const json_t *v = pointer ? thbx_json_pointer_get(record, pointer) : NULL;
  if (!json_is_string(v))
    return NULL;
  *len = json_string_length(v);
  return json_string_value(v);
}

int dataset_rules_check(struct dataset_rules *r, const json_t *record, const char *source,
                        long line, long column, const dataset_issue_t **out, size_t *count,
                        thbx_error_t *err) {
  *count = 0;
  *out = r->out;
  if (!json_is_object(record))
    return THBX_OK;
  const struct profile_rules *pr = r->rules;
  size_t len = 0, m = 0;
  const char *id = pr->id_field ? member(record, pr->id_field, &len) : NULL;
  if (id && len > 0) {
    size_t src = source_index(r, source);
    struct id_place at = {src, line, column, 0}, first;
    int seen = 0;
    if (src == (size_t)-1 || id_set_add(&r->ids, id, len, &at, &seen, &first) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (seen) {
      thbx_buf_t *b = &r->msg[m];
      thbx_buf_reset(b);
      /* the value (the id) is the issue's own, shown before the message
       * unless the report is redacted: messages name no value */
      if (thbx_buf_puts(b, "is not unique in the dataset") != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      r->out[(*count)++] = (dataset_issue_t){
          pr->id_rule, pr->id_field, b->data, r->sources[first.source], first.line, first.column};
    }
  }
  m++;
  for (size_t i = 0; i < pr->norder; i++, m++) {
    const struct profile_date_rule *d = &pr->order[i];
    size_t slen = 0, elen = 0;
    const char *start = member(record, d->field, &slen);
    const char *end = member(record, d->end, &elen);
    if (!start || !end || !dataset_rules_is_date(start, slen) ||
        !dataset_rules_is_date(end, elen) || memcmp(end, start, 10) >= 0)
      continue;
    thbx_buf_t *b = &r->msg[m];
    thbx_buf_reset(b);
    if (thbx_buf_printf(b, "is before %s", profile_pointer_name(d->field)) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    r->out[(*count)++] = (dataset_issue_t){d->rule, d->end, b->data, NULL, 0, 0};
  }
  for (size_t i = 0; i < pr->nfuture; i++, m++) {
    const struct profile_date_rule *d = &pr->future[i];
    const char *date = member(record, d->field, &len);
    if (!date || !dataset_rules_is_date(date, len) || memcmp(date, r->today, 10) <= 0)
      continue;
    thbx_buf_t *b = &r->msg[m];
    thbx_buf_reset(b);
    if (thbx_buf_printf(b, "is in the future (today is %s)", r->today) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    r->out[(*count)++] = (dataset_issue_t){d->rule, d->field, b->data, NULL, 0, 0};
  }
  return THBX_OK;
}
