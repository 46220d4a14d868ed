/* auth/seal.c: the key file and AES-256-GCM sealing. */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth_int.h"

#define AAD	"ewsgw:tokens:7:refresh"
#define SECRET	"0.AXoA-refresh-token-for-alice"

struct fixture {
	char		 dir[64];
	char		 path[96];
	unsigned char	 key[SEAL_KEY_BYTES];
};

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_seal.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/key", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	nftw(f->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd != -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_key_created_0600(void **state)
{
	struct fixture	*f = *state;
	unsigned char	 again[SEAL_KEY_BYTES], zero[SEAL_KEY_BYTES] = { 0 };
	struct stat	 st;
	char		 err[256];
	mode_t		 old;

	old = umask(0);		/* a lax umask must not leak into the mode */
	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    0);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, SEAL_KEY_BYTES);
	assert_memory_not_equal(f->key, zero, sizeof(zero));
	/* Loading again reads the same key; no temporary file is left. */
	assert_int_equal(seal_key_load(f->path, 1, again, err, sizeof(err)),
	    0);
	assert_memory_equal(f->key, again, sizeof(again));
	snprintf(err, sizeof(err), "%s.new.%ld", f->path, (long)getpid());
	assert_int_equal(access(err, F_OK), -1);
}

static void
test_key_strict_refuses_0644(void **state)
{
	struct fixture	*f = *state;
	unsigned char	 raw[SEAL_KEY_BYTES] = { 1, 2, 3 };
	char		 err[256];

	write_file(f->path, raw, sizeof(raw), 0644);
	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "chmod 600"));
	/* Without strict (the CLI) the same file loads. */
	assert_int_equal(seal_key_load(f->path, 0, f->key, err, sizeof(err)),
	    0);
	assert_memory_equal(f->key, raw, sizeof(raw));
	write_file(f->path, raw, sizeof(raw), 0660);
	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    -1);
	write_file(f->path, raw, sizeof(raw), 0602);
	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    -1);
}

static void
test_key_wrong_size(void **state)
{
	struct fixture	*f = *state;
	unsigned char	 raw[SEAL_KEY_BYTES + 1] = { 0 };
	char		 err[256];

	write_file(f->path, raw, sizeof(raw), 0600);
	assert_int_equal(seal_key_load(f->path, 0, f->key, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "33 bytes"));
	write_file(f->path, raw, 16, 0600);
	assert_int_equal(seal_key_load(f->path, 0, f->key, err, sizeof(err)),
	    -1);
	write_file(f->path, raw, 0, 0600);
	assert_int_equal(seal_key_load(f->path, 0, f->key, err, sizeof(err)),
	    -1);
}

static void
test_key_missing_dir(void **state)
{
	struct fixture	*f = *state;
	char		 path[128], err[256];

	snprintf(path, sizeof(path), "%s/nope/key", f->dir);
	assert_int_equal(seal_key_load(path, 0, f->key, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "nope"));
}

static void
test_roundtrip(void **state)
{
	struct fixture	*f = *state;
	unsigned char	*blob = NULL, *blob2 = NULL;
	size_t		 len, len2, outlen;
	char		*out = NULL, err[256];

	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    0);
	assert_int_equal(seal(f->key, AAD, SECRET, strlen(SECRET), &blob,
	    &len), 0);
	assert_int_equal(len, 1 + 12 + strlen(SECRET) + 16);
	assert_int_equal(blob[0], 1);
	assert_null(memmem(blob, len, SECRET, strlen(SECRET)));
	assert_int_equal(unseal(f->key, AAD, blob, len, &out, &outlen), 0);
	assert_string_equal(out, SECRET);
	assert_int_equal(outlen, strlen(SECRET));
	auth_secret_free(out);
	/* A fresh nonce each time: the same secret seals differently. */
	assert_int_equal(seal(f->key, AAD, SECRET, strlen(SECRET), &blob2,
	    &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_not_equal(blob + 1, blob2 + 1, 12);
	free(blob);
	free(blob2);
	/* An empty secret works too. */
	assert_int_equal(seal(f->key, AAD, "", 0, &blob, &len), 0);
	assert_int_equal(unseal(f->key, AAD, blob, len, &out, NULL), 0);
	assert_string_equal(out, "");
	auth_secret_free(out);
	free(blob);
}

static void
test_tamper(void **state)
{
	struct fixture	*f = *state;
	unsigned char	*blob = NULL;
	size_t		 len, i;
	char		*out = NULL, err[256];

	assert_int_equal(seal_key_load(f->path, 1, f->key, err, sizeof(err)),
	    0);
	assert_int_equal(seal(f->key, AAD, SECRET, strlen(SECRET), &blob,
	    &len), 0);
	/* Every byte: version, nonce, ciphertext, tag. */
	for (i = 0; i < len; i++) {
		blob[i] ^= 0x01;
		assert_int_equal(unseal(f->key, AAD, blob, len, &out, NULL),
		    -1);
		assert_null(out);
		blob[i] ^= 0x01;
	}
	/* Truncated or extended blobs. */
	assert_int_equal(unseal(f->key, AAD, blob, len - 1, &out, NULL), -1);
	assert_int_equal(unseal(f->key, AAD, blob, 28, &out, NULL), -1);
	assert_int_equal(unseal(f->key, AAD, blob, 0, &out, NULL), -1);
	/* Wrong AAD: the blob of another row or column. */
	assert_int_equal(unseal(f->key, "ewsgw:tokens:8:refresh", blob, len,
	    &out, NULL), -1);
	assert_int_equal(unseal(f->key, "ewsgw:tokens:7:access", blob, len,
	    &out, NULL), -1);
	assert_int_equal(unseal(f->key, NULL, blob, len, &out, NULL), -1);
	/* Wrong key. */
	f->key[0] ^= 0x80;
	assert_int_equal(unseal(f->key, AAD, blob, len, &out, NULL), -1);
	f->key[0] ^= 0x80;
	assert_int_equal(unseal(f->key, AAD, blob, len, &out, NULL), 0);
	auth_secret_free(out);
	free(blob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_created_0600, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_strict_refuses_0644,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_wrong_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_missing_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
