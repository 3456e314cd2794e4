/* SPDX-License-Identifier: Apache-2.0 */
/* vdso.c - the vDSO patcher (see vdso.h). */
#include "vdso.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define VDSO_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The mark in the image's last bytes: patched already (an exec brings a
 * fresh image without it; a fork keeps the patched copy). */
static const char vdso_mark[16] = "sandlock-vdso-1";

bool vdso_realtime_clock(int64_t clock)
{
	/* the kernel reads a clockid_t (an int) */
	int32_t c = (int32_t)clock;
	return c == 0 /* REALTIME */ || c == 5 /* REALTIME_COARSE */ ||
	       c == 8 /* REALTIME_ALARM */ || c == 11 /* TAI */;
}

/* ---- finding the mapping ---------------------------------------------------- */

/* One line of /proc/PID/maps: the special mapping is the one whose name
 * is exactly "[vdso]" (a file's name is an absolute path, a named
 * anonymous mapping "[anon:...]": nothing else prints this). */
static bool maps_line_vdso(const char *line, uint64_t *base, size_t *len)
{
	size_t n = strlen(line);
	if (n < 7 || strcmp(line + n - 7, " [vdso]") != 0)
		return false;
	unsigned long lo, hi;
	if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 || hi <= lo)
		return false;
	*base = lo;
	*len = hi - lo;
	return true;
}

int vdso_find(int dirfd, uint64_t *base, size_t *len)
{
	int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[4096 + 1];
	size_t have = 0;
	int r = -ENOENT;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		have += (size_t)got;
		buf[have] = '\0';
		char *start = buf, *nl;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			if (maps_line_vdso(start, base, len)) {
				close(fd);
				return 0;
			}
			start = nl + 1;
		}
		/* a partial line carried over (a line longer than the buffer
		 * is a long path: not the vDSO's, dropped) */
		have = (size_t)(buf + have - start);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			have = 0;
		if (got == 0)
			break;
	}
	close(fd);
	return r;
}

bool vdso_is_patched(int memfd, uint64_t base, size_t len)
{
	char tail[sizeof(vdso_mark)];
	if (len < sizeof(tail))
		return false;
	return pread(memfd, tail, sizeof(tail), (off_t)(base + len - sizeof(tail))) ==
		   (ssize_t)sizeof(tail) &&
	       memcmp(tail, vdso_mark, sizeof(tail)) == 0;
}

/* ---- the ELF image ------------------------------------------------------------ */

struct elfimg {
	const uint8_t *img;
	size_t len;
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *str;
	size_t strlen;
	int64_t bias; /* file offset = vaddr - bias */
	size_t used;  /* the end of everything the image holds */
};

static bool in_img(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static int elf_segments(struct elfimg *e, const Elf64_Ehdr *eh)
{
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_img(e->len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return -ENOEXEC;
	bool load = false;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, e->img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (!in_img(e->len, ph.p_offset, ph.p_filesz))
			return -ENOEXEC;
		if (ph.p_type == PT_LOAD && !load) {
			e->bias = (int64_t)(ph.p_vaddr - ph.p_offset);
			load = true;
		}
		e->used = VDSO_MAX(e->used, (size_t)(ph.p_offset + ph.p_filesz));
	}
	return load ? 0 : -ENOEXEC;
}

static int elf_sections(struct elfimg *e, const Elf64_Ehdr *eh)
{
	uint64_t shsize = (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr);
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !in_img(e->len, eh->e_shoff, shsize))
		return -ENOEXEC;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(e->img + eh->e_shoff);
	e->used = VDSO_MAX(e->used, (size_t)(eh->e_shoff + shsize));
	for (size_t i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_NOBITS)
			continue;
		if (!in_img(e->len, sh[i].sh_offset, sh[i].sh_size))
			return -ENOEXEC;
		e->used = VDSO_MAX(e->used, (size_t)(sh[i].sh_offset + sh[i].sh_size));
		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *st = &sh[sh[i].sh_link];
		if (!in_img(e->len, st->sh_offset, st->sh_size) || sh[i].sh_offset % 8)
			return -ENOEXEC;
		e->syms = (const Elf64_Sym *)(e->img + sh[i].sh_offset);
		e->nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
		e->str = (const char *)e->img + st->sh_offset;
		e->strlen = st->sh_size;
	}
	return e->syms ? 0 : -ENOEXEC;
}

static int elf_open(struct elfimg *e, const uint8_t *img, size_t len)
{
	*e = (struct elfimg){.img = img, .len = len};
	Elf64_Ehdr eh;
	if (len < sizeof(eh) || ((uintptr_t)img % 8))
		return -ENOEXEC;
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
		return -ENOEXEC;
	int r = elf_segments(e, &eh);
	return r < 0 ? r : elf_sections(e, &eh);
}

