/*
 * map_check.c - `thbx map check` (lint a mapping, optionally against a
 * sample export) and `thbx map init` (draft a mapping from a sample). Both
 * read the sample with the ordinary readers and, for check, run the real
 * mapping stage over it, so that what check says is what convert will do.
 */
#include "map.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void finding(json_t *a, const char *level, const char *file, long line, const char *fmt, ...)
    THBX_PRINTF(5, 6);
static void finding(json_t *a, const char *level, const char *file, long line, const char *fmt,
                    ...) {
  char text[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:s}", "level", level, "file", file, "line",
                                     (json_int_t)line, "message", text));
}

/* Is every object on the way to `path` and the leaf itself required? */
static int required_chain(const json_t *schema, const char *path) {
  const json_t *n = schema;
  char seg[128];
  const char *p = path;
  while (*p) {
    size_t k = strcspn(p, ".");
    if (k >= sizeof(seg))
      return 0;
    memcpy(seg, p, k);
    seg[k] = '\0';
    int req = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(n, "required"), i, r) req |=
        json_is_string(r) && strcmp(json_string_value(r), seg) == 0;
    if (!req)
      return 0;
    n = json_object_get(json_object_get(n, "properties"), seg);
    if (!n)
      return 0;
    p += k + (p[k] == '.');
  }
  return 1;
}

static void free_item_issues(thbx_item_t *it) {
  for (size_t i = 0; i < it->nissues; i++) {
    thbx_item_issue_t *x = &it->issues[i];
    free(x->rule);
    free(x->instance_path);
    free(x->schema_path);
    free(x->message);
    free(x->value);
    free(x->related_source);
  }
  free(it->issues);
  it->issues = NULL;
  it->nissues = it->capissues = 0;
}

/* The header cells of a CSV header line (simple: quotes stripped). */
static int header_has(const char *h, size_t len, char delim, const char *name) {
  size_t n = strlen(name);
  const char *p = h, *end = h + len;
  while (p < end) {
    const char *q = memchr(p, delim, (size_t)(end - p));
    if (!q)
      q = end;
    const char *a = p, *b = q;
    while (b > a && (b[-1] == '\n' || b[-1] == '\r'))
      b--;
    if (b - a >= 2 && *a == '"' && b[-1] == '"') {
      a++;
      b--;
    }
    if (a + 3 <= b && memcmp(a, "\xEF\xBB\xBF", 3) == 0)
      a += 3;
    if ((size_t)(b - a) == n && memcmp(a, name, n) == 0)
      return 1;
    p = q + 1;
  }
  return 0;
}

/* Every column source is in the CSV header (1: checked). */
static int check_header(const struct thbx_mapping *m, thbx_reader_t *r,
                        const thbx_reader_options_t *ro, const char *name, json_t *out) {
  if (thbx_reader_format(r) != THBX_FORMAT_CSV)
    return 1;
  size_t hl = 0;
  const char *h = thbx_reader_header(r, &hl);
  if (!h)
    return 0;
  for (size_t i = 0; i < m->nrows; i++)
    for (size_t k = 0; k < m->rows[i].nsrcs; k++) {
      const struct map_source *s = &m->rows[i].srcs[k];
      int found = s->kind != SRC_COL;
      for (size_t j = 0; j < s->nnames && !found; j++)
        found = header_has(h, hl, ro->delimiter ? ro->delimiter : ',', s->names[j]);
      if (!found)
        finding(out, "error", m->path, m->rows[i].line, "column '%s' is not in the header of %s",
                s->text, name);
    }
  return 1;
}

