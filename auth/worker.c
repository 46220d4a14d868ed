/*
 * A small fixed pool of threads for slow work (PBKDF2 verification).
 *
 * Threads take jobs from a bounded queue, run them, and put them on a
 * done list; the first job to land on an empty done list writes one byte
 * to a pipe whose read end the loop watches. The loop then takes the
 * whole done list and runs the callbacks. Only the queue, the done list
 * and the job states are shared, all under one mutex; libevent itself is
 * touched by the loop thread only, so the base needs no locking
 * (evthread_use_pthreads is not required).
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "auth/serve_int.h"
#include "log.h"

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE,	/* on the done list, waiting for the loop */
};

struct worker_job {
	TAILQ_ENTRY(worker_job)	 j_entry;
	struct worker		*j_worker;
	enum job_state		 j_state;
	int			 j_cancelled;
	int			 j_result;
	worker_fn		 j_fn;
	worker_done_cb		 j_done;
	worker_free_fn		 j_free;
	void			*j_arg;
};
TAILQ_HEAD(worker_jobq, worker_job);

struct worker {
	pthread_mutex_t		 wk_lock;
	pthread_cond_t		 wk_cond;
	struct worker_jobq	 wk_queue;	/* JOB_QUEUED */
	struct worker_jobq	 wk_done;	/* JOB_DONE */
	size_t			 wk_queued;
	size_t			 wk_max;
	int			 wk_stop;
	pthread_t		*wk_threads;
	unsigned		 wk_nthreads;	/* started */
	int			 wk_pipe[2];
	struct event		*wk_ev;
};

static void
worker_job_free(struct worker_job *j)
{
	if (j->j_free != NULL)
		j->j_free(j->j_arg);
	free(j);
}

static void *
worker_main(void *arg)
{
	struct worker		*wk = arg;
	struct worker_job	*j;
	int			 was_empty;
	char			 c = 0;

	pthread_mutex_lock(&wk->wk_lock);
	for (;;) {
		while (!wk->wk_stop && TAILQ_EMPTY(&wk->wk_queue))
			pthread_cond_wait(&wk->wk_cond, &wk->wk_lock);
		if (wk->wk_stop)
			break;
		j = TAILQ_FIRST(&wk->wk_queue);
		TAILQ_REMOVE(&wk->wk_queue, j, j_entry);
		wk->wk_queued--;
		j->j_state = JOB_RUNNING;
		pthread_mutex_unlock(&wk->wk_lock);

		j->j_result = j->j_fn(j->j_arg);

		pthread_mutex_lock(&wk->wk_lock);
		j->j_state = JOB_DONE;
		was_empty = TAILQ_EMPTY(&wk->wk_done);
		TAILQ_INSERT_TAIL(&wk->wk_done, j, j_entry);
		/* One byte per batch: the pipe never fills up. */
		if (was_empty) {
			while (write(wk->wk_pipe[1], &c, 1) == -1 &&
			    errno == EINTR)
				;
		}
	}
	pthread_mutex_unlock(&wk->wk_lock);
	return (NULL);
}

static void
worker_wakeup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker		*wk = arg;
	struct worker_jobq	 done;
	struct worker_job	*j;
	char			 buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	TAILQ_INIT(&done);
	pthread_mutex_lock(&wk->wk_lock);
	TAILQ_CONCAT(&done, &wk->wk_done, j_entry);
	pthread_mutex_unlock(&wk->wk_lock);

	/* A done callback may cancel a job further down this list: the flag
	 * is read at each step, so that job's callback is skipped. */
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, j_entry);
		if (!j->j_cancelled && j->j_done != NULL)
			j->j_done(j->j_arg, j->j_result);
		worker_job_free(j);
	}
}

