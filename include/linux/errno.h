/* SPDX-License-Identifier: MIT */
/* <linux/errno.h>: the errno values drivers return, from the C library. */
#ifndef DMASAN_LINUX_ERRNO_H
#define DMASAN_LINUX_ERRNO_H
#include <errno.h>
#if defined(__has_include_next)
#if __has_include_next(<linux/errno.h>)
#include_next <linux/errno.h>
#endif
#endif
#endif