static int check_sample(const struct thbx_mapping *m, FILE *sample, const char *name, json_t *out,
                        thbx_error_t *err) {
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = thbx_format_from_path(name);
  thbx_mapping_reader_options(m, &ro);
  if (m->opt.reverse)
    ro.profile = m->profile;
  thbx_reader_t *r = NULL;
  int rc = thbx_reader_open(&r, sample, name, &ro, err);
  if (rc != THBX_OK)
    return rc;
  json_t *unmapped = json_object(); /* "row\tvalue" -> count */
  json_t *bad = json_object();      /* "row\tmessage" -> count */
  long *dates_total = calloc(m->nrows + 1, sizeof(long));
  long *dates_high = calloc(m->nrows + 1, sizeof(long));
  long records = 0;
  int header_checked = 0;
  size_t hl0 = 0;
  if (m->opt.reverse || !thbx_reader_header(r, &hl0))
    ; /* the header comes with the first record */
  else
    header_checked = check_header(m, r, &ro, name, out);
  for (;;) {
    thbx_record_t rec;
    thbx_error_t e;
    rc = thbx_reader_next(r, &rec, &e);
    if (rc == THBX_EOF) {
      rc = THBX_OK;
      break;
    }
    if (rc == THBX_EPARSE || rc == THBX_ELIMIT) {
      finding(out, "warning", e.source, e.line, "record cannot be read: %s", e.text);
      continue;
    }
    if (rc != THBX_OK) {
      *err = e;
      break;
    }
    records++;
    if (!header_checked && !m->opt.reverse)
      header_checked = check_header(m, r, &ro, name, out);
    size_t rl = 0;
    const char *raw = thbx_reader_raw(r, &rl);
    thbx_item_t it;
    memset(&it, 0, sizeof(it));
    it.value = rec.value;
    it.raw = raw ? strndup(raw, rl) : NULL;
    it.raw_length = rl;
    it.source = name;
    it.line = rec.line;
    it.column = rec.column;
    it.index = rec.index;
    it.format = thbx_reader_format(r);
    rc = map_forward(m, &it, NULL, err);
    for (size_t i = 0; i < it.nissues; i++) {
      thbx_item_issue_t *x = &it.issues[i];
      char key[700];
      if (strstr(x->message, "is not in crosswalk") && x->value) {
        snprintf(key, sizeof(key), "%s\t%s", x->schema_path, x->value);
        json_t *c = json_object_get(unmapped, key);
        json_object_set_new(unmapped, key, json_integer(c ? json_integer_value(c) + 1 : 1));
      } else {
        snprintf(key, sizeof(key), "%s\t%s", x->schema_path, x->message);
        json_t *c = json_object_get(bad, key);
        json_object_set_new(bad, key, json_integer(c ? json_integer_value(c) + 1 : 1));
      }
    }
    for (size_t i = 0; !m->opt.reverse && it.value && i < m->nrows; i++) {
      const struct map_row *row = &m->rows[i];
      if (!row->is_date || !row->pattern || strcmp(row->pattern, "%Y-%m-%d") == 0 ||
          !strstr(row->pattern, "%d") || !strstr(row->pattern, "%m"))
        continue;
      const char *d = json_string_value(map_get_path(it.value, row->target));
      if (d && strlen(d) == 10) {
        dates_total[i]++;
        int day = atoi(d + 8), mon = atoi(d + 5);
        if (day > 12 && day != mon)
          dates_high[i]++;
      }
    }
    free_item_issues(&it);
    json_decref(it.value);
    free(it.raw);
    if (rc != THBX_OK)
      break;
  }
  if (rc == THBX_OK && !header_checked && !m->opt.reverse)
    check_header(m, r, &ro, name, out);
  thbx_reader_free(r);
  if (rc == THBX_OK) {
    const char *key;
    json_t *v;
    json_object_foreach(unmapped, key, v) {
      const char *tab = strchr(key, '\t');
      const char *colon = strrchr(key, ':');
      long line = colon && colon < tab ? atol(colon + 1) : 0;
      finding(out, "error", m->path, line,
              "source code '%s' is in no crosswalk row (%lld record%s)", tab + 1,
              (long long)json_integer_value(v), json_integer_value(v) == 1 ? "" : "s");
    }
    json_object_foreach(bad, key, v) {
      const char *tab = strchr(key, '\t');
      const char *msg = tab + 1;
      const char *colon = strrchr(key, ':');
      long line = colon && colon < tab ? atol(colon + 1) : 0;
      /* the message starts with MAP.csv:LINE: already */
      const char *rest = strstr(msg, ": ");
      finding(out, "error", m->path, line, "%s (%lld record%s)", rest ? rest + 2 : msg,
              (long long)json_integer_value(v), json_integer_value(v) == 1 ? "" : "s");
    }
    for (size_t i = 0; i < m->nrows; i++)
      if (dates_total[i] > 0 && dates_high[i] == 0)
        finding(out, "warning", m->path, m->rows[i].line,
                "date pattern '%s' is ambiguous on this sample: every day is 12 or less, so "
                "day and month could be swapped (check against a date you know)",
                m->rows[i].pattern);
    finding(out, "note", name, 0, "%ld record%s read", records, records == 1 ? "" : "s");
  }
  json_decref(unmapped);
  json_decref(bad);
  free(dates_total);
  free(dates_high);
  return rc;
}