struct worker *
worker_new(struct event_base *base, unsigned threads, size_t queue,
    char *err, size_t errlen)
{
	struct worker	*wk;
	int		 lock_ok = 0, cond_ok = 0;

	if ((wk = calloc(1, sizeof(*wk))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	wk->wk_pipe[0] = wk->wk_pipe[1] = -1;
	TAILQ_INIT(&wk->wk_queue);
	TAILQ_INIT(&wk->wk_done);
	wk->wk_max = queue;
	if (pthread_mutex_init(&wk->wk_lock, NULL) != 0)
		goto fail;
	lock_ok = 1;
	if (pthread_cond_init(&wk->wk_cond, NULL) != 0)
		goto fail;
	cond_ok = 1;
	if (pipe2(wk->wk_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		goto fail;
	wk->wk_ev = event_new(base, wk->wk_pipe[0], EV_READ | EV_PERSIST,
	    worker_wakeup_cb, wk);
	if (wk->wk_ev == NULL || event_add(wk->wk_ev, NULL) == -1)
		goto fail;
	if ((wk->wk_threads = calloc(threads, sizeof(pthread_t))) == NULL)
		goto fail;
	for (; wk->wk_nthreads < threads; wk->wk_nthreads++) {
		if (pthread_create(&wk->wk_threads[wk->wk_nthreads], NULL,
		    worker_main, wk) != 0)
			goto fail;
	}
	return (wk);

 fail:
	snprintf(err, errlen, "cannot start the worker pool");
	if (cond_ok) {
		worker_free(wk);
		return (NULL);
	}
	if (lock_ok)
		pthread_mutex_destroy(&wk->wk_lock);
	free(wk);
	return (NULL);
}

void
worker_free(struct worker *wk)
{
	struct worker_job	*j;
	unsigned		 i;

	if (wk == NULL)
		return;
	pthread_mutex_lock(&wk->wk_lock);
	wk->wk_stop = 1;
	pthread_cond_broadcast(&wk->wk_cond);
	pthread_mutex_unlock(&wk->wk_lock);
	for (i = 0; i < wk->wk_nthreads; i++)
		pthread_join(wk->wk_threads[i], NULL);
	free(wk->wk_threads);

	/* No thread is left: finished and queued jobs only need freeing. */
	while ((j = TAILQ_FIRST(&wk->wk_queue)) != NULL) {
		TAILQ_REMOVE(&wk->wk_queue, j, j_entry);
		worker_job_free(j);
	}
	while ((j = TAILQ_FIRST(&wk->wk_done)) != NULL) {
		TAILQ_REMOVE(&wk->wk_done, j, j_entry);
		worker_job_free(j);
	}
	if (wk->wk_ev != NULL)
		event_free(wk->wk_ev);
	if (wk->wk_pipe[0] != -1)
		close(wk->wk_pipe[0]);
	if (wk->wk_pipe[1] != -1)
		close(wk->wk_pipe[1]);
	pthread_cond_destroy(&wk->wk_cond);
	pthread_mutex_destroy(&wk->wk_lock);
	free(wk);
}

struct worker_job *
worker_submit(struct worker *wk, worker_fn fn, worker_done_cb done,
    worker_free_fn free_fn, void *arg)
{
	struct worker_job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		if (free_fn != NULL)
			free_fn(arg);
		return (NULL);
	}
	j->j_worker = wk;
	j->j_fn = fn;
	j->j_done = done;
	j->j_free = free_fn;
	j->j_arg = arg;
	j->j_state = JOB_QUEUED;

	pthread_mutex_lock(&wk->wk_lock);
	if (wk->wk_queued >= wk->wk_max) {
		pthread_mutex_unlock(&wk->wk_lock);
		worker_job_free(j);
		return (NULL);
	}
	TAILQ_INSERT_TAIL(&wk->wk_queue, j, j_entry);
	wk->wk_queued++;
	pthread_cond_signal(&wk->wk_cond);
	pthread_mutex_unlock(&wk->wk_lock);
	return (j);
}

void
worker_cancel(struct worker_job *j)
{
	struct worker	*wk;

	if (j == NULL)
		return;
	wk = j->j_worker;
	pthread_mutex_lock(&wk->wk_lock);
	if (j->j_state == JOB_QUEUED) {
		TAILQ_REMOVE(&wk->wk_queue, j, j_entry);
		wk->wk_queued--;
		pthread_mutex_unlock(&wk->wk_lock);
		worker_job_free(j);
		return;
	}
	/* Running, or finished and not yet seen by the loop: the loop side
	 * frees it without calling back. */
	j->j_cancelled = 1;
	pthread_mutex_unlock(&wk->wk_lock);
}