/* The file offset of function name and its size, or false. */
static bool elf_func(const struct elfimg *e, const char *name, size_t *off, size_t *size)
{
	size_t nlen = strlen(name);
	for (size_t i = 0; i < e->nsyms; i++) {
		const Elf64_Sym *s = &e->syms[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF ||
		    s->st_name >= e->strlen || e->strlen - s->st_name <= nlen ||
		    memcmp(e->str + s->st_name, name, nlen + 1) != 0)
			continue;
		int64_t o = (int64_t)s->st_value - e->bias;
		if (o < 0 || !in_img(e->len, (uint64_t)o, s->st_size) || s->st_size < 5)
			return false;
		*off = (size_t)o;
		*size = s->st_size;
		return true;
	}
	return false;
}

/* ---- instructions ------------------------------------------------------------- */

/* The length of one whitelisted instruction at p (avail bytes), 0 for
 * anything else; *rip_at the offset of its RIP-relative displacement (0:
 * none).  The whitelist: push/pop, nop, mov reg,imm, and the ALU, mov,
 * lea and test forms with a ModRM operand; no branch, call, prefix but
 * REX, or anything whose meaning depends on where it runs but through
 * a RIP-relative displacement, which the mover adjusts. */
static size_t insn_len(const uint8_t *p, size_t avail, size_t *rip_at)
{
	/* add, or, and, sub, xor, cmp (both directions), test, mov, lea */
	static const uint8_t modrm_ops[] = {0x01, 0x03, 0x09, 0x0b, 0x21, 0x23, 0x29, 0x2b,
					    0x31, 0x33, 0x39, 0x3b, 0x85, 0x89, 0x8b, 0x8d};
	size_t i = 0, disp = 0, imm;
	uint8_t rex = 0;
	*rip_at = 0;
	if (avail && (p[0] & 0xf0) == 0x40)
		rex = p[i++];
	if (i >= avail)
		return 0;
	uint8_t op = p[i++];
	if (op >= 0x50 && op <= 0x5f)
		return i;
	if (op == 0x90)
		return rex ? 0 : i;
	if (op >= 0xb8 && op <= 0xbf)
		imm = (rex & 8) ? 8 : 4;
	else if (op == 0x83)
		imm = 1;
	else if (op == 0x81 || op == 0xc7)
		imm = 4;
	else if (memchr(modrm_ops, op, sizeof(modrm_ops)))
		imm = 0;
	else
		return 0;
	if (op >= 0xb8 && op <= 0xbf)
		return i + imm <= avail ? i + imm : 0;
	if (i >= avail)
		return 0;
	uint8_t m = p[i++], mod = m >> 6, rm = m & 7;
	if ((op == 0xc7 && ((m >> 3) & 7) != 0) || (op == 0x8d && mod == 3))
		return 0;
	if (mod != 3 && rm == 4) {
		if (i >= avail)
			return 0;
		disp = (mod == 0 && (p[i] & 7) == 5) ? 4 : 0;
		i++;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	else if (mod == 0 && rm == 5) {
		*rip_at = i;
		disp = 4;
	}
	i += disp + imm;
	return i <= avail ? i : 0;
}

/* ---- the detours ---------------------------------------------------------------- */

struct emit {
	uint8_t *img;
	size_t pos, end;
	bool full;
};

static void put(struct emit *w, const void *b, size_t n)
{
	if (w->full || n > w->end - w->pos) {
		w->full = true;
		return;
	}
	memcpy(w->img + w->pos, b, n);
	w->pos += n;
}

static void put_u8(struct emit *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_u32(struct emit *w, uint32_t v)
{
	put(w, &v, 4); /* x86_64: little-endian, as the instruction wants */
}

static void put_u64(struct emit *w, uint64_t v)
{
	put(w, &v, 8);
}

/* A rel32 to target from an instruction ending at w->pos + 4. */
static void put_rel(struct emit *w, size_t target)
{
	put_u32(w, (uint32_t)(int32_t)((int64_t)target - (int64_t)(w->pos + 4)));
}

static void align16(struct emit *w)
{
	while (!w->full && w->pos % 16)
		put_u8(w, 0xcc);
}

/* The entry's patch point (after an endbr64) and how many bytes of whole
 * instructions from there the 5-byte jmp covers, moved to the trampoline
 * at w->pos; false when one is not on the whitelist. */
static bool move_prologue(struct emit *w, const uint8_t *img, size_t at, size_t fend, size_t *cover)
{
	size_t n = 0;
	while (n < 5) {
		size_t rip_at, l = insn_len(img + at + n, fend - at - n, &rip_at);
		if (l == 0)
			return false;
		size_t dst = w->pos;
		put(w, img + at + n, l);
		if (w->full)
			return false;
		if (rip_at) {
			int32_t d;
			memcpy(&d, img + at + n + rip_at, 4);
			/* the same target from the new place: both in the image,
			 * so the difference fits */
			int64_t nd = (int64_t)d + (int64_t)(at + n) - (int64_t)dst;
			if (nd != (int32_t)nd)
				return false;
			int32_t nd32 = (int32_t)nd;
			memcpy(w->img + dst + rip_at, &nd32, 4);
		}
		n += l;
	}
	*cover = n;
	return true;
}

/* A trampoline for the function at off: its moved prologue and a jmp
 * back (VDSO_DIRECT), or the system call nr (VDSO_SYSCALL).  *at and
 * *cover: where the entry's jmp goes and the bytes it replaces. */
static enum vdso_how trampoline(struct emit *w, const uint8_t *img, size_t off, size_t size, int nr,
				bool via_syscall, size_t *at, size_t *cover)
{
	static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};
	*at = off;
	if (size >= 9 && memcmp(img + off, endbr64, 4) == 0)
		*at += 4;
	size_t start = w->pos;
	if (!via_syscall && move_prologue(w, img, *at, off + size, cover)) {
		put_u8(w, 0xe9); /* jmp rel32 back behind the moved bytes */
		put_rel(w, *at + *cover);
		return VDSO_DIRECT;
	}
	w->pos = start;
	w->full = false;
	*cover = 5;
	put_u8(w, 0xb8); /* mov eax, nr; syscall; ret */
	put_u32(w, (uint32_t)nr);
	put(w, "\x0f\x05\xc3", 3);
	return VDSO_SYSCALL;
}

/* push rdi; push rsi; sub rsp, 8 (the callee's entry aligned as the ABI
 * wants); call tramp; add rsp, 8; pop rsi; pop rdi */
static void call_keeping_args(struct emit *w, size_t tramp)
{
	put(w, "\x57\x56\x48\x83\xec\x08\xe8", 7);
	put_rel(w, tramp);
	put(w, "\x48\x83\xc4\x08\x5e\x5f", 6);
}

/* clock_gettime(clock, ts): when it returned 0 and clock is in the
 * realtime family (bit mask 0x921: 0, 5, 8, 11), ts->tv_sec += offset. */
static void detour_clock_gettime(struct emit *w, size_t tramp, int64_t offset)
{
	call_keeping_args(w, tramp);
	put(w, "\x85\xc0\x75\x1c", 4);		   /* test eax,eax; jnz ret */
	put(w, "\x83\xff\x0b\x77\x17", 5);	   /* cmp edi,11; ja ret */
	put(w, "\xb9\x21\x09\x00\x00", 5);	   /* mov ecx,0x921 */
	put(w, "\x0f\xa3\xf9\x73\x0d\x48\xb9", 7); /* bt ecx,edi; jnc ret; movabs rcx, */
	put_u64(w, (uint64_t)offset);
	put(w, "\x48\x01\x0e\xc3", 4); /* add [rsi],rcx; ret */
}

/* gettimeofday(tv, tz): when it returned 0 and tv is not NULL,
 * tv->tv_sec += offset. */
static void detour_gettimeofday(struct emit *w, size_t tramp, int64_t offset)
{
	call_keeping_args(w, tramp);
	put(w, "\x85\xc0\x75\x12", 4);		   /* test eax,eax; jnz ret */
	put(w, "\x48\x85\xff\x74\x0d\x48\xb9", 7); /* test rdi,rdi; jz ret; movabs rcx, */
	put_u64(w, (uint64_t)offset);
	put(w, "\x48\x01\x0f\xc3", 4); /* add [rdi],rcx; ret */
}

/* time(t): unless an error (-4095..-1, the system call's), the result
 * plus offset, stored in *t too when t is not NULL. */
static void detour_time(struct emit *w, size_t tramp, int64_t offset)
{
	put(w, "\x57\xe8", 2); /* push rdi (aligns the callee's entry); call */
	put_rel(w, tramp);
	put(w, "\x5f\x48\x3d\x01\xf0\xff\xff\x73\x15\x48\xb9", 11); /* pop rdi; cmp rax,-4095;
								       jae ret; movabs rcx, */
	put_u64(w, (uint64_t)offset);
	put(w, "\x48\x01\xc8\x48\x85\xff\x74\x03\x48\x89\x07\xc3", 12); /* add rax,rcx;
									   test rdi,rdi; jz ret;
									   mov [rdi],rax; ret */
}

/* The jmp at the entry, the rest of the replaced bytes int3 (never run:
 * nothing branches into a function's first instructions). */
static void patch_entry(struct vdso_plan *p, uint8_t *img, size_t at, size_t cover, size_t detour)
{
	img[at] = 0xe9;
	int32_t rel = (int32_t)((int64_t)detour - (int64_t)(at + 5));
	memcpy(img + at + 1, &rel, 4);
	memset(img + at + 5, 0xcc, cover - 5);
	p->entries[p->n_entries++] = at;
}

typedef void (*detour_fn)(struct emit *w, size_t tramp, int64_t offset);

/* Patches one shifted function if the image has it. */
static enum vdso_how patch_time_fn(struct vdso_plan *p, struct emit *w, const struct elfimg *e,
				   uint8_t *img, const char *name, int nr, detour_fn detour,
				   const struct vdso_req *req)
{
	size_t off, size, at, cover;
	if (!elf_func(e, name, &off, &size))
		return VDSO_ABSENT;
	size_t tramp = w->pos;
	enum vdso_how how = trampoline(w, img, off, size, nr, req->via_syscall, &at, &cover);
	align16(w);
	size_t s = w->pos;
	detour(w, tramp, req->offset);
	align16(w);
	if (w->full || at + cover > off + size)
		return VDSO_ABSENT;
	patch_entry(p, img, at, cover, s);
	return how;
}

/* getrandom(...): -ENOSYS (mov rax, -38; ret). */
static bool patch_getrandom(struct vdso_plan *p, struct emit *w, const struct elfimg *e,
			    uint8_t *img)
{
	size_t off, size, at, cover = 5;
	if (!elf_func(e, "__vdso_getrandom", &off, &size))
		return false;
	at = off;
	if (size >= 9 && memcmp(img + off, "\xf3\x0f\x1e\xfa", 4) == 0)
		at += 4;
	size_t s = w->pos;
	put(w, "\x48\xc7\xc0\xda\xff\xff\xff\xc3", 8);
	align16(w);
	if (w->full || at + cover > off + size)
		return false;
	patch_entry(p, img, at, cover, s);
	return true;
}

int vdso_plan_image(uint8_t *img, size_t len, const struct vdso_req *req, struct vdso_plan *out)
{
	*out = (struct vdso_plan){0};
	if (len < 4096)
		return -ENOEXEC;
	if (len >= sizeof(vdso_mark) && memcmp(img + len - sizeof(vdso_mark), vdso_mark, 16) == 0)
		return -EALREADY;
	struct elfimg e;
	int r = elf_open(&e, img, len);
	if (r < 0)
		return r;
	/* the detours after everything the image holds, the mark at its end */
	size_t start = (e.used + 15) & ~(size_t)15;
	if (start + 16 > len - sizeof(vdso_mark))
		return -ENOSPC;
	struct emit w = {.img = img, .pos = start, .end = len - sizeof(vdso_mark)};
	struct vdso_done *d = &out->done;
	if (req->time) {
		d->clock_gettime = patch_time_fn(out, &w, &e, img, "__vdso_clock_gettime",
						 SYS_clock_gettime, detour_clock_gettime, req);
		d->gettimeofday = patch_time_fn(out, &w, &e, img, "__vdso_gettimeofday",
						SYS_gettimeofday, detour_gettimeofday, req);
		d->time =
		    patch_time_fn(out, &w, &e, img, "__vdso_time", SYS_time, detour_time, req);
	}
	if (req->getrandom)
		d->getrandom = patch_getrandom(out, &w, &e, img);
	if (w.full)
		return -ENOSPC;
	memset(img + w.pos, 0xcc, len - sizeof(vdso_mark) - w.pos);
	memcpy(img + len - sizeof(vdso_mark), vdso_mark, sizeof(vdso_mark));
	out->tail_off = start;
	out->tail_len = len - start;
	return 0;
}

static int write_all(int memfd, const uint8_t *b, size_t n, uint64_t at)
{
	ssize_t w = pwrite(memfd, b, n, (off_t)at);
	return w == (ssize_t)n ? 0 : (w < 0 ? -errno : -EIO);
}

int vdso_patch(int memfd, uint64_t base, size_t len, const struct vdso_req *req,
	       struct vdso_done *done)
{
	if (len > VDSO_MAX_LEN || len < 4096)
		return -E2BIG;
	uint8_t *img = aligned_alloc(16, len);
	if (!img)
		return -ENOMEM;
	struct vdso_plan p = {0};
	int r = pread(memfd, img, len, (off_t)base) == (ssize_t)len ? 0 : -EIO;
	if (r == 0)
		r = vdso_plan_image(img, len, req, &p);
	/* the detours and the mark first, then the entries: a jmp never leads
	 * to a detour not written yet */
	if (r == 0)
		r = write_all(memfd, img + p.tail_off, p.tail_len, base + p.tail_off);
	for (size_t i = 0; r == 0 && i < p.n_entries; i++)
		r = write_all(memfd, img + p.entries[i], 5, base + p.entries[i]);
	if (r == 0)
		*done = p.done;
	free(img);
	return r;
}
