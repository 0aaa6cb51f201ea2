/*
 * pipeline_internal.h - the inside of a thbx_pipeline (internal): items as
 * the pipeline holds them, the stage and sink lists, and the workers that
 * run the stateless stages with -j N (workers.c).
 */
#ifndef THBX_PIPELINE_INTERNAL_H
#define THBX_PIPELINE_INTERNAL_H

#include "internal.h"

/* An item as the pipeline holds it: the public part first, then the state
 * the workers and the reorder buffer need. */
struct pitem {
  thbx_item_t item;
  int done;           /* the stateless stages ran */
  int rc;             /* their status (THBX_OK, or why the run stops) */
  thbx_error_t err;   /* with rc */
  size_t bytes;       /* raw + spelled output, for the in-flight bound */
  int deferred;       /* NDJSON -j N: the line is parsed by the worker */
  int cr;             /* its line ended in CR LF */
  void *xsd;          /* XML -j N: the record's XSD validation, run by the worker */
  int owner;          /* -j N: the worker that parsed the value (1..), 0 the reader */
  struct pitem *next; /* workers.c: on a worker's list of items to free */
  /* faults of the document the reader found while reading this item (XML:
   * the root's attributes), handed to the sinks once, before the item */
  thbx_error_t *doc;
  size_t ndoc;
};

struct stage {
  thbx_stage_ops_t ops;
  void *state;
  int last; /* the convert stage: stays after every stage added later */
};

struct sink {
  thbx_sink_ops_t ops;
  void *state;
};

struct workers;

struct thbx_pipeline {
  thbx_pipeline_options_t opt;
  struct stage *stages;
  size_t nstages;
  struct sink *sinks;
  size_t nsinks;
  size_t nparallel; /* leading stateless stages: the workers run these */
  int xsd;          /* an XSD stage was added: XML inputs are checked */
  int started;      /* the first run began: no more stages or sinks */
  int stopped;      /* fail-fast: an item was rejected, nothing more is read */
  int finished;
  unsigned long long seq;
  thbx_pipeline_stats_t stats;
  /* names of the sources of the run (items borrow them) */
  char **sources;
  size_t nsources;
  /* the current CSV input's header line, as read */
  thbx_buf_t csv_header;
  size_t doc_seen;  /* the current input's document faults taken so far */
  char **doc_texts; /* those reported to the sinks (each once per input) */
  size_t ndoc_texts;
  thbx_format format;         /* the current input's format */
  thbx_limits_t parse_limits; /* the reader's, for lines parsed by workers */
  int objects_only;           /* a profile: a record must be an object */
  struct workers *workers;
  int jobs;
};

/* Run the stateless stages [0, nparallel) on one item (any thread). */
void pipeline_run_parallel(const struct thbx_pipeline *p, struct pitem *it);
/* Hand one item whose stateless stages ran to the ordered stages and the
 * sinks (calling thread, input order). Frees the item. */
int pipeline_deliver(struct thbx_pipeline *p, struct pitem *it, thbx_error_t *err);
void pipeline_item_free(struct pitem *it);

/* workers.c: N - 1 threads and the caller's, and a bounded reorder buffer. */
int workers_new(struct workers **out, struct thbx_pipeline *p, int n, thbx_error_t *err);
/* Queue an item (the pipeline owns it from here); delivers finished items
 * in order while the buffer is full. */
int workers_submit(struct workers *w, struct pitem *it, thbx_error_t *err);
/* Deliver every queued item, in order. */
int workers_drain(struct workers *w, thbx_error_t *err);
/* Drop every queued item without delivering it (the run stopped). */
void workers_discard(struct workers *w);
void workers_free(struct workers *w);
/* A delivered item: a value a worker parsed goes back to that worker to be
 * freed (a block freed on another thread costs a cache miss when it is
 * used again), the rest is freed here. Caller's thread only. */
void workers_recycle(struct workers *w, struct pitem *it);

/* Built-in stages and sinks share this to make an item issue from parts. */
int pipeline_add_last_stage(thbx_pipeline_t *p, const thbx_stage_ops_t *ops, void *state,
                            thbx_error_t *err);
int pipeline_issue(thbx_item_t *item, thbx_issue_kind kind, const char *rule, long line,
                   long column, const char *instance_path, const char *schema_path,
                   const char *message);

#endif
