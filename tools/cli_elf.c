/* SPDX-License-Identifier: MIT */
/*
 * A minimal, defensive ELF reader for the dmasan command: from the ELF
 * header and program headers of a 32- or 64-bit little-endian file it
 * finds PT_DYNAMIC, maps DT_STRTAB through the PT_LOAD segments to a file
 * offset, and reads the DT_NEEDED, DT_RPATH and DT_RUNPATH strings. Fields
 * are decoded byte by byte, so the host's byte order does not matter.
 * The file is untrusted: every offset and size is checked against the
 * file and against fixed caps before use. Single-threaded, no locking.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"

#define MAX_PHNUM 4096		 /* program headers we accept */
#define MAX_DYN_BYTES (1u << 20) /* dynamic section bytes we read */
#define MAX_DYN_STR 4096	 /* longest NEEDED/RPATH string we read */

/* Layout of the structures we decode, for one ELF class. */
struct elf_layout {
	size_t ehdr_size;
	size_t phoff_at, phoff_len;
	size_t phentsize_at, phnum_at;
	size_t phdr_size;
	size_t p_type_at, p_offset_at, p_vaddr_at, p_filesz_at, p_word;
	size_t dyn_size, d_word;
};

static const struct elf_layout layout64 = {
	.ehdr_size = sizeof(Elf64_Ehdr),
	.phoff_at = offsetof(Elf64_Ehdr, e_phoff),
	.phoff_len = 8,
	.phentsize_at = offsetof(Elf64_Ehdr, e_phentsize),
	.phnum_at = offsetof(Elf64_Ehdr, e_phnum),
	.phdr_size = sizeof(Elf64_Phdr),
	.p_type_at = offsetof(Elf64_Phdr, p_type),
	.p_offset_at = offsetof(Elf64_Phdr, p_offset),
	.p_vaddr_at = offsetof(Elf64_Phdr, p_vaddr),
	.p_filesz_at = offsetof(Elf64_Phdr, p_filesz),
	.p_word = 8,
	.dyn_size = sizeof(Elf64_Dyn),
	.d_word = 8,
};

static const struct elf_layout layout32 = {
	.ehdr_size = sizeof(Elf32_Ehdr),
	.phoff_at = offsetof(Elf32_Ehdr, e_phoff),
	.phoff_len = 4,
	.phentsize_at = offsetof(Elf32_Ehdr, e_phentsize),
	.phnum_at = offsetof(Elf32_Ehdr, e_phnum),
	.phdr_size = sizeof(Elf32_Phdr),
	.p_type_at = offsetof(Elf32_Phdr, p_type),
	.p_offset_at = offsetof(Elf32_Phdr, p_offset),
	.p_vaddr_at = offsetof(Elf32_Phdr, p_vaddr),
	.p_filesz_at = offsetof(Elf32_Phdr, p_filesz),
	.p_word = 4,
	.dyn_size = sizeof(Elf32_Dyn),
	.d_word = 4,
};

/* One open file being parsed. */
struct elf_file {
	int fd;
	uint64_t size;
	const struct elf_layout *l;
	unsigned char *ph; /* phnum program headers, phentsize apart */
	size_t phnum, phentsize;
};

/* Little-endian unsigned integer of @n bytes (1..8) at @p. */
static uint64_t le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* Read exactly @len bytes at @off, which must lie inside the file. */
static int read_at(const struct elf_file *f, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > f->size || len > f->size - off)
		return -ENOEXEC;
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}

/* Translate the virtual address @addr to a file offset through PT_LOAD. */
static int vaddr_to_off(const struct elf_file *f, uint64_t addr, uint64_t *off)
{
	const struct elf_layout *l = f->l;
	size_t i;

	for (i = 0; i < f->phnum; i++) {
		const unsigned char *p = f->ph + i * f->phentsize;
		uint64_t vaddr = le(p + l->p_vaddr_at, l->p_word);
		uint64_t filesz = le(p + l->p_filesz_at, l->p_word);
		uint64_t poff = le(p + l->p_offset_at, l->p_word);

		if (le(p + l->p_type_at, 4) != PT_LOAD)
			continue;
		if (addr < vaddr || addr - vaddr >= filesz)
			continue;
		if (poff > UINT64_MAX - (addr - vaddr))
			return -ENOEXEC;
		*off = poff + (addr - vaddr);
		return 0;
	}
	return -ENOEXEC;
}

/*
 * The NUL-terminated string at @index of the string table [@stroff,
 * @stroff + @strsz), copied into a malloc'd buffer.
 */
static int read_str(const struct elf_file *f, uint64_t stroff, uint64_t strsz, uint64_t index,
		    char **out)
{
	uint64_t avail;
	size_t len;
	char *s;
	char *nul;
	int err;

	if (index >= strsz)
		return -ENOEXEC;
	avail = strsz - index;
	len = avail > MAX_DYN_STR ? MAX_DYN_STR : (size_t)avail;
	if (stroff > f->size || index > f->size - stroff)
		return -ENOEXEC;
	if (len > f->size - stroff - index)
		len = (size_t)(f->size - stroff - index);
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	err = read_at(f, s, len, stroff + index);
	if (err) {
		free(s);
		return err;
	}
	s[len] = '\0';
	nul = memchr(s, '\0', len);
	if (!nul) {
		free(s);
		return -ENOEXEC;
	}
	*out = s;
	return 0;
}