int thbx_mapping_check(const thbx_mapping_t *m, FILE *sample, const char *sample_name,
                       json_t **findings, thbx_error_t *err) {
  json_t *out = json_array();
  *findings = out;
  if (!out)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (!m->opt.reverse) {
    const struct thbx_shape *root = m->profile->shape;
    for (size_t i = 0; i < root->nleaves; i++) {
      const char *path = root->leaves[i]->path;
      if (!required_chain(m->profile->schema, path))
        continue;
      int covered = 0;
      for (size_t k = 0; k < m->nrows && !covered; k++)
        covered = strcmp(m->rows[k].target, path) == 0;
      if (!covered)
        finding(out, "error", m->path, 0, "required target %s is neither mapped nor defaulted",
                path);
    }
  } else {
    json_t *ledger = thbx_mapping_ledger(m);
    size_t i;
    json_t *e;
    json_array_foreach(ledger, i, e)
        finding(out, "loss", m->path, (long)json_integer_value(json_object_get(e, "line")),
                "%s: %s", json_string_value(json_object_get(e, "target")),
                json_string_value(json_object_get(e, "what")));
    json_decref(ledger);
  }
  if (sample)
    return check_sample(m, sample, sample_name, out, err);
  return THBX_OK;
}

/* ------------------------------------------------------------- map init */

/* Words that national exports use for profile fields (lower case, ASCII;
 * diacritics are folded before matching). */
static const struct {
  const char *word; /* a word starting so (after folding) suggests path */
  const char *path;
} synonyms[] = {
    {"sexexploit", "exploitation.sexual_exploitation_types"},
    {"typeofsex", "exploitation.sexual_exploitation_types"},
    {"methodsofcontrol", "exploitation.means_of_control"},
    {"relation", "exploitation.recruitment.relation"},
    {"sex", "person.sex"},
    {"gender", "person.sex"},
    {"pol", "person.sex"},
    {"spol", "person.sex"},
    {"gjini", "person.sex"},
    {"age", "person.age_group"},
    {"starost", "person.age_group"},
    {"dob", "person.age_group"},
    {"mosh", "person.age_group"},
    {"citizen", "person.citizenship"},
    {"national", "person.citizenship"},
    {"drzavljan", "person.citizenship"},
    {"shtetesi", "person.citizenship"},
    {"minor", "person.minor_at_exploitation"},
    {"malolet", "person.minor_at_exploitation"},
    {"maloljet", "person.minor_at_exploitation"},
    {"role", "person.role"},
    {"uloga", "person.role"},
    {"status", "person.role"},
    {"sifra", "person.person_ref"},
    {"person", "person.person_ref"},
    {"osoba", "person.person_ref"},
    {"case", "case_ref"},
    {"predmet", "case_ref"},
    {"slucaj", "case_ref"},
    {"dosije", "case_ref"},
    {"date", "event_date"},
    {"datum", "event_date"},
    {"event", "event_type"},
    {"dogadjaj", "event_type"},
    {"dogadaj", "event_type"},
    {"vrsta", "event_type"},
    {"exploitation", "exploitation.forms"},
    {"eksploatacij", "exploitation.forms"},
    {"oblik", "exploitation.forms"},
    {"form", "exploitation.forms"},
    {"control", "exploitation.means_of_control"},
    {"kontrol", "exploitation.means_of_control"},
    {"sredstv", "exploitation.means_of_control"},
    {"sector", "exploitation.labour_sectors"},
    {"sektor", "exploitation.labour_sectors"},
    {"transnational", "exploitation.transnational"},
    {"transnacional", "exploitation.transnational"},
    {"countr", "exploitation.countries"},
    {"zemlj", "exploitation.countries"},
    {"drzav", "exploitation.countries"},
    {"year", "exploitation.start_year"},
    {"godin", "exploitation.start_year"},
    {"servic", "assistance.services"},
    {"uslug", "assistance.services"},
    {"id", "record_id"},
    {"broj", "record_id"},
    {"number", "record_id"},
};

