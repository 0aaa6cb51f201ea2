/*
 * map_table.c - the small CSV files of a mapping (the mapping itself and its
 * crosswalks), read whole: they are a few hundred rows a data officer edits
 * in a spreadsheet. RFC 4180 with quotes; a UTF-8 byte order mark (what
 * spreadsheets write) is skipped; rows whose cells are all empty and rows
 * whose first cell starts with '#' are comments.
 */
#include "map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int push_cell(char ***cells, size_t *n, size_t *cap, const char *s, size_t len) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    char **p = realloc(*cells, nc * sizeof(*p));
    if (!p)
      return -1;
    *cells = p;
    *cap = nc;
  }
  char *c = malloc(len + 1);
  if (!c)
    return -1;
  memcpy(c, s, len);
  c[len] = '\0';
  (*cells)[(*n)++] = c;
  return 0;
}

static void free_cells(char **cells, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(cells[i]);
  free(cells);
}

static int keep_row(struct map_table *t, size_t *cap, char **cells, size_t n, long line) {
  int blank = 1;
  for (size_t i = 0; i < n && blank; i++)
    blank = cells[i][0] == '\0';
  if (blank || (n && cells[0][0] == '#')) {
    free_cells(cells, n);
    return 0;
  }
  if (t->nrows == *cap) {
    size_t nc = *cap ? *cap * 2 : 32;
    char ***r = realloc(t->rows, nc * sizeof(*r));
    size_t *k = realloc(t->ncells, nc * sizeof(*k));
    long *l = realloc(t->lines, nc * sizeof(*l));
    if (r)
      t->rows = r;
    if (k)
      t->ncells = k;
    if (l)
      t->lines = l;
    if (!r || !k || !l) {
      free_cells(cells, n);
      return -1;
    }
    *cap = nc;
  }
  t->rows[t->nrows] = cells;
  t->ncells[t->nrows] = n;
  t->lines[t->nrows] = line;
  t->nrows++;
  return 0;
}

int map_table_read(struct map_table *t, const char *path, const char *text, size_t len, char delim,
                   thbx_error_t *err) {
  memset(t, 0, sizeof(*t));
  t->path = strdup(path);
  if (!t->path)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  char *own = NULL;
  if (!text) {
    own = thbx_read_file(path, &len);
    if (!own) {
      thbx_error_at(err, path, 0, 0);
      return thbx_error_set(err, errno == ENOENT ? THBX_ENOTFOUND : THBX_EIO, "cannot read: %s",
                            strerror(errno));
    }
    text = own;
  }
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  int rc = THBX_OK;
  if (!thbx_utf8_valid(text, len)) {
    thbx_error_at(err, path, 1, 0);
    rc = thbx_error_set(err, THBX_ESCHEMA, "not UTF-8 (save it as UTF-8 CSV)");
    goto done;
  }
  thbx_buf_t cell;
  thbx_buf_init(&cell);
  char **cells = NULL;
  size_t n = 0, cap = 0, rcap = 0;
  long line = 1, row_line = 1;
  size_t i = 0;
  int quoted = 0, in_quotes = 0;
  while (i <= len) {
    char c = i < len ? text[i] : '\n';
    int at_end = i == len;
    if (in_quotes) {
      if (at_end) {
        thbx_error_at(err, path, row_line, 0);
        rc = thbx_error_set(err, THBX_ESCHEMA, "a quoted cell is not closed");
        break;
      }
      if (c == '"' && i + 1 < len && text[i + 1] == '"') {
        thbx_buf_putc(&cell, '"');
        i += 2;
        continue;
      }
      if (c == '"') {
        in_quotes = 0;
        i++;
        continue;
      }
      if (c == '\n')
        line++;
      thbx_buf_putc(&cell, c);
      i++;
      continue;
    }
    if (c == '"' && cell.len == 0 && !quoted) {
      in_quotes = quoted = 1;
      i++;
      continue;
    }
    if (c == delim || c == '\n' || c == '\r') {
      if (push_cell(&cells, &n, &cap, cell.data ? cell.data : "", cell.len) != 0) {
        rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
        break;
      }
      thbx_buf_reset(&cell);
      quoted = 0;
      if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
        i++;
      if (c != delim) {
        if (keep_row(t, &rcap, cells, n, row_line) != 0) {
          cells = NULL;
          rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
          break;
        }
        cells = NULL;
        n = cap = 0;
        line++;
        row_line = line;
        if (at_end)
          break;
      }
      i++;
      continue;
    }
    thbx_buf_putc(&cell, c);
    i++;
  }
  if (cells)
    free_cells(cells, n);
  thbx_buf_free(&cell);
done:
  free(own);
  if (rc != THBX_OK)
    map_table_free(t);
  return rc;
}

void map_table_free(struct map_table *t) {
  for (size_t i = 0; i < t->nrows; i++)
    free_cells(t->rows[i], t->ncells[i]);
  free(t->rows);
  free(t->ncells);
  free(t->lines);
  free(t->path);
  memset(t, 0, sizeof(*t));
}

int map_table_column(const struct map_table *t, const char *name) {
  if (!t->nrows)
    return -1;
  for (size_t i = 0; i < t->ncells[0]; i++) {
    const char *h = t->rows[0][i];
    while (*h == ' ')
      h++;
    size_t n = strlen(h);
    while (n && h[n - 1] == ' ')
      n--;
    if (n == strlen(name) && strncasecmp(h, name, n) == 0)
      return (int)i;
  }
  return -1;
}

const char *map_table_cell(const struct map_table *t, size_t i, int col) {
  if (col < 0 || i >= t->nrows || (size_t)col >= t->ncells[i])
    return "";
  return t->rows[i][col];
}
