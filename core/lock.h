/* SPDX-License-Identifier: MIT */
/*
 * Small locks for core/. A spinlock that yields after a short spin guards
 * the tracking buckets and each tracked object (hold times are a few
 * hundred instructions; no syscalls while held). Lock order (rank, lowest
 * first; a lock may only be taken while holding lower-ranked ones):
 *   1. device registry mutex      (core/device.c)
 *   2. pool mutex                 (core/pool.c)
 *   3. index bucket spinlock      (core/track.c)
 *   4. object spinlock            (struct dmobj.lock)
 *      CPU-page index bucket spinlocks (core/track.c, cpu_buckets) are
 *      leaves: check_overlap() registers a mapping's CPU pages under its
 *      object lock, and nothing is locked while one is held.
 *   5. coherent arena mutex, declared-region mutex, swiotlb segment and
 *      IOVA spinlocks, stack depot shard mutexes (leaves: nothing is
 *      taken while holding them)
 *   6. report mutex               (core/report.c) - never held while
 *      calling back into the program.
 * Rule: a bucket lock is never held while taking an object lock of
 * another bucket's object except via a reference (see track.c), and no
 * tracking lock is held while a finding is emitted.
 */
#ifndef DMASAN_CORE_LOCK_H
#define DMASAN_CORE_LOCK_H

#include <sched.h>
#include <stdatomic.h>

struct spin {
	atomic_int v;
};

#define SPIN_INIT \
	{         \
		0 \
	}

static inline void spin_lock(struct spin *s)
{
	int spins = 0;

	for (;;) {
		if (!atomic_exchange_explicit(&s->v, 1, memory_order_acquire))
			return;
		while (atomic_load_explicit(&s->v, memory_order_relaxed)) {
			if (++spins > 64) {
				sched_yield();
				spins = 0;
			}
		}
	}
}

/* 1 when the lock was free and is now held; never waits. */
static inline int spin_trylock(struct spin *s)
{
	return !atomic_load_explicit(&s->v, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&s->v, 1, memory_order_acquire);
}

static inline void spin_unlock(struct spin *s)
{
	atomic_store_explicit(&s->v, 0, memory_order_release);
}

#endif /* DMASAN_CORE_LOCK_H */
