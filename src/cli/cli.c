/*
 * cli.c - messages, inputs and atomic outputs shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Text from the input or the command line (file names, cells quoted in a
 * library message) reaches stderr made visible: no control or
 * bidirectional character can drive the terminal (thbx_display_text). */
void cli_put_visible(const char *s) {
  char small[1024];
  size_t n = thbx_display_text(small, sizeof(small), s);
  if (n < sizeof(small)) {
    fputs(small, stderr);
    return;
  }
  char *big = malloc(n + 1);
  if (big) {
    thbx_display_text(big, n + 1, s);
    fputs(big, stderr);
    free(big);
  } else {
    fputs(small, stderr);
  }
}

static void vmessage(const char *kind, const char *fmt, va_list ap) {
  char text[4096];
  vsnprintf(text, sizeof(text), fmt, ap);
  fprintf(stderr, "thbx: %s: ", kind);
  cli_put_visible(text);
  fputc('\n', stderr);
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("error", fmt, ap);
  va_end(ap);
}

void cli_warning(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("warning", fmt, ap);
  va_end(ap);
}

int cli_usage_error(const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("error", fmt, ap);
  va_end(ap);
  fprintf(stderr, "Try 'thbx %s%s--help' for more information.\n", command ? command : "",
          command ? " " : "");
  return EXIT_USAGE;
}

void cli_report(const thbx_error_t *err) {
  if (err->source[0]) {
    cli_put_visible(err->source);
    if (err->line > 0) {
      fprintf(stderr, ":%ld", err->line);
      if (err->column > 0)
        fprintf(stderr, ":%ld", err->column);
    }
    fputs(": ", stderr);
  } else {
    fputs("thbx: ", stderr);
  }
  fputs("error: ", stderr);
  if (err->instance_path[0]) {
    cli_put_visible(err->instance_path);
    fputs(": ", stderr);
  }
  cli_put_visible(err->text[0] ? err->text : "unknown error");
  fputc('\n', stderr);
}

FILE *cli_open_input(const char *path) {
  if (!path || strcmp(path, "-") == 0)
    return stdin;
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    cli_error("%s: is a directory", path);
    errno = EISDIR;
    return NULL;
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    int e = errno;
    cli_error("%s: %s", path, strerror(e));
    errno = e;
  }
  return fp;
}

const char *cli_open_reason(int errnum) {
  /* strerror's words, lower-case as every message starts */
  static char text[128];
  snprintf(text, sizeof(text), "%s", strerror(errnum));
  if (text[0] >= 'A' && text[0] <= 'Z')
    text[0] = (char)(text[0] - 'A' + 'a');
  return text;
}

void cli_close_input(FILE *fp) {
  if (fp && fp != stdin)
    fclose(fp);
}

int cli_output_open(cli_output_t *out, const char *path) {
  memset(out, 0, sizeof(*out));
  if (!path || strcmp(path, "-") == 0) {
    out->fp = stdout;
    return 0;
  }
  struct stat st, lst;
  int exists = stat(path, &st) == 0;
  if (exists && S_ISREG(st.st_mode) && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
    /* a symbolic link to a regular file: replace the file it points to,
     * keep the link */
    out->path = realpath(path, NULL);
    if (!out->path) {
      cli_error("%s: %s", path, strerror(errno));
      return -1;
    }
    path = out->path;
  } else {
    out->path = strdup(path);
  }
  if (!out->path)
    goto nomem;
  if (exists && !S_ISREG(st.st_mode)) {
    /* a device or a pipe: write directly, never rename over it */
    out->fp = fopen(path, "wb");
    if (!out->fp) {
      cli_error("%s: %s", path, strerror(errno));
      free(out->path);
      out->path = NULL;
      return -1;
    }
    return 0;
  }
  size_t n = strlen(path) + 16;
  out->tmp = malloc(n);
  if (!out->tmp)
    goto nomem;
  const char *slash = strrchr(path, '/');
  if (slash)
    snprintf(out->tmp, n, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
  else
    snprintf(out->tmp, n, ".%s.XXXXXX", path);
  int fd = mkstemp(out->tmp);
  if (fd < 0) {
    cli_error("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
    goto fail;
  }
  /* mkstemp creates 0600; give the output the permissions of the file it
   * replaces (a file kept private stays private), else the usual ones */
  if (exists) {
    fchmod(fd, st.st_mode & 07777);
  } else {
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
  }
  out->fp = fdopen(fd, "wb");
  if (!out->fp) {
    close(fd);
    unlink(out->tmp);
    goto fail;
  }
  cli_temp_register(out->tmp);
  return 0;
nomem:
  cli_error("out of memory");
fail:
  free(out->path);
  free(out->tmp);
  memset(out, 0, sizeof(*out));
  return -1;
}

int cli_output_commit(cli_output_t *out) {
  int rc = 0;
  if (!out->fp)
    return -1;
  if (fflush(out->fp) != 0 || ferror(out->fp)) {
    cli_error("%s: write error: %s", out->path ? out->path : "stdout", strerror(errno));
    rc = -1;
  }
  if (out->fp != stdout && fclose(out->fp) != 0 && rc == 0) {
    cli_error("%s: write error: %s", out->path, strerror(errno));
    rc = -1;
  }
  out->fp = NULL;
  if (out->tmp) {
    cli_temp_unregister(out->tmp);
    if (rc == 0 && rename(out->tmp, out->path) != 0) {
      cli_error("%s: cannot rename the temporary file into place: %s", out->path, strerror(errno));
      rc = -1;
    }
    if (rc != 0)
      unlink(out->tmp);
  }
  free(out->path);
  free(out->tmp);
  out->path = out->tmp = NULL;
  return rc;
}

void cli_output_abort(cli_output_t *out) {
  if (out->fp && out->fp != stdout)
    fclose(out->fp);
  else if (out->fp)
    fflush(out->fp);
  if (out->tmp) {
    cli_temp_unregister(out->tmp);
    unlink(out->tmp);
  }
  free(out->path);
  free(out->tmp);
  memset(out, 0, sizeof(*out));
}

int cli_isatty(FILE *fp) { return isatty(fileno(fp)); }

int cli_profile_load(const char *name, thbx_profile_t **out, thbx_error_t *err) {
  *out = NULL;
  int known = !name || strcmp(name, "none") == 0;
  for (size_t i = 0; !known && thbx_profile_embedded_name(i); i++)
    known = strcmp(thbx_profile_embedded_name(i), name) == 0;
  struct stat st;
  if (!known && stat(name, &st) != 0 && !strchr(name, '/') && !strstr(name, ".json")) {
    /* neither an embedded profile nor a file: say which profiles there are */
    char list[512] = "";
    size_t n = 0;
    for (size_t i = 0; thbx_profile_embedded_name(i) && n < sizeof(list) - 1; i++)
      n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
                            thbx_profile_embedded_name(i));
    cli_error("unknown profile '%s' (profiles: %s)", name, list);
    return THBX_ENOTFOUND;
  }
  int rc = thbx_profile_load(name, out, err);
  if (rc != THBX_OK)
    cli_report(err);
  return rc;
}
