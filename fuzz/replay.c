/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c - runs a fuzz target on every file of the directories (or
 * files) given, without libFuzzer: `make check` replays the corpora with
 * gcc, and under check-asan with the sanitizers.
 *
 *   TARGET-replay CORPUS_DIR...
 *
 * Exit status 0, or the target's abort on a property that fails.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			bad |= run_file(argv[i]) < 0;
			files++;
			continue;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				bad |= run_file(path) < 0;
				files++;
			}
		}
		closedir(d);
	}
	printf("%s: %d inputs replayed\n", argc > 0 ? argv[0] : "replay", files);
	return bad;
}