/* Read the ELF header and program headers of @f into @info and @f->ph. */
static int read_headers(struct elf_file *f, struct cli_elf_info *info)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	const struct elf_layout *l;
	uint64_t phoff, total;
	int err;

	err = read_at(f, eh, EI_NIDENT, 0);
	if (err)
		return err;
	if (memcmp(eh, ELFMAG, SELFMAG) != 0 || eh[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (eh[EI_CLASS] == ELFCLASS64)
		l = &layout64;
	else if (eh[EI_CLASS] == ELFCLASS32)
		l = &layout32;
	else
		return -ENOEXEC;
	f->l = l;
	err = read_at(f, eh, l->ehdr_size, 0);
	if (err)
		return err;
	info->elf_class = eh[EI_CLASS];
	info->machine = (unsigned int)le(eh + offsetof(Elf64_Ehdr, e_machine), 2);

	phoff = le(eh + l->phoff_at, l->phoff_len);
	f->phentsize = (size_t)le(eh + l->phentsize_at, 2);
	f->phnum = (size_t)le(eh + l->phnum_at, 2);
	if (f->phnum == 0)
		return 0;
	if (f->phnum > MAX_PHNUM || f->phentsize < l->phdr_size)
		return -ENOEXEC;
	total = (uint64_t)f->phnum * f->phentsize;
	f->ph = malloc((size_t)total);
	if (!f->ph)
		return -ENOMEM;
	return read_at(f, f->ph, (size_t)total, phoff);
}

/* Replace *@slot by the string at @index of the string table, once. */
static int take_str(const struct elf_file *f, uint64_t stroff, uint64_t strsz, uint64_t index,
		    char **slot)
{
	if (*slot)
		return 0;
	return read_str(f, stroff, strsz, index, slot);
}

/* Read the dynamic section [@off, @off + @size) and its strings. */
static int read_dynamic(const struct elf_file *f, uint64_t off, uint64_t size, const char *prefix,
			struct cli_elf_info *info)
{
	const struct elf_layout *l = f->l;
	uint64_t strtab = 0, strsz = 0, stroff;
	unsigned char *dyn;
	size_t n, i;
	int have_strtab = 0;
	int err;

	if (size > MAX_DYN_BYTES)
		size = MAX_DYN_BYTES;
	n = (size_t)size / l->dyn_size;
	if (n == 0)
		return 0;
	dyn = malloc(n * l->dyn_size);
	if (!dyn)
		return -ENOMEM;
	err = read_at(f, dyn, n * l->dyn_size, off);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		const unsigned char *d = dyn + i * l->dyn_size;
		uint64_t tag = le(d, l->d_word);

		if (tag == DT_NULL) {
			n = i;
			break;
		}
		if (tag == DT_STRTAB) {
			strtab = le(d + l->d_word, l->d_word);
			have_strtab = 1;
		} else if (tag == DT_STRSZ) {
			strsz = le(d + l->d_word, l->d_word);
		}
	}
	if (!have_strtab)
		goto out;
	err = vaddr_to_off(f, strtab, &stroff);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		const unsigned char *d = dyn + i * l->dyn_size;
		uint64_t tag = le(d, l->d_word);
		uint64_t val = le(d + l->d_word, l->d_word);
		char *s = NULL;

		if (tag == DT_RPATH)
			err = take_str(f, stroff, strsz, val, &info->rpath);
		else if (tag == DT_RUNPATH)
			err = take_str(f, stroff, strsz, val, &info->runpath);
		else if (tag == DT_NEEDED && prefix && !info->needed)
			err = read_str(f, stroff, strsz, val, &s);
		if (err)
			goto out;
		if (s && strncmp(s, prefix, strlen(prefix)) == 0)
			info->needed = s;
		else
			free(s);
	}
out:
	free(dyn);
	return err;
}

int cli_elf_read(const char *path, const char *prefix, struct cli_elf_info *info)
{
	struct elf_file f = { .fd = -1 };
	struct stat st;
	size_t i;
	int err;

	memset(info, 0, sizeof(*info));
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return -errno;
	if (fstat(f.fd, &st) != 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -ENOEXEC;
		goto out;
	}
	f.size = (uint64_t)st.st_size;
	err = read_headers(&f, info);
	if (err)
		goto out;
	for (i = 0; i < f.phnum; i++) {
		const unsigned char *p = f.ph + i * f.phentsize;

		if (le(p + f.l->p_type_at, 4) != PT_DYNAMIC)
			continue;
		err = read_dynamic(&f, le(p + f.l->p_offset_at, f.l->p_word),
				   le(p + f.l->p_filesz_at, f.l->p_word), prefix, info);
		break;
	}
out:
	free(f.ph);
	close(f.fd);
	if (err)
		cli_elf_info_free(info);
	return err;
}

void cli_elf_info_free(struct cli_elf_info *info)
{
	free(info->needed);
	free(info->rpath);
	free(info->runpath);
	info->needed = NULL;
	info->rpath = NULL;
	info->runpath = NULL;
}