/* Lower-case ASCII letters and digits of s; common Latin diacritics folded. */
static void fold(const char *s, char *out, size_t cap) {
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n + 1 < cap) {
    if (p[0] == 0xC4 || p[0] == 0xC5) { /* č ć đ š ž Č Ć Đ Š Ž and kin */
      unsigned c = ((unsigned)p[0] << 8) | p[1];
      char f = c == 0xC48D || c == 0xC487 || c == 0xC48C || c == 0xC486 ? 'c'
               : c == 0xC491 || c == 0xC490                             ? 'd'
               : c == 0xC5A1 || c == 0xC5A0                             ? 's'
               : c == 0xC5BE || c == 0xC5BD                             ? 'z'
                                                                        : 0;
      if (f)
        out[n++] = f;
      p += p[1] ? 2 : 1;
      continue;
    }
    if (isalnum(*p))
      out[n++] = (char)tolower(*p);
    else if (n && out[n - 1] != ' ')
      out[n++] = ' ';
    p++;
  }
  out[n] = '\0';
}

/* The closest profile path not yet taken: the leaf spelled so, else the
 * first word of the column that a synonym starts (the column's words in
 * order, so "Broj predmeta" gives case_ref once "Redni broj" has record_id). */
static const char *closest(const struct thbx_shape *root, const char *column, const json_t *used) {
  char f[256];
  fold(column, f, sizeof(f));
  for (size_t i = 0; i < root->nleaves; i++) {
    char g[256];
    fold(root->leaves[i]->path, g, sizeof(g));
    if (strcmp(f, g) == 0 && !json_object_get(used, root->leaves[i]->path))
      return root->leaves[i]->path;
  }
  /* specific words first: every word of the column against every synonym,
   * later words winning over the generic "broj"/"id" of an earlier one */
  const char *best = "";
  size_t best_rank = (size_t)-1;
  char *save = NULL;
  for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save))
    for (size_t i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++) {
      size_t n = strlen(synonyms[i].word);
      /* short words whole, longer ones as a prefix, long ones anywhere
       * (HTCDS writes TypeOfExploitation, CountryOfExploitation) */
      int hit = n <= 2   ? strcmp(w, synonyms[i].word) == 0
                : n <= 3 ? strncmp(w, synonyms[i].word, n) == 0
                         : strstr(w, synonyms[i].word) != NULL;
      if (hit && i < best_rank && !json_object_get(used, synonyms[i].path)) {
        best = synonyms[i].path;
        best_rank = i;
      }
    }
  return best;
}

static const char *const date_patterns[] = {"%d.%m.%Y.", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y",
                                            "%m/%d/%Y",  "%d-%m-%Y", "%Y%m%d",   "%Y/%m/%d"};

static void csv_cell(FILE *out, const char *s) {
  if (strpbrk(s, ",\"\n\r")) {
    fputc('"', out);
    for (; *s; s++) {
      if (*s == '"')
        fputc('"', out);
      fputc(*s, out);
    }
    fputc('"', out);
  } else {
    fputs(s, out);
  }
}

/* Leaves of a generic value as (reference, text) pairs into cols. */
static void collect(json_t *cols, json_t *order, const char *prefix, json_t *v, int csv) {
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
      thbx_buf_t b;
      thbx_buf_init(&b);
      if (csv)
        thbx_buf_printf(&b, "%s%s%s", prefix, prefix[0] ? "." : "", k);
      else {
        thbx_buf_puts(&b, prefix);
        thbx_buf_pointer_append(&b, k); /* adds the '/' */
      }
      if (b.data)
        collect(cols, order, b.data, x, csv);
      thbx_buf_free(&b);
    }
    return;
  }
  if (json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0))) {
    /* repeated elements, or an array of objects: their fields */
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) collect(cols, order, prefix, e, csv);
    return;
  }
  json_t *vals = json_object_get(cols, prefix);
  if (!vals) {
    vals = json_object();
    json_object_set_new(cols, prefix, vals);
    json_array_append_new(order, json_string(prefix));
  }
  json_t *items = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) {
    char *t = json_is_string(e) ? strdup(json_string_value(e)) : json_dumps(e, JSON_ENCODE_ANY);
    if (t && json_object_size(vals) < 200) {
      json_t *c = json_object_get(vals, t);
      json_object_set_new(vals, t, json_integer(c ? json_integer_value(c) + 1 : 1));
    }
    free(t);
  }
  json_decref(items);
}

int thbx_mapping_draft(FILE *sample, const char *sample_name, const thbx_reader_options_t *reader,
                       const thbx_profile_t *profile, FILE *out, json_t **stubs,
                       thbx_error_t *err) {
  *stubs = json_object();
  thbx_reader_options_t ro = *reader;
  ro.profile = NULL;
  thbx_reader_t *r = NULL;
  int rc = thbx_reader_open(&r, sample, sample_name, &ro, err);
  if (rc != THBX_OK)
    return rc;
  json_t *cols = json_object(), *order = json_array();
  long records = 0;
  int csv = 0;
  for (;;) {
    thbx_record_t rec;
    rc = thbx_reader_next(r, &rec, err);
    if (rc == THBX_EOF) {
      rc = THBX_OK;
      break;
    }
    if (rc == THBX_EPARSE || rc == THBX_ELIMIT)
      continue;
    if (rc != THBX_OK)
      break;
    csv = thbx_reader_format(r) == THBX_FORMAT_CSV;
    records++;
    collect(cols, order, "", rec.value, csv);
    json_decref(rec.value);
  }
  thbx_format fmt = thbx_reader_format(r);
  thbx_reader_free(r);
  if (rc != THBX_OK) {
    json_decref(cols);
    json_decref(order);
    return rc;
  }
  fprintf(out, "target,source,pattern,decimal,true,false,missing,separator,codes,unmapped,default,"
               "transform,note\n");
  fprintf(out, "@format,%s,,,,,,,,,,,drafted by thbx map init from %ld records\n",
          thbx_format_name(fmt), records);
  if (fmt == THBX_FORMAT_CSV && ro.delimiter && ro.delimiter != ',') {
    fputs("@delimiter,", out);
    if (ro.delimiter == '\t')
      fputs("tab", out);
    else {
      char d[2] = {ro.delimiter, 0};
      csv_cell(out, d);
    }
    fputs(",,,,,,,,,,,\n", out);
  }
  json_t *used = json_object();
  size_t i;
  json_t *name;
  json_array_foreach(order, i, name) {
    const char *col = json_string_value(name);
    json_t *vals = json_object_get(cols, col);
    const char *target = profile ? closest(profile->shape, col + (col[0] == '/'), used) : "";
    if (target[0])
      json_object_set_new(used, target, json_true());
    /* date patterns that read every value */
    const char *pattern = "";
    int fits = 0, ambiguous = 1, dates = 0;
    for (size_t p = 0; p < sizeof(date_patterns) / sizeof(date_patterns[0]); p++) {
      int all = json_object_size(vals) > 0;
      const char *v;
      json_t *cnt;
      json_object_foreach(vals, v, cnt) {
        int y, mo, d;
        if (map_date_parse(date_patterns[p], v, &y, &mo, &d) != 0) {
          all = 0;
          break;
        }
        if (d > 12)
          ambiguous = 0;
      }
      if (all) {
        fits++;
        dates = 1;
        if (!pattern[0])
          pattern = date_patterns[p];
      }
    }
    if (dates && profile && (!target[0] || !strstr(target, "date"))) {
      /* a date column fills a date field: the event's first, then assistance's */
      static const char *const date_leaves[] = {"event_date", "assistance.start_date",
                                                "assistance.end_date"};
      if (target[0])
        json_object_del(used, target);
      target = "";
      for (size_t k = 0; k < 3 && !target[0]; k++)
        if (!json_object_get(used, date_leaves[k]))
          target = date_leaves[k];
      if (target[0])
        json_object_set_new(used, target, json_true());
    }
    char note[300] = "";
    if (dates && ambiguous && strcmp(pattern, "%Y-%m-%d") != 0 && strstr(pattern, "%d") &&
        strstr(pattern, "%m")) { /* ISO order is not read the other way round */
      snprintf(note, sizeof(note),
               "a date, but every day is 12 or less: day and month cannot be told apart; "
               "write the pattern yourself");
      pattern = "";
    }
    /* several values in one cell: the separator most cells use */
    static const char *const seps[] = {", ", "/", ";", "|", ","};
    const char *sep = "";
    for (size_t k = 0; !dates && k < sizeof(seps) / sizeof(seps[0]) && !sep[0]; k++) {
      if (csv && strlen(seps[k]) == 1 && seps[k][0] == (ro.delimiter ? ro.delimiter : ','))
        continue;
      const char *v;
      json_t *cnt;
      json_object_foreach(vals, v, cnt) {
        const char *hit = strstr(v, seps[k]);
        if (!hit)
          continue;
        /* "N/P" is one code, not N and P: every part must be 2+ characters */
        int ok = 1;
        const char *from = v;
        for (const char *q = hit; ok; q = strstr(from, seps[k])) {
          const char *end = q ? q : v + strlen(v);
          while (from < end && *from == ' ')
            from++;
          ok = end - from >= 2;
          if (!q)
            break;
          from = q + strlen(seps[k]);
        }
        if (ok)
          sep = seps[k];
      }
    }
    /* numbers (ages, years, amounts): no crosswalk of codes, maybe ranges */
    int numbers = 0;
    {
      const char *v;
      json_t *cnt;
      size_t num = 0;
      json_object_foreach(vals, v, cnt) {
        double d;
        if (map_number_parse(v, '.', &d) == 0 || map_number_parse(v, ',', &d) == 0)
          num++;
      }
      /* mostly numbers (a missing token such as N/P aside) */
      numbers = json_object_size(vals) > 0 && num * 5 >= json_object_size(vals) * 4;
    }
    /* codes: few distinct values that repeat */
    json_t *stub = json_object();
    {
      const char *v;
      json_t *cnt;
      json_object_foreach(vals, v, cnt) {
        char *copy = strdup(v), *rest = copy;
        while (rest) {
          char *cut = sep[0] ? strstr(rest, sep) : NULL;
          if (cut)
            *cut = '\0';
          char *t = rest;
          while (*t == ' ')
            t++;
          if (*t) {
            json_t *c = json_object_get(stub, t);
            json_object_set_new(
                stub, t, json_integer((c ? json_integer_value(c) : 0) + json_integer_value(cnt)));
          }
          rest = cut ? cut + strlen(sep) : NULL;
        }
        free(copy);
      }
    }
    long total = 0;
    {
      const char *v;
      json_t *cnt;
      json_object_foreach(stub, v, cnt) total += (long)json_integer_value(cnt);
    }
    size_t distinct = json_object_size(stub);
    /* codes: the profile says the field has a code list, or few values repeat */
    int coded = target[0] && profile && map_schema_codes(profile, target);
    int codes = !dates && distinct > 0 && distinct <= 40 &&
                (coded || (!numbers && (long)distinct * 3 <= total * 2));
    if (numbers && !coded)
      codes = 0;
    char src[300];
    if (fmt == THBX_FORMAT_XML) /* the generic reader's pointer is a path of names */
      snprintf(src, sizeof(src), "xpath:%s", col + (col[0] == '/'));
    else
      snprintf(src, sizeof(src), "%s%s", csv ? "col:" : "ptr:", col);
    csv_cell(out, target);
    fputc(',', out);
    csv_cell(out, src);
    fputc(',', out);
    csv_cell(out, pattern);
    fputs(",,,,,", out);
    csv_cell(out, sep);
    fputc(',', out);
    if (codes) {
      char cw[300];
      char f[256];
      fold(col, f, sizeof(f));
      for (char *p = f; *p; p++)
        if (*p == ' ')
          *p = '-';
      snprintf(cw, sizeof(cw), "%s.crosswalk.csv", f[0] ? f : "codes");
      csv_cell(out, cw);
      json_object_set_new(*stubs, cw, stub);
      stub = NULL;
    }
    json_decref(stub);
    fputs(",,,,", out);
    if (!note[0] && numbers && !dates)
      snprintf(note, sizeof(note), "numbers%s",
               strstr(target, "age") ? ": ages in years? codes age-years (shipped ranges)" : "");
    if (!note[0] && !target[0])
      snprintf(note, sizeof(note), "no close profile path: fill in the target or delete the row");
    if (!note[0])
      snprintf(note, sizeof(note), "%zu distinct value%s%s", distinct, distinct == 1 ? "" : "s",
               codes ? ": fill in the crosswalk stub" : "");
    csv_cell(out, note);
    fputc('\n', out);
  }
  json_decref(used);
  json_decref(cols);
  json_decref(order);
  return ferror(out) ? thbx_error_set(err, THBX_EIO, "cannot write the draft") : THBX_OK;
}
